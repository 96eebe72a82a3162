# 马上办 mashangban — the two commands of the README, and a few more.
#   make run    set up and run the demo: kiosk, counter and board side by side on a fresh SQLite
#               database with the on-screen preview printer
#   make test   set up and run the whole test suite (lint, types, unit, multi-process, PostgreSQL)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_BIN := /usr/lib/postgresql/15/bin

.PHONY: run run-deps test test-quick test-apps install system-deps lint types unit bench clean

run: $(STAMP) run-deps
	$(BIN)/mashangban demo

# The demo shows the kiosk, a counter and the board side by side in tmux; the board speaks
# with espeak-ng (without it the demo runs, silent). .ci/apt-install waits (APT_WAIT, 900 s)
# while another process holds the Debian package lock.
run-deps:
	@missing=""; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			.ci/apt-install $$missing; \
		elif ! command -v tmux >/dev/null; then \
			echo "the demo needs tmux (sudo apt-get install$$missing)" >&2; exit 1; \
		else \
			echo "the board will be silent: no espeak-ng (sudo apt-get install espeak-ng)" >&2; \
		fi; \
	fi

test: $(STAMP) system-deps lint types unit

# The fast tiers, for the edit-test loop, on SQLite, in one process per worker, no PostgreSQL
# (make test runs everything):
#   make test-quick   the core and printing (tests/unit): under a minute
#   make test-apps    the terminal apps (Pilot, snapshots) and the hall server's routes
test-quick: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --sqlite-only -m "not slow" tests/unit

test-apps: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --sqlite-only -m "not slow" tests/apps

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "mashangban needs Python 3.11 or newer" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The PostgreSQL tests start a real server from these binaries, raster printing draws
# Chinese with a CJK font, the board speaks with espeak-ng, the demo (and its test) lays
# the apps out in tmux, and the hall server's pages are tested in a headless chromium driven
# through chromium-driver; install what is missing (Debian packages, as root; waiting up to
# APT_WAIT seconds, default 900, for another process's package lock).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
system-deps:
	@missing=""; \
	[ -x $(PG_BIN)/postgres ] || missing="$$missing postgresql-15"; \
	[ -f $(CJK_FONT) ] || missing="$$missing fonts-wqy-microhei"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			.ci/apt-install $$missing; \
		else \
			echo "missing Debian packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; \
		fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
