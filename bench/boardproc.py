"""The board benchmark's subprocesses: the board (or its floor) in a terminal, and a counter.

``python -m bench.boardproc board DB`` runs the product's board app (muted, its clock running
from the benchmark's fixed morning) on the real terminal driver, in the pseudo-terminal the
parent gives it. ``floor DB`` runs the floor: a minimal Textual app whose thread polls the
newest event with raw sqlite3 at the board's interval and shows the newest call in a Static
with the same words. ``counter DB CALLS GAP OUT`` calls at window 18 (the counter's "next" key:
finish the current ticket, call the next) every GAP seconds or so, and writes the moment each
call began and returned, as ``time.monotonic()``: one clock for every process on Linux.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import threading
import time

from bench.common import NOW, call_at_intervals

POLL_S = 0.4
"""The board's own default polling interval (BoardSettings.poll_seconds), used by the floor."""
WINDOW = 18


def running_clock() -> dt.datetime:
    """The benchmark's morning, ticking from the moment the process started."""
    return NOW + dt.timedelta(seconds=time.monotonic() - _STARTED)


_STARTED = time.monotonic()


def board(db: str) -> None:
    from board.app import BoardSettings, create_app
    from models.db import make_engine

    engine = make_engine(db)
    create_app(BoardSettings(engine=engine, clock=running_clock, mute=True)).run()


def floor(db: str) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(id="clock")
            yield Static(id="call")

        def on_mount(self) -> None:
            self.stop = threading.Event()
            self.set_interval(1.0, self.tick)
            threading.Thread(target=self.poll, daemon=True).start()

        def on_unmount(self) -> None:
            self.stop.set()

        def tick(self) -> None:
            self.query_one("#clock", Static).update(f"{running_clock():%H:%M:%S}")

        def poll(self) -> None:
            con = sqlite3.connect(db.removeprefix("sqlite:///"))
            seen = -1
            while not self.stop.is_set():
                (seq,) = con.execute("SELECT coalesce(max(seq), 0) FROM event").fetchone()
                if seq != seen:
                    seen = seq
                    row = con.execute(
                        "SELECT t.number, e.window FROM event e JOIN ticket t "
                        "ON t.id = e.ticket_id WHERE e.kind = 'called' "
                        "ORDER BY e.seq DESC LIMIT 1"
                    ).fetchone()
                    if row:
                        text = f"请 {row[0]} 号到 {row[1]} 号窗口办理"
                        self.call_from_thread(self.query_one("#call", Static).update, text)
                self.stop.wait(POLL_S)

    Floor().run()


def counter(db: str, calls: int, gap: float, out: str) -> None:
    call_at_intervals(db, window=WINDOW, calls=calls, gap=gap, out=out, seed=6, jitter=0.4)


def main(argv: list[str]) -> None:
    role, db, *rest = argv
    if role == "board":
        board(db)
    elif role == "floor":
        floor(db)
    else:
        counter(db, int(rest[0]), float(rest[1]), rest[2])


if __name__ == "__main__":
    main(sys.argv[1:])
