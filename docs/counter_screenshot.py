"""Draw docs/counter.png: the counter's desk serving a 社会事务 item, on a throwaway database.

Run with `.venv/bin/python docs/counter_screenshot.py` (the PNG needs cairosvg installed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from shots import svg_to_png

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
NOW = dt.datetime(2026, 11, 25, 10, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def shoot(url: str) -> Path:
    """A clerk at window 13 finishes a case, calls the next and serves it for 13 minutes."""
    from counter.app import CounterSettings, create_app
    from models.db import make_engine
    from models.queue.tickets import take_ticket

    engine = make_engine(url)
    take_ticket(engine, item="D01", now=NOW - dt.timedelta(minutes=30))
    take_ticket(engine, item="D03", priority="green", now=NOW - dt.timedelta(minutes=25))
    for minutes in (20, 15, 9, 4):
        take_ticket(engine, queue="D", now=NOW - dt.timedelta(minutes=minutes))
    clock = [NOW]
    settings = CounterSettings(engine=engine, window=13, clerk="1001", clock=lambda: clock[0])
    app = create_app(settings)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause(0.5)
        await pilot.press(*"246813", "enter")
        await pilot.pause(1.0)
        for key in ("n", "s", "f", "n", "s"):
            await pilot.press(key)
            await pilot.pause(0.6)
            clock[0] += dt.timedelta(minutes=6)
        clock[0] += dt.timedelta(minutes=7)
        await pilot.pause(1.2)
        return Path(app.save_screenshot(str(HERE / "counter.svg")))


def main() -> None:
    """Prepare a hall database with a clerk, shoot, convert to PNG with a CJK monospace font."""
    from models.clerks import staff
    from models.db import make_engine
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MASHANGBAN_PREVIEW_DIR"] = tmp
        url = f"sqlite:///{tmp}/demo.db"
        engine = make_engine(url)
        upgrade(engine)
        store_hall(engine, *read_hall_file(default_hall_path()))
        staff.add_clerk(engine, code="1001", name="王芳", pin="246813")
        engine.dispose()
        svg = asyncio.run(shoot(url))
    svg_to_png(svg)


if __name__ == "__main__":
    main()
