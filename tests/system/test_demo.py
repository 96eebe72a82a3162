"""`mashangban demo` for real: three processes in tmux panes on one fresh database.

A ticket is taken by a click on the kiosk pane (a mouse event written to the pane, as a
terminal would), called with the counter pane's "n" key, and read off the board pane.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.support.waiting import WAIT_S, wait_for


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

    def wait(
        self, pane: str, found: Callable[[str], object], what: str, timeout: float = WAIT_S
    ) -> str:
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
    _kill(socket)
    shutil.rmtree(folder.group(1), ignore_errors=True)


def test_a_ticket_taken_at_the_kiosk_is_called_at_the_counter_and_shown_on_the_board(
    demo: Panes,
) -> None:
    starting = WAIT_S * 2  # three apps start at once
    demo.wait("0", lambda t: "马上办" in t and "人等候" in t, "the kiosk's zones", starting)
    demo.wait("2", lambda t: "18 号窗口" in t and "下一位" in t, "the counter logged in", starting)
    demo.wait("1", lambda t: "等候叫号" in t, "the board", starting)
    demo.click("0", "M 马上办")
    demo.wait("0", lambda t: "您的号码" in t, "the ticket on the kiosk")
    demo.wait("2", lambda t: "M 马上办  等候 1" in t, "the counter to see M001 waiting")
    demo.tmux("send-keys", "-t", "demo:0.2", "n")
    counter = demo.wait("2", lambda t: "已呼叫 M001" in t, "the call at the counter")
    assert "M001" in counter and "已叫号" in counter
    board = demo.wait("1", lambda t: "M001" in t, "the call on the board")
    assert "18" in board


def _get(url: str) -> tuple[int, str]:
    """A browser's GET: the status and the page (0 and why when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc)


def _web(socket: str) -> str:
    """The demo's hall server as its status line names it."""
    status = Panes(socket).tmux("show-options", "-v", "-t", "demo", "status-left")
    found = re.search(r"(http://127\.0\.0\.1:\d+)/board", status)
    assert found, status
    return found.group(1)


def test_the_demo_serves_the_board_and_the_ticket_page_to_a_browser(tmp_path: Path) -> None:
    """The demo starts the hall server too: it says where, the board and a ticket's page (the
    address its QR code opens) answer, and the server stops with the demo."""
    socket = f"msb-test-{uuid.uuid4().hex[:8]}"
    started = subprocess.run(
        [sys.executable, "-m", "mashangban", "demo", "--detach", "--socket", socket],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=_env(tmp_path),
    )
    try:
        assert started.returncode == 0, started.stderr
        said = re.search(r"(http://127\.0\.0\.1:\d+)/board", started.stdout)
        assert said, started.stdout
        web = said.group(1)
        assert _web(socket) == web
        assert f"{web}/t/<token>" in started.stdout
        wait_for(lambda: _get(f"{web}/healthz")[0] == 200, "the demo's server", timeout=WAIT_S * 2)
        status, board = _get(f"{web}/board")
        assert status == 200 and "马上办" in board
        panes = Panes(socket)
        panes.wait("0", lambda t: "马上办" in t and "人等候" in t, "the kiosk", WAIT_S * 2)
        panes.click("0", "M 马上办")
        panes.wait("0", lambda t: "您的号码" in t, "the ticket on the kiosk")
        folder = _folders(tmp_path)[0]
        url = _ticket_url(folder)
        assert url.startswith(f"{web}/t/"), url  # what the ticket's QR code opens
        status, page = _get(url)
        assert status == 200 and "M001" in page
    finally:
        _kill(socket)
    wait_for(lambda: _get(f"{web}/healthz")[0] == 0, "the demo's server to stop with it")


def _ticket_url(folder: Path) -> str:
    """The address in the QR code of the demo's newest ticket."""
    from sqlalchemy import text

    from models.db import make_engine, reading
    from models.hall import hall_settings
    from printer.documents import ticket_qr

    engine = make_engine(str(folder / "demo.db"))
    try:
        with reading(engine) as session:
            token = session.execute(text("SELECT token FROM ticket ORDER BY id DESC")).scalar()
            public_url = hall_settings(session).public_url
    finally:
        engine.dispose()
    assert token
    return ticket_qr(token, public_url)


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


