"""Draw docs/demo.png: `mashangban demo` after a ticket was taken, called and shown.

Starts the demo in the background (its own tmux server), takes A and M at the kiosk, presses n
at the counter,
then puts the three panes (captured with their colours) back together in one picture.
Run with `.venv/bin/python docs/demo_screenshot.py` (needs cairosvg and tmux: see docs/shots.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from shots import svg_to_png

HERE = Path(__file__).parent
SOCKET = f"mashangban-demo-shot-{os.getpid()}"  # a tmux server of its own for each run
WIDTH, HEIGHT = 176, 44


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)
    return done.stdout


def shown(pane: str, text: str, *, deadline_s: float = 60) -> None:
    """Wait until the pane shows the text (the apps start slowly on a busy machine)."""
    end = time.monotonic() + deadline_s
    while text not in tmux("capture-pane", "-p", "-t", pane):
        if time.monotonic() > end:
            raise SystemExit(
                f"pane {pane} never showed {text!r}:\n" + tmux("capture-pane", "-p", "-t", pane)
            )
        time.sleep(0.3)


def click(pane: str, label: str) -> None:
    """An SGR mouse click in the middle of the first line showing the label (once shown)."""
    shown(pane, label)
    for row, line in enumerate(tmux("capture-pane", "-p", "-t", pane).splitlines()):
        if label in line:
            col = cell_len(line[: line.index(label)]) + cell_len(label) // 2 + 1
            tmux("send-keys", "-t", pane, "-l", f"\x1b[<0;{col};{row + 1}M\x1b[<0;{col};{row + 1}m")
            return


def compose() -> Text:
    """The window as a person sees it: each pane's coloured text at its place, with borders."""
    layout = tmux(
        "list-panes", "-t", "demo", "-F",
        "#{pane_id} #{pane_left} #{pane_top} #{pane_width} #{pane_height}",
    )  # fmt: skip
    panes = []
    for line in layout.splitlines():
        pane, left, top, width, height = line.split()
        rows = Text.from_ansi(tmux("capture-pane", "-e", "-p", "-t", pane)).split("\n")
        panes.append((int(left), int(top), int(width), int(height), rows))
    picture = []
    for y in range(HEIGHT):
        row = Text()
        for x, top, width, height, rows in sorted(panes, key=lambda p: p[0]):
            if not top <= y < top + height:
                if top == y + 1 or top + height == y:  # the line between stacked panes
                    row.append(" " * (x - row.cell_len) + "─" * width, "grey50")
                continue
            row.append(" " * (x - row.cell_len - 1) + ("│" if x else ""), "grey50")
            part = rows[y - top].copy() if y - top < len(rows) else Text()
            part.truncate(width, pad=True)
            row.append_text(part)
        picture.append(row)
    return Text("\n").join(picture)


def main() -> None:
    started = subprocess.run(
        [sys.executable, "-m", "mashangban", "demo", "--detach", "--socket", SOCKET],
        check=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": str(WIDTH), "LINES": str(HEIGHT + 1)},
        capture_output=True,
        text=True,
    )
    folder = re.findall(r"folder (\S+)\)", started.stdout)
    try:
        shown("demo:0.2", "1001")  # the counter is logged in
        shown("demo:0.0", "0 人等候")  # the kiosk's zones are loaded
        click("demo:0.0", "A 不动产登记")
        click("demo:0.0", "完成")
        click("demo:0.0", "M 马上办")
        shown("demo:0.0", "M001")
        time.sleep(1)  # the print state settles
        tmux("send-keys", "-t", "demo:0.2", "n")
        shown("demo:0.1", "M001")  # the board shows the call
        time.sleep(1)
        picture = compose()
    finally:
        tmux("kill-server")
        socket = Path(f"/tmp/tmux-{os.getuid()}/{SOCKET}")  # tmux leaves it behind
        socket.unlink(missing_ok=True)
        for path in folder:
            subprocess.run(["rm", "-rf", path], check=False)
    console = Console(record=True, width=WIDTH, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(picture, crop=True, overflow="crop", no_wrap=True)
    svg = HERE / "demo.svg"
    console.save_svg(str(svg), title="make run  →  mashangban demo")
    svg_to_png(svg)


if __name__ == "__main__":
    main()
