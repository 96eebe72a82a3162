"""Blocks to ESC/POS bytes for one printer: the one place bytes for paper are made.

Two text modes. Native: the printer's own GB18030 font (``ESC @``, ``FS &``, ``GS !`` sizes,
text encoded GB18030) — a ticket is then well under 1 KB. python-escpos's text encoder is not
used for Chinese: it turns CJK punctuation alone into ``?`` and mixes code pages. A line with a
character the printer's font cannot encode is drawn as an image instead, never printed as ``?``.
Raster: every line is drawn with a CJK font into a 1-bit image. Lines are measured as they print:
native text 12 dots a character whose GB18030 encoding is one byte, 24 when it is more (``·``
and ``—`` too, whatever Unicode calls their width), times the size; a drawn line by the font it
is drawn with. QR codes use the printer's own QR command when its capability profile supports
it, an image otherwise, with 4 modules of white above and below (fed when native). python-escpos's
``Dummy`` printer collects the bytes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal

import qrcode
from escpos.printer import Dummy
from PIL import Image

from models.errors import MashangbanError
from printer.cjk import dashes, draw_line, text_dots
from printer.layout import FONT_A_DOTS, QR, Block, Feed, Rule, Text, native_dots, wrap

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
CUT = GS + b"VB\x03"
"""Feed 3 lines and cut (GS V 66 n): the last line clears the cutter."""

PAPER_DOTS = {58: 384, 80: 576}
QR_MIN_MODULE_DOTS = 4
"""Below 4 dots (0.5 mm at 203 dpi) a phone camera struggles."""
QR_QUIET_MODULES = 4
"""The white a QR code needs on every side (ISO/IEC 18004), in modules."""

TextMode = Literal["native", "raster"]
Charset = Literal["gb2312", "gbk", "gb18030"]


class RenderError(MashangbanError):
    """The document cannot be printed on this printer (too narrow, unknown profile, …)."""


@dataclass(frozen=True)
class PrinterSpec:
    """What rendering needs to know of a printer."""

    profile: str = "default"
    paper_mm: int = 80
    text_mode: TextMode = "native"
    charset: Charset = "gbk"
    """What the printer's font covers in native mode."""

    @property
    def dots(self) -> int:
        """Printable width in dots."""
        return PAPER_DOTS[self.paper_mm]


def render(blocks: list[Block], spec: PrinterSpec) -> bytes:
    """The exact bytes to send for a document. Raises RenderError when it cannot fit."""
    printer = _dummy(spec)
    printer._raw(INIT)
    if spec.text_mode == "native":
        printer._raw(CHINESE_ON)
    for block in blocks:
        if isinstance(block, Text):
            _text(printer, block, spec)
        elif isinstance(block, Rule):
            _rule(printer, spec)
        elif isinstance(block, QR):
            _qr(printer, block, spec)
        elif isinstance(block, Feed):
            printer._raw(ESC + b"d" + bytes([min(block.lines, 255)]))
    printer._raw(CUT)
    return bytes(printer.output)


def _dummy(spec: PrinterSpec) -> Dummy:
    try:
        printer = Dummy(profile=spec.profile)
    except Exception as exc:  # python-escpos raises a KeyError for an unknown profile
        raise RenderError("unknown_profile", profile=spec.profile) from exc
    # Tell python-escpos the real width (on this instance only: profiles are shared classes),
    # so its image checks and centring use it.
    data = copy.deepcopy(printer.profile.profile_data)
    data["media"]["width"]["pixels"] = spec.dots
    printer.profile.profile_data = data
    return printer


def line_dots(line: str, spec: PrinterSpec, *, size: int = 1, bold: bool = False) -> int:
    """How wide a line prints on this printer: in its own font when native mode can encode it,
    else drawn (raster mode, or a character the printer's font lacks) with the CJK font."""
    if spec.text_mode == "native" and _encode(line, spec.charset) is not None:
        return native_dots(line, size)
    return text_dots(line, size=size, bold=bold)


def _rule(printer: Dummy, spec: PrinterSpec) -> None:
    """A dashed line across the whole paper: font A dashes, or a drawn one in raster mode."""
    printer._raw(ALIGN["left"])
    if spec.text_mode == "native":
        printer._raw(b"-" * (spec.dots // FONT_A_DOTS) + LF)
    else:
        _image(printer, dashes(spec.dots))


def _text(printer: Dummy, block: Text, spec: PrinterSpec) -> None:
    size = max(1, min(block.size, 8))
    printer._raw(ALIGN[block.align])
    if spec.text_mode == "native":
        printer._raw(GS + b"!" + bytes([((size - 1) << 4) | (size - 1)]))
        printer._raw(ESC + b"E" + (b"\x01" if block.bold else b"\x00"))

    def measure(line: str) -> int:
        return line_dots(line, spec, size=size, bold=block.bold)

    for line in wrap(block.text, spec.dots, measure):
        encoded = _encode(line, spec.charset) if spec.text_mode == "native" else None
        if encoded is not None:
            printer._raw(encoded + LF)
        else:
            _image(printer, draw_line(line or " ", size=size, max_dots=spec.dots, bold=block.bold))
    if spec.text_mode == "native":
        printer._raw(GS + b"!\x00" + ESC + b"E\x00")


def _encode(line: str, charset: Charset) -> bytes | None:
    """GB18030 bytes for a line the printer's font can show, else None (draw it instead)."""
    try:
        line.encode(charset)
    except UnicodeEncodeError:
        return None
    return line.encode("gb18030")


def _image(printer: Dummy, image: Image.Image) -> None:
    # ESC a (set before) aligns raster images too; GS v 0 at the image's own width is smallest.
    printer.image(
        image, impl="bitImageRaster", high_density_vertical=True, high_density_horizontal=True
    )


def _qr(printer: Dummy, block: QR, spec: PrinterSpec) -> None:
    version_modules = _modules(block.payload)
    module = min(8, (spec.dots // 2) // (version_modules + 8))
    if module < QR_MIN_MODULE_DOTS:
        raise RenderError(
            "paper_too_narrow", dots=spec.dots, need=(version_modules + 8) * QR_MIN_MODULE_DOTS * 2
        )
    printer._raw(ALIGN["center"])
    if printer.profile.supports("qrCode"):
        # The printer draws the symbol alone: feed its quiet zone above and below (ESC J n
        # feeds n dots; after the symbol it also ends the line, as LF would).
        quiet = ESC + b"J" + bytes([QR_QUIET_MODULES * module])
        printer._raw(quiet)
        printer.qr(block.payload, size=module, native=True, ec=1)  # ec 1 = level M
        printer._raw(quiet)
        return
    code = qrcode.QRCode(
        box_size=module, border=QR_QUIET_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(block.payload)
    code.make(fit=True)
    _image(printer, code.make_image().get_image().convert("1"))


def _modules(payload: str) -> int:
    """Modules per side of the payload's QR code: the version from the data length alone
    (a full encode tries all eight masks and costs ~40× more)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    return int(code.best_fit()) * 4 + 17
