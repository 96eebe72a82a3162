"""`status` and `hall show` on an 80-column terminal: every line fits, no name is split.

They run as a person runs them: a fresh process, Rich told the width by COLUMNS=80.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

from models.db import make_engine
from models.hall import default_hall_path, read_hall_file
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from tests.conftest import NOW, open_window

ROOT = Path(__file__).resolve().parents[2]


def shown_at_80(db: str, *command: str) -> list[str]:
    """The command's lines as an 80-column terminal shows them."""
    env = {**os.environ, "COLUMNS": "80", "MASHANGBAN_NOW": NOW.isoformat()}
    done = subprocess.run(
        [sys.executable, "-m", "mashangban", "--db", db, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def assert_fits(lines: list[str]) -> None:
    wide = [line for line in lines if cell_len(line) > 80]
    assert not wide, wide


def assert_whole(lines: list[str], name: str) -> None:
    """The name stands on one line, whole."""
    assert any(name in line for line in lines), f"{name!r} is split or missing"


def test_status_fits_80_columns_with_every_zone_name_on_one_line(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    for queue in "MMMMAC":
        take_ticket(engine, queue=queue, now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    engine.dispose()
    lines = shown_at_80(sqlite_url, "status")
    assert_fits(lines)
    config, _ = read_hall_file(default_hall_path())
    for queue in config.queue:
        assert_whole(lines, f"{queue.prefix} {queue.name_zh}")
        assert_whole(lines, queue.name_en)
    # A window's row names its clerk by number and name.
    assert any(line.split()[:4] == ["18", "M", "1001", "王芳"] for line in lines)
    # The first line: the day, its weekday in both languages and the hall's time (no ISO code).
    assert lines[0].split() == ["2026-11-25", "星期三", "Wednesday", "10:00:00"]
    assert any("M004" in line.split() for line in lines)  # the next numbers, whole


def test_hall_show_fits_80_columns_with_every_name_on_one_line(sqlite_url: str) -> None:
    lines = shown_at_80(sqlite_url, "hall", "show")
    assert_fits(lines)
    config, _ = read_hall_file(default_hall_path())
    for queue in config.queue:
        assert_whole(lines, f"{queue.prefix} {queue.name_zh}")
        assert_whole(lines, queue.name_en)
    for item in config.item:
        assert_whole(lines, item.name_zh)
        assert_whole(lines, item.name_en)
