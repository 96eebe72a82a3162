"""`make test` and `make run` on a shared machine: when another process holds the Debian package
lock (unattended-upgrades, a colleague's install), installing the missing packages waits for it
instead of failing at once (it did: `apt-get update` exited 100 at the first try).

No root and no real apt: a fake `apt-get` first on PATH keeps apt's two locks as files this test
can hold — the lists lock, which `apt-get update` never waits for, and the dpkg lock, which
apt waits for up to ``DPkg::Lock::Timeout`` seconds.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.waiting import WAIT_S, wait_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "apt-install"

FAKE_APT_GET = """#!{python}
import fcntl, os, sys, time

args = sys.argv[1:]
log = open(os.environ["FAKE_APT_LOG"], "a", buffering=1)
timeout = 0
for i, arg in enumerate(args[:-1]):
    if arg == "-o" and args[i + 1].startswith("DPkg::Lock::Timeout="):
        timeout = float(args[i + 1].split("=", 1)[1])
command = next(a for a in args if not a.startswith("-") and "::" not in a)


def take(path, wait):
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    end = time.monotonic() + wait
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError:
            if time.monotonic() >= end:
                return None
            time.sleep(0.02)


if command == "update":
    if take(os.environ["FAKE_APT_LISTS_LOCK"], 0) is None:  # apt-get update never waits
        log.write("update: lists lock held\\n")
        print("E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 "
              "(apt-get)", file=sys.stderr)
        print("E: Unable to lock directory /var/lib/apt/lists/", file=sys.stderr)
        sys.exit(100)
    log.write("update\\n")
elif command == "install":
    packages = [a for a in args[args.index("install") + 1:] if not a.startswith("-")]
    if "nosuch" in packages:
        log.write("install: unknown package\\n")
        print("E: Unable to locate package nosuch", file=sys.stderr)
        sys.exit(100)
    log.write(f"install: waiting up to {{timeout:g}} s for the dpkg lock\\n")
    if take(os.environ["FAKE_APT_DPKG_LOCK"], timeout) is None:
        print("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
              "(apt)", file=sys.stderr)
        sys.exit(100)
    log.write("install " + " ".join(packages) + "\\n")
"""


@dataclass
class FakeApt:
    """A fake apt-get on PATH, its two lock files and the log of what it did."""

    bin: Path
    lists: Path
    dpkg: Path
    log_file: Path

    def env(self, path: str, **extra: str) -> dict[str, str]:
        return {
            "PATH": path,
            "HOME": str(self.bin.parent),
            "FAKE_APT_LOG": str(self.log_file),
            "FAKE_APT_LISTS_LOCK": str(self.lists),
            "FAKE_APT_DPKG_LOCK": str(self.dpkg),
            "APT_RETRY_S": "0.1",
            **extra,
        }

    def script_env(self, **extra: str) -> dict[str, str]:
        """The fake apt-get first, then the system's tools."""
        return self.env(f"{self.bin}:/usr/bin:/bin", **extra)

    def log(self) -> list[str]:
        return self.log_file.read_text().splitlines() if self.log_file.exists() else []


@pytest.fixture
def fake_apt(tmp_path: Path) -> FakeApt:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    apt_get = fake_bin / "apt-get"
    apt_get.write_text(FAKE_APT_GET.format(python=sys.executable))
    apt_get.chmod(0o755)
    return FakeApt(fake_bin, tmp_path / "lists.lock", tmp_path / "dpkg.lock", tmp_path / "apt.log")


@contextmanager
def held(lock: Path) -> Iterator[None]:
    """Hold a lock file as another apt would, until the block ends."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def tries(fake_apt: FakeApt) -> int:
    """How often apt-get update found the lists lock held."""
    return fake_apt.log().count("update: lists lock held")


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_an_install_waits_while_another_apt_get_update_holds_the_lists_lock(
    fake_apt: FakeApt,
) -> None:
    with held(fake_apt.lists):
        install = start([str(SCRIPT), "tmux", "espeak-ng"], fake_apt.script_env(APT_WAIT="60"))
        wait_for(lambda: tries(fake_apt) >= 2 or install.poll() is not None, "a second try")
        assert install.poll() is None, "it gave up while the lock was held"
    _, err = install.communicate(timeout=WAIT_S)
    assert install.returncode == 0, err
    assert "another process holds the Debian package lock; waiting" in err
    assert fake_apt.log()[-3:] == [
        "update",
        "install: waiting up to 60 s for the dpkg lock",
        "install tmux espeak-ng",
    ]


def test_an_install_waits_while_another_process_holds_the_dpkg_lock(fake_apt: FakeApt) -> None:
    with held(fake_apt.dpkg):
        install = start([str(SCRIPT), "tmux"], fake_apt.script_env(APT_WAIT="60"))
        waiting = "install: waiting up to 60 s for the dpkg lock"
        wait_for(lambda: waiting in fake_apt.log() or install.poll() is not None, "the install")
        assert install.poll() is None, "it gave up while the lock was held"
    _, err = install.communicate(timeout=WAIT_S)
    assert install.returncode == 0, err
    assert fake_apt.log() == [
        "update",
        "install: waiting up to 60 s for the dpkg lock",
        "install tmux",
    ]


def test_the_wait_ends_after_apt_wait_seconds_with_a_clear_message(fake_apt: FakeApt) -> None:
    with held(fake_apt.lists):
        install = start([str(SCRIPT), "tmux"], fake_apt.script_env(APT_WAIT="1"))
        _, err = install.communicate(timeout=WAIT_S)
    assert install.returncode == 100
    assert "still holds the Debian package lock after 1 s (APT_WAIT)" in err
    assert "install tmux" not in fake_apt.log()


def test_a_failure_that_is_not_a_lock_stops_at_once(fake_apt: FakeApt) -> None:
    install = start([str(SCRIPT), "nosuch"], fake_apt.script_env(APT_WAIT="60"))
    _, err = install.communicate(timeout=WAIT_S)
    assert install.returncode == 100
    assert "Unable to locate package nosuch" in err and "waiting" not in err
    assert fake_apt.log() == ["update", "install: unknown package"]


def test_make_system_deps_waits_for_the_lock_too(fake_apt: FakeApt) -> None:
    """The Makefile's own install (make test runs it first) goes through the waiting script.

    PATH holds only the fake apt-get, a fake `id` saying root, and the few tools the recipe
    and the script use: tmux and espeak-ng are missing, so they are installed."""
    for tool in ("bash", "grep", "mktemp", "rm", "sleep", "tee"):
        found = shutil.which(tool)
        assert found, tool
        (fake_apt.bin / tool).symlink_to(found)
    fake_id = fake_apt.bin / "id"
    fake_id.write_text("#!/bin/sh\necho 0\n")
    fake_id.chmod(0o755)
    make = shutil.which("make")
    assert make
    with held(fake_apt.lists):
        install = start(
            [make, "--no-print-directory", "-C", str(ROOT), "system-deps"],
            fake_apt.env(str(fake_apt.bin), APT_WAIT="60"),
        )
        wait_for(lambda: tries(fake_apt) >= 2 or install.poll() is not None, "a second try")
        assert install.poll() is None, "make gave up while the lock was held"
    _, err = install.communicate(timeout=WAIT_S)
    assert install.returncode == 0, err
    installed = fake_apt.log()[-1].split()
    assert installed[0] == "install" and {"tmux", "espeak-ng"} <= set(installed[1:])
