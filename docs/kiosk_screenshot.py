"""Draw docs/kiosk-start.png, kiosk-checkin.png and kiosk-ticket.png at 80×24.

The kiosk's start screen, its check-in keypad and the ticket of a 马上办 item with its
materials, on a throwaway database with a clerk at window 18.
Run with `.venv/bin/python docs/kiosk_screenshot.py` (needs cairosvg: see docs/shots.py).
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
NOW = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def shoot(url: str) -> list[Path]:
    """Take a few tickets, then save the start, check-in and ticket screens."""
    from kiosk.app import KioskSettings, create_app
    from models.db import make_engine

    app = create_app(KioskSettings(engine=make_engine(url), clock=lambda: NOW))
    shots = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.8)  # the zones load in a worker
        for zone in ("#zone-M", "#zone-A", "#zone-M", "#zone-C", "#zone-M"):
            await pilot.click(zone)
            await pilot.pause(0.6)
            await pilot.click("#done")
            await pilot.pause(0.3)
        await pilot.pause(2.5)  # the waiting counts refresh
        shots.append(Path(app.save_screenshot(str(HERE / "kiosk-start.svg"))))
        await pilot.click("#checkin")
        await pilot.pause(0.6)
        for key in "AP1001":
            await pilot.click(f"#key-{key}")
        await pilot.click("#key-ok")
        await pilot.pause(1.0)
        shots.append(Path(app.save_screenshot(str(HERE / "kiosk-checkin.svg"))))
        await pilot.press("escape")
        await pilot.pause(0.6)
        await pilot.click("#items")
        await pilot.pause(0.8)
        app.screen.query_one("#item-M05").scroll_visible(animate=False)
        await pilot.pause(0.3)
        await pilot.click("#item-M05")
        await pilot.pause(1.5)
        shots.append(Path(app.save_screenshot(str(HERE / "kiosk-ticket.svg"))))
    return shots


def main() -> None:
    """Prepare a hall database, shoot, convert to PNG with a CJK monospace font."""
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
        staff.login(engine, window=18, clerk="1001", pin="246813")
        engine.dispose()
        shots = asyncio.run(shoot(url))
    for svg in shots:
        svg_to_png(svg)


if __name__ == "__main__":
    main()
