"""`mashangban demo`: the kiosk, a counter and the board side by side in one terminal.

A fresh SQLite database in a temporary folder (the Jinan hall, open at any hour; clerk 1001
王芳 with PIN 246813), the on-screen preview printers, and three panes of a private tmux server:
the kiosk on the left, the board top right and the counter of window 18 (马上办) below it.
The hall server (``mashangban serve``) runs in a second tmux window on a free loopback port:
the status line names the browser board's address, and the hall's ``public_url`` points there,
so a ticket's QR code opens its live page.
Closing the demo (ctrl+b d, or quitting the panes), closing its terminal (SIGHUP) or stopping
it (SIGTERM) stops the apps and removes the folder.

Each demo has a tmux server of its own, named after its folder, so two people on one machine
can each run one; a server named with ``--socket`` that is already running is refused, never
killed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import typer

from mashangban import app
from mashangban.output import console
from models import secret, settings
from models.clerks import staff
from models.db import make_engine
from models.errors import MashangbanError
from models.hall import HallConfig, default_hall_path, parse_hall, store_hall
from models.schema import upgrade
from models.text import commands

DEMO_CLERK, DEMO_NAME, DEMO_PIN, DEMO_WINDOW = "1001", "王芳", "246813", 18


@dataclass(frozen=True)
class Demo:
    """A prepared demo: its folder, database, tmux server and the hall server's port."""

    folder: Path
    db: Path
    socket: str
    port: int = 0
    """The hall server's loopback port (0: none chosen)."""

    @property
    def web(self) -> str:
        """The hall server's address (the board is at /board, a ticket's page at /t/<token>)."""
        return f"http://127.0.0.1:{self.port}"

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command on the demo's own server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    @property
    def socket_path(self) -> Path:
        """Where tmux puts the server's socket (``tmux -L``: TMUX_TMPDIR or /tmp)."""
        base = os.environ.get("TMUX_TMPDIR") or "/tmp"
        return Path(base) / f"tmux-{os.getuid()}" / self.socket

    def tmux_attached(self, env: dict[str, str]) -> None:
        """Show the demo in this terminal until it is detached or its server stops."""
        subprocess.run(["tmux", "-L", self.socket, "attach", "-t", "demo"], env=env, check=False)


def demo_hall(web: str = "") -> tuple[HallConfig, str]:
    """The Jinan hall, open every day around the clock: a newcomer can take a ticket at any hour.
    With ``web`` (the demo's hall server), tickets' QR codes open their live page there.

    The default hall keeps office hours on working days, so at night or on a Sunday its kiosk
    would only say that the hall is closed.
    """
    text = default_hall_path().read_text(encoding="utf-8")
    for key, value in (("open_days", '"every-day"'), ("hours", '["00:00-24:00"]')):
        text, found = re.subn(
            rf"(?m)^{key} = .*$", f"{key} = {value}  # the demo: open at any hour", text, count=1
        )
        assert found == 1, f"the default hall has no {key} line"
    if web:
        text, found = re.subn(
            r"(?m)^# public_url = .*$", f'public_url = "{web}"  # the demo\'s server', text, count=1
        )
        assert found == 1, "the default hall has no public_url line"
    return parse_hall(text, source="demo hall"), text


def free_port() -> int:
    """A loopback port nobody listens on now (for the demo's hall server)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(folder: Path, socket: str, port: int = 0) -> Demo:
    """Create the demo database: the default hall (open at any hour; with a port, its tickets'
    QR codes open their page on the demo's server) and one clerk."""
    db = folder / "demo.db"
    running = Demo(folder=folder, db=db, socket=socket, port=port)
    engine = make_engine(str(db))
    secret.create_key(folder / "hall.key")  # the demo hall's own key, gone with the folder
    try:
        with settings.setting(settings.KEY_FILE, str(folder / "hall.key")):
            upgrade(engine)
            store_hall(engine, *demo_hall(running.web if port else ""))
            staff.add_clerk(engine, code=DEMO_CLERK, name=DEMO_NAME, pin=DEMO_PIN)
    finally:
        engine.dispose()
    return running


def _command(demo: Demo, *args: str) -> str:
    """A pane's shell command: this Python's mashangban on the demo database."""
    env = {
        settings.DB.name: str(demo.db),
        settings.PREVIEW_DIR.name: str(demo.folder / "preview"),
        settings.KEY_FILE.name: str(demo.folder / "hall.key"),
        settings.WITNESS.name: str(demo.folder / "witness.log"),
        "TERM": os.environ.get("TERM", "xterm-256color"),
    }
    if "counter" in args:
        env[settings.PIN.name] = DEMO_PIN
    assigned = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    program = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "mashangban", *args))
    # The panes are split after they start: wait for the final size before drawing.
    return f"sleep 0.5; exec env {assigned} {program}"


def start(demo: Demo, *, width: int, height: int) -> None:
    """Open the three panes (detached). A tmux server of that name that is running already
    (another demo on the same ``--socket``) makes the first command fail and is left alone; a
    failure after it stops the server this call started."""
    demo.tmux(
        "new-session", "-d", "-s", "demo", "-x", str(width), "-y", str(height),
        _command(demo, "kiosk"),
    )  # fmt: skip
    try:
        _lay_out(demo)
    except BaseException:
        demo.tmux("kill-server", check=False)
        raise