def _env(tmp_path: Path) -> dict[str, str]:
    """A demo's environment: its folder under tmp_path (TMPDIR), a wide terminal."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "TERM": "xterm-256color",
        "COLUMNS": "200",
        "LINES": "50",
    }


def _alive(socket: str) -> bool:
    """A tmux server of that name runs with a session."""
    found = subprocess.run(["tmux", "-L", socket, "list-sessions"], capture_output=True)
    return found.returncode == 0


def _socket_file(socket: str) -> Path:
    return Path("/tmp") / f"tmux-{os.getuid()}" / socket


def _kill(socket: str) -> None:
    """Stop a test's tmux server and remove its socket file (tmux leaves it)."""
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    _socket_file(socket).unlink(missing_ok=True)


def _folders(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("mashangban-demo-*"))


def test_two_demos_on_one_machine_both_run(tmp_path: Path) -> None:
    """Two people start a demo on one machine: each gets a tmux server of its own (they used
    to share one name, and the second killed the first)."""
    sockets: list[str] = []
    try:
        for _ in range(2):
            started = subprocess.run(
                [sys.executable, "-m", "mashangban", "demo", "--detach"],
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
                env=_env(tmp_path),
            )
            assert started.returncode == 0, started.stderr
            found = re.search(r"tmux -L (\S+) attach", started.stdout)
            assert found, started.stdout
            sockets.append(found.group(1))
        assert sockets[0] != sockets[1]
        for socket in sockets:
            panes = Panes(socket)
            panes.wait("0", lambda t: "马上办" in t and "人等候" in t, "the kiosk", WAIT_S * 2)
            panes.wait("2", lambda t: "18 号窗口" in t, "the counter", WAIT_S * 2)
        assert all(_alive(socket) for socket in sockets)
        assert len(_folders(tmp_path)) == 2
    finally:
        for socket in sockets:
            _kill(socket)


def test_a_demo_refuses_a_tmux_server_that_is_in_use(tmp_path: Path) -> None:
    """``--socket`` naming a running server is refused in both languages; that server (someone
    else's) is not killed and nothing is left behind."""
    socket = f"msb-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "theirs", "sleep 600"])
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mashangban", "demo", "--detach", "--socket", socket],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env=_env(tmp_path),
        )
        assert done.returncode == 1, done.stdout + done.stderr
        assert f"tmux 服务器 {socket} 正在运行" in done.stderr
        assert f"the tmux server {socket} is already running" in done.stderr
        assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
        sessions = subprocess.run(
            ["tmux", "-L", socket, "list-sessions", "-F", "#{session_name}"],
            capture_output=True,
            text=True,
        )
        assert sessions.stdout.split() == ["theirs"]
        assert _folders(tmp_path) == []
    finally:
        _kill(socket)


@pytest.mark.parametrize("stop_signal", [signal.SIGHUP, signal.SIGTERM], ids=lambda s: s.name)
def test_a_demo_whose_terminal_closes_or_is_stopped_cleans_up(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """The demo attached to a terminal: closing the terminal (SIGHUP) or stopping the demo
    (SIGTERM) stops its apps and its tmux server and removes its folder (both used to stay)."""
    socket = f"msb-test-{uuid.uuid4().hex[:8]}"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    demo = subprocess.Popen(
        [sys.executable, "-m", "mashangban", "demo", "--socket", socket],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=_env(tmp_path),
        start_new_session=True,
    )
    os.close(slave)
    # Read the terminal, as a terminal would, so tmux never blocks on a full one.
    reader = threading.Thread(target=_drain, args=(master,), daemon=True)
    reader.start()
    try:

        def attached() -> bool:
            clients = subprocess.run(
                ["tmux", "-L", socket, "list-clients"], capture_output=True, text=True
            )
            return clients.returncode == 0 and bool(clients.stdout.strip())

        wait_for(attached, "the demo shown in its terminal", timeout=WAIT_S * 2)
        assert len(_folders(tmp_path)) == 1
        web = _web(socket)
        wait_for(lambda: _get(f"{web}/healthz")[0] == 200, "the demo's server", timeout=WAIT_S * 2)
        demo.send_signal(stop_signal)
        wait_for(lambda: demo.poll() is not None, "the demo to end")
        wait_for(lambda: _get(f"{web}/healthz")[0] == 0, "the demo's server to stop with it")
        assert not _alive(socket), "the demo's tmux server (and its apps) still run"
        assert _folders(tmp_path) == [], "the demo's folder is left behind"
        assert not _socket_file(socket).exists(), "the demo's socket file is left behind"
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        _kill(socket)
        os.close(master)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:  # the terminal closed
        pass
