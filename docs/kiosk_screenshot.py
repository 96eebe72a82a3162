"""Draw docs/kiosk.png: the kiosk's start screen and a ticket, on a throwaway database.

Run with `.venv/bin/python docs/kiosk_screenshot.py` (the PNG needs cairosvg installed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
NOW = dt.datetime(2026, 11, 25, 10, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def shoot(url: str) -> list[Path]:
    """Take a few tickets, then save the start and ticket screens."""
    from kiosk.app import KioskSettings, create_app
    from models.db import make_engine

    app = create_app(KioskSettings(engine=make_engine(url), clock=lambda: NOW))
    shots = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.8)  # the zones load in a worker
        for zone in ("#zone-M", "#zone-A", "#zone-M", "#zone-C", "#zone-M"):
            await pilot.click(zone)
            await pilot.pause(0.6)
            await pilot.click("#done")
            await pilot.pause(0.3)
        await pilot.pause(2.5)  # the waiting counts refresh
        shots.append(Path(app.save_screenshot(str(HERE / "kiosk-start.svg"))))
        await pilot.click("#zone-M")
        await pilot.pause(1.0)
        shots.append(Path(app.save_screenshot(str(HERE / "kiosk-ticket.svg"))))
    return shots


def main() -> None:
    """Prepare a hall database, shoot, convert to PNG with a CJK monospace font."""
    from models.db import make_engine
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MASHANGBAN_PREVIEW_DIR"] = tmp
        url = f"sqlite:///{tmp}/demo.db"
        engine = make_engine(url)
        upgrade(engine)
        store_hall(engine, *read_hall_file(default_hall_path()))
        engine.dispose()
        shots = asyncio.run(shoot(url))
    import cairosvg  # type: ignore[import-not-found]

    for svg in shots:
        # A monospace font whose Chinese is two cells wide; DejaVu draws the block characters.
        text = svg.read_text("utf-8").replace(
            "font-family: Fira Code, monospace", 'font-family: "WenQuanYi Zen Hei Mono", monospace'
        )
        text = re.sub(
            r"<text ([^>]*)>([^<]*[\u2580-\u259f][^<]*)</text>",
            r'<text \1 style="font-family: DejaVu Sans Mono">\2</text>',
            text,
        )
        cairosvg.svg2png(bytestring=text.encode(), write_to=str(svg.with_suffix(".png")))
        svg.unlink()
        print(f"wrote {svg.with_suffix('.png')}")


if __name__ == "__main__":
    main()