def _lay_out(demo: Demo) -> None:
    demo.tmux("set-option", "-t", "demo", "mouse", "on")  # a click is a tap on the kiosk
    status = commands.line("demo_status")
    if demo.port:
        status += commands.line("demo_web", url=demo.web)
    demo.tmux("set-option", "-t", "demo", "status-left", status)
    demo.tmux("set-option", "-t", "demo", "status-left-length", "80")
    demo.tmux(
        "set-option", "-t", "demo", "status-right",
        commands.line("demo_counter", window=DEMO_WINDOW, clerk=DEMO_CLERK, pin=DEMO_PIN),
    )  # fmt: skip
    demo.tmux("set-option", "-t", "demo", "status-right-length", "120")
    board = demo.tmux(
        "split-window", "-h", "-t", "demo", "-p", "50", "-P", "-F", "#{pane_id}",
        _command(demo, "board"),
    ).stdout.strip()  # fmt: skip
    demo.tmux(
        "split-window", "-v", "-t", board, "-p", "55",
        _command(demo, "counter", "--window", str(DEMO_WINDOW), "--clerk", DEMO_CLERK),
    )  # fmt: skip
    demo.tmux("select-pane", "-t", "demo:0.0")
    if demo.port:  # a window of its own (not shown): stopped with the tmux server, as the apps
        demo.tmux(
            "new-window", "-d", "-t", "demo:", "-n", "server",
            _command(demo, "serve", "--port", str(demo.port)),
        )  # fmt: skip


def panes(demo: Demo) -> dict[str, str]:
    """The pane ids by app: kiosk, board, counter."""
    out = demo.tmux("list-panes", "-t", "demo", "-F", "#{pane_id}").stdout.split()
    return dict(zip(("kiosk", "board", "counter"), out, strict=False))


def stop(demo: Demo) -> None:
    """Stop the apps and the demo's tmux server, and remove its socket file and the folder."""
    demo.tmux("kill-server", check=False)
    # tmux leaves the socket file behind, and each demo has a name of its own.
    if demo.socket_path.is_socket() and not busy(demo.socket):
        demo.socket_path.unlink(missing_ok=True)
    shutil.rmtree(demo.folder, ignore_errors=True)


def busy(socket: str) -> bool:
    """True when a tmux server of that name is running with a session (someone's demo)."""
    found = subprocess.run(
        ["tmux", "-L", socket, "list-sessions"], capture_output=True, text=True, check=False
    )
    return found.returncode == 0


STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""The terminal closed, or someone stopped the demo: either way the demo cleans up."""


@dataclass
class _Stopping:
    """What the demo does on SIGHUP or SIGTERM: while it starts, stop at once (the caller's
    cleanup runs); once attached, stop the tmux server, so the attached client exits by itself
    and gives the terminal back as it found it, and the cleanup follows."""

    demo: Demo
    started: bool = False
    """The demo's tmux server runs (ours to stop)."""
    attached: bool = False
    """This terminal shows the demo (the demo runs until it is detached or stopped)."""
    signal: int | None = field(default=None)
    """The stop signal received, if any."""

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signal = signum
        if not self.attached:
            raise SystemExit(128 + signum)
        self.demo.tmux("kill-server", check=False)


@contextmanager
def _cleaned_up(demo: Demo) -> Iterator[_Stopping]:
    """Run the demo with SIGHUP and SIGTERM stopping it; :func:`stop` on the way out unless it
    is left running (``stopping.attached`` stays False and no error happened: --detach). A
    server this demo did not start is never stopped."""
    stopping = _Stopping(demo)
    before = {sig: signal.signal(sig, stopping) for sig in STOP_SIGNALS}
    try:
        yield stopping
    except BaseException:
        if stopping.started:
            stop(demo)
        else:
            shutil.rmtree(demo.folder, ignore_errors=True)
        raise
    else:
        if stopping.attached:
            stop(demo)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    if stopping.signal is not None:
        raise SystemExit(128 + stopping.signal)


@app.command()
def demo(
    detach: bool = typer.Option(
        False, "--detach", help="Leave the demo running in the background (prints how to stop)."
    ),
    socket: str | None = typer.Option(
        None,
        "--socket",
        help="The tmux server's name (default: one of the demo's own, named after its folder).",
    ),
) -> None:
    """Kiosk, counter and board side by side on a fresh database: take, call, see, hear."""
    if shutil.which("tmux") is None:
        raise MashangbanError("demo_needs_tmux")
    if socket is not None and busy(socket):
        raise MashangbanError("demo_socket_busy", socket=socket)
    size = shutil.get_terminal_size((160, 45))
    folder = Path(tempfile.mkdtemp(prefix="mashangban-demo-"))
    running = Demo(
        folder=folder, db=folder / "demo.db", socket=socket or folder.name, port=free_port()
    )
    with _cleaned_up(running) as stopping:
        try:
            prepare(folder, running.socket, running.port)
            start(running, width=max(size.columns, 120), height=max(size.lines, 36))
            stopping.started = True
        except subprocess.CalledProcessError as exc:
            # Another demo that took the same --socket a moment ago, or tmux itself failing.
            detail = (exc.stderr or "").strip() or f"exit status {exc.returncode}"
            raise MashangbanError("demo_tmux_failed", detail=detail) from None
        if detach:
            console.print(f"✓ demo running: tmux -L {running.socket} attach   (folder {folder})")
            console.print(f"  stop: tmux -L {running.socket} kill-server; rm -r {folder}")
            console.print(commands.line("demo_web_detached", url=running.web))
            return
        stopping.attached = True
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}  # also from inside tmux
        running.tmux_attached(env)
