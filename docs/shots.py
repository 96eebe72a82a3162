"""Shared by the screenshot scripts: an SVG screenshot to a PNG that draws Chinese and blocks.

Drawing needs cairosvg (`.venv/bin/pip install cairosvg`; not a dependency of mashangban) and a
monospace font whose Chinese is two cells wide (`fonts-wqy-microhei` or `fonts-wqy-zenhei`).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

# cairosvg draws with the first family of a list, so the one installed is picked here.
CJK_MONO = ("WenQuanYi Zen Hei Mono", "WenQuanYi Micro Hei Mono", "Noto Sans Mono CJK SC")


def cjk_mono() -> str:
    """The first CJK monospace font of CJK_MONO that fontconfig knows."""
    for family in CJK_MONO:
        found = subprocess.run(["fc-list", family, "family"], capture_output=True, text=True).stdout
        if found.strip():
            return family
    raise SystemExit(f"no CJK monospace font installed (one of {', '.join(CJK_MONO)})")


def svg_to_png(svg: Path) -> Path:
    """Convert (and remove) an SVG saved by Textual or Rich."""
    import cairosvg  # type: ignore[import-not-found]

    text = re.sub(
        r"font-family: Fira Code, monospace[^;\"]*",
        f'font-family: "{cjk_mono()}", monospace',
        svg.read_text("utf-8"),
    )
    # DejaVu draws the block characters of the big numbers.
    text = re.sub(
        r"<text ([^>]*)>([^<]*[\u2580-\u259f][^<]*)</text>",
        r'<text \1 style="font-family: DejaVu Sans Mono">\2</text>',
        text,
    )
    png = svg.with_suffix(".png")
    cairosvg.svg2png(bytestring=text.encode(), write_to=str(png))
    svg.unlink()
    print(f"wrote {png}")
    return png


MORNING = dt.datetime(2026, 11, 25, 10, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""The moment of the busy morning's pictures (MASHANGBAN_NOW for the command line)."""


def busy_morning(url: str) -> None:
    """A new database at url with the default hall on a busy morning: 40 tickets since 09:00,
    five clerks in, two serving, two called, one paused (at 09:45)."""
    from models.clerks import staff
    from models.db import make_engine
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.queue import calling, serving
    from models.queue.tickets import take_ticket
    from models.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    store_hall(engine, *read_hall_file(default_hall_path()))
    start = MORNING.replace(hour=9, minute=0)
    for n in range(40):
        queue = "MMMACCBDMA"[n % 10]
        green = "green" if n % 13 == 5 else "normal"
        take_ticket(engine, queue=queue, priority=green, now=start + dt.timedelta(minutes=n))
    for code, name, window in [
        ("1001", "王芳", 18),
        ("1002", "李明", 19),
        ("1003", "张伟", 1),
        ("1004", "刘洋", 9),
        ("1005", "陈静", 5),
    ]:
        staff.add_clerk(engine, code=code, name=name, pin="246813")
        staff.login(engine, window=window, clerk=code, pin="246813")
    moment = start + dt.timedelta(minutes=45)
    for window in (18, 19, 1, 9):
        calling.call_next(engine, window=window, now=moment)
    serving.start(engine, window=18, now=moment)
    serving.start(engine, window=1, now=moment)
    staff.pause(engine, window=5, reason="meeting", now=moment)
    engine.dispose()
