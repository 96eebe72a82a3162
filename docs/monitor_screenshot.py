"""Draw docs/monitor.png: the hall manager's monitor at 80×24 on the busy morning of status.png.

Run with `.venv/bin/python docs/monitor_screenshot.py` (needs cairosvg: see docs/shots.py).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from shots import MORNING, busy_morning, svg_to_png

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))


async def shoot(url: str) -> Path:
    from models.db import make_engine
    from monitor.app import MonitorSettings, create_app

    app = create_app(MonitorSettings(engine=make_engine(url), clock=lambda: MORNING))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(2.0)  # the first read runs in a worker
        return Path(app.save_screenshot(str(HERE / "monitor.svg")))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        busy_morning(url)
        svg = asyncio.run(shoot(url))
    svg_to_png(svg)


if __name__ == "__main__":
    main()
