"""`mashangban demo`: the kiosk, a counter and the board side by side in one terminal.

A fresh SQLite database in a temporary folder (the Jinan hall, open at any hour; clerk 1001
王芳 with PIN 246813), the on-screen preview printers, and three panes of a private tmux server:
the kiosk on the left, the board top right and the counter of window 18 (马上办) below it.
Closing the demo (ctrl+b d, or quitting the panes) stops the apps and removes the folder.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    """A prepared demo: its folder, database and tmux server."""

    folder: Path
    db: Path
    socket: str

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command on the demo's own server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )


def demo_hall() -> tuple[HallConfig, str]:
    """The Jinan hall, open every day around the clock: a newcomer can take a ticket at any hour.

    The default hall keeps office hours on working days, so at night or on a Sunday its kiosk
    would only say that the hall is closed.
    """
    text = default_hall_path().read_text(encoding="utf-8")
    for key, value in (("open_days", '"every-day"'), ("hours", '["00:00-24:00"]')):
        text, found = re.subn(
            rf"(?m)^{key} = .*$", f"{key} = {value}  # the demo: open at any hour", text, count=1
        )
        assert found == 1, f"the default hall has no {key} line"
    return parse_hall(text, source="demo hall"), text


def prepare(folder: Path, socket: str) -> Demo:
    """Create the demo database: the default hall (open at any hour) and one clerk."""
    db = folder / "demo.db"
    engine = make_engine(str(db))
    secret.create_key(folder / "hall.key")  # the demo hall's own key, gone with the folder
    try:
        with settings.setting(settings.KEY_FILE, str(folder / "hall.key")):
            upgrade(engine)
            store_hall(engine, *demo_hall())
            staff.add_clerk(engine, code=DEMO_CLERK, name=DEMO_NAME, pin=DEMO_PIN)
    finally:
        engine.dispose()
    return Demo(folder=folder, db=db, socket=socket)


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
    """Open the three panes (detached)."""
    demo.tmux(
        "new-session", "-d", "-s", "demo", "-x", str(width), "-y", str(height),
        _command(demo, "kiosk"),
    )  # fmt: skip
    demo.tmux("set-option", "-t", "demo", "mouse", "on")  # a click is a tap on the kiosk
    demo.tmux("set-option", "-t", "demo", "status-left", commands.line("demo_status"))
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


def panes(demo: Demo) -> dict[str, str]:
    """The pane ids by app: kiosk, board, counter."""
    out = demo.tmux("list-panes", "-t", "demo", "-F", "#{pane_id}").stdout.split()
    return dict(zip(("kiosk", "board", "counter"), out, strict=False))


def stop(demo: Demo) -> None:
    """Stop the apps and the demo's tmux server, and remove the folder."""
    demo.tmux("kill-server", check=False)
    shutil.rmtree(demo.folder, ignore_errors=True)


@app.command()
def demo(
    detach: bool = typer.Option(
        False, "--detach", help="Leave the demo running in the background (prints how to stop)."
    ),
    socket: str = typer.Option("mashangban-demo", "--socket", help="The tmux server's name."),
) -> None:
    """Kiosk, counter and board side by side on a fresh database: take, call, see, hear."""
    if shutil.which("tmux") is None:
        raise MashangbanError("demo_needs_tmux")
    size = shutil.get_terminal_size((160, 45))
    folder = Path(tempfile.mkdtemp(prefix="mashangban-demo-"))
    try:
        running = prepare(folder, socket)
        running.tmux("kill-server", check=False)  # a demo left over from before
        start(running, width=max(size.columns, 120), height=max(size.lines, 36))
    except (MashangbanError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if detach:
        console.print(f"✓ demo running: tmux -L {socket} attach   (folder {folder})")
        console.print(f"  stop: tmux -L {socket} kill-server; rm -r {folder}")
        return
    try:
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}  # also from inside tmux
        subprocess.run(["tmux", "-L", socket, "attach", "-t", "demo"], env=env, check=False)
    finally:
        stop(running)
