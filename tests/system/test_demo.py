"""`mashangban demo` for real: three processes in tmux panes on one fresh database.

A ticket is taken by a click on the kiosk pane (a mouse event written to the pane, as a
terminal would), called with the counter pane's "n" key, and read off the board pane.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len


class Panes:
    """The demo's tmux server, read and typed into like a person at the terminal."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def text(self, pane: str) -> str:
        """What a pane shows now."""
        return self.tmux("capture-pane", "-p", "-t", f"demo:0.{pane}")

    def wait(self, pane: str, found: Callable[[str], object], what: str, timeout: float) -> str:
        """Poll a pane until ``found`` holds for its text; the text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text(pane)
            if found(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"pane {pane}: waited {timeout}s for {what}:\n{text}")
            time.sleep(0.2)

    def click(self, pane: str, label: str) -> None:
        """Click the middle of the first line showing ``label`` (an SGR mouse press/release)."""
        for row, line in enumerate(self.text(pane).splitlines()):
            if label in line:
                col = cell_len(line[: line.index(label)]) + cell_len(label) // 2
                press = f"\x1b[<0;{col + 1};{row + 1}M\x1b[<0;{col + 1};{row + 1}m"
                self.tmux("send-keys", "-t", f"demo:0.{pane}", "-l", press)
                return
        raise AssertionError(f"{label!r} is not on pane {pane}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Panes]:
    socket = f"msb-test-{uuid.uuid4().hex[:8]}"
    started = subprocess.run(
        [sys.executable, "-m", "mashangban", "demo", "--detach", "--socket", socket],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200", "LINES": "50"},
    )
    assert started.returncode == 0, started.stderr
    folder = re.search(r"folder (\S+)\)", started.stdout)
    assert folder, started.stdout
    yield Panes(socket)
    subprocess.run(["tmux", "-L", socket, "kill-server"], check=False, capture_output=True)
    shutil.rmtree(folder.group(1), ignore_errors=True)


def test_a_ticket_taken_at_the_kiosk_is_called_at_the_counter_and_shown_on_the_board(
    demo: Panes,
) -> None:
    demo.wait("0", lambda t: "马上办" in t and "人等候" in t, "the kiosk's zones", 60)
    demo.wait("2", lambda t: "18 号窗口" in t and "下一位" in t, "the counter logged in", 60)
    demo.wait("1", lambda t: "等候叫号" in t, "the board", 60)
    demo.click("0", "M 马上办")
    demo.wait("0", lambda t: "您的号码" in t, "the ticket on the kiosk", 20)
    demo.wait("2", lambda t: "M 马上办  等候 1" in t, "the counter to see M001 waiting", 10)
    demo.tmux("send-keys", "-t", "demo:0.2", "n")
    counter = demo.wait("2", lambda t: "已呼叫 M001" in t, "the call at the counter", 10)
    assert "M001" in counter and "已叫号" in counter
    board = demo.wait("1", lambda t: "M001" in t, "the call on the board", 5)
    assert "18" in board


def test_without_tmux_the_demo_says_what_to_install(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mashangban", "demo"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},  # no tmux on this PATH
    )
    assert done.returncode == 1
    assert "演示需要 tmux" in done.stderr and "apt-get install tmux" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_demo_hall_issues_tickets_at_night_and_on_a_sunday(tmp_path: Path) -> None:
    """The default hall is closed then; the demo's hall is open at any hour (found at 18:12)."""
    import datetime as dt

    from mashangban.demo import prepare
    from models.db import make_engine
    from models.errors import Refused
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.queue.tickets import take_ticket
    from models.schema import upgrade

    sunday_night = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    demo_db = prepare(tmp_path, "unused").db
    plain = make_engine(str(tmp_path / "plain.db"))
    engine = make_engine(str(demo_db))
    try:
        upgrade(plain)
        store_hall(plain, *read_hall_file(default_hall_path()))
        with pytest.raises(Refused):  # the real hall keeps office hours on working days
            take_ticket(plain, queue="M", now=sunday_night)
        assert take_ticket(engine, queue="M", now=sunday_night).number == "M001"
        assert take_ticket(engine, queue="A", now=sunday_night.replace(hour=19)).number == "A001"
    finally:
        engine.dispose()
        plain.dispose()
