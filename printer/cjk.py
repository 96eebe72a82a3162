"""Chinese text as pictures: finding a CJK font and drawing lines into 1-bit images.

Raster mode draws every line this way; native mode only the lines with a character the
printer's own font cannot encode.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from models import settings
from models.errors import MashangbanError

BASE_DOTS = 24
"""Height of one text line at size 1 (the printer's 12×24 font A)."""

KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


class FontMissing(MashangbanError):
    """No font that can draw Chinese was found."""


def find_cjk_font() -> Path:
    """The font used to draw Chinese: $MASHANGBAN_CJK_FONT, a known path, or fontconfig's pick.

    Raises FontMissing with the install hint when there is none.
    """
    return _find_cjk_font(settings.CJK_FONT.get() or "")


@lru_cache(maxsize=4)
def _find_cjk_font(override: str) -> Path:
    if override:
        path = Path(override)
        if path.is_file():
            return path
        raise FontMissing("font_missing", hint=f"{settings.CJK_FONT.name}={override} is not a file")
    for known in KNOWN_FONTS:
        if Path(known).is_file():
            return Path(known)
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
        if found and Path(found).is_file() and "DejaVu" not in found:
            return Path(found)
    raise FontMissing(
        "font_missing",
        hint=f"install fonts-wqy-microhei or fonts-noto-cjk, or set {settings.CJK_FONT.name}",
    )


@lru_cache(maxsize=16)
def _font(path: Path, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), pixels)


def _pen(size: int, bold: bool) -> tuple[ImageFont.FreeTypeFont, int, int]:
    """The font, line height and stroke a line of this size is drawn with."""
    height = BASE_DOTS * size
    return _font(find_cjk_font(), int(height * 0.9)), height, max(1, size // 2) if bold else 0


def text_dots(text: str, *, size: int, bold: bool = False) -> int:
    """How many dots wide :func:`draw_line` draws ``text`` (its right edge, from dot 0)."""
    if not text.strip():
        return 0
    return _text_dots(find_cjk_font(), text, size, bold)


@lru_cache(maxsize=1024)
def _text_dots(path: Path, text: str, size: int, bold: bool) -> int:
    height = BASE_DOTS * size
    stroke = max(1, size // 2) if bold else 0
    box = _font(path, int(height * 0.9)).getbbox(text, anchor="lm", stroke_width=stroke)
    return max(0, int(box[2])) + 1


def draw_line(text: str, *, size: int, max_dots: int, bold: bool = False) -> Image.Image:
    """One line of text as a 1-bit image ``BASE_DOTS × size`` high, cropped to its ink width.

    The width is at most ``max_dots``; the caller wraps text (measured by :func:`text_dots`)
    so it fits.
    """
    font, height, stroke = _pen(size, bold)
    canvas = Image.new("L", (max_dots, height), 255)
    pen = ImageDraw.Draw(canvas)
    pen.text((0, height // 2), text, font=font, fill=0, anchor="lm", stroke_width=stroke)
    box = Image.eval(canvas, lambda v: 255 - v).getbbox()
    right = min(max_dots, (box[2] if box else 8) + 1)
    line = canvas.crop((0, 0, right, height))
    return line.point(lambda v: 0 if v < 128 else 255, mode="1")


def dashes(dots: int, *, height: int = BASE_DOTS, dash: int = 8, gap: int = 4) -> Image.Image:
    """A dashed rule exactly ``dots`` wide, inked from the first dot to the last, 2 dots thick
    in the middle of a line ``height`` high."""
    canvas = Image.new("1", (dots, height), 1)
    pen = ImageDraw.Draw(canvas)
    count = max(2, (dots + gap) // (dash + gap))
    for index in range(count):
        left = round(index * (dots - dash) / (count - 1))
        pen.rectangle((left, height // 2 - 1, left + dash - 1, height // 2), fill=0)
    return canvas
