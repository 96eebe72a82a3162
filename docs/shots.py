"""Shared by the screenshot scripts: an SVG screenshot to a PNG that draws Chinese and blocks."""

from __future__ import annotations

import re
from pathlib import Path


def svg_to_png(svg: Path) -> Path:
    """Convert (and remove) an SVG saved by Textual or Rich; needs cairosvg installed."""
    import cairosvg  # type: ignore[import-not-found]

    # A monospace font whose Chinese is two cells wide; DejaVu draws the block characters.
    text = svg.read_text("utf-8").replace(
        "font-family: Fira Code, monospace", 'font-family: "WenQuanYi Zen Hei Mono", monospace'
    )
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
