"""Decode ESC/POS bytes back into meaning, so tests assert on what a printer would print.

``decode(data)`` walks the bytes as a thermal printer does and returns a :class:`Page`: every
command in order, the printed lines with alignment, size and bold, native QR payloads, raster
images, cuts and Chinese-mode changes. Each known command is parsed with its exact length, so the
walk never desyncs; an unknown or truncated sequence, a stray control byte or an out-of-range
argument raises :class:`DecodeError` with its offset: garbage never passes silently.

Text is the bytes outside commands: GB18030 in Chinese mode (``FS &`` … ``FS .``), else the
``ESC t`` code page (CP437 by default; undecodable bytes replaced). ``LF`` ends a line, ``ESC d n``
adds ``n`` lines as ``n`` LFs would. A line is aligned as set at its first character (``ESC a``
mid-line is a warning); ``width``/``height`` are its largest span's, ``bold`` is all inked text
bold. ``page_image`` stacks a page's images; ``read_qr`` reads QR codes with zxing-cpp.

The page is also laid out in dots, as a printer moves the paper: ``Page.bands`` lists every text
line, image, native QR symbol and dot feed top to bottom with its advance, its rows of ink and its
width in dots. A native character is 12 dots wide (font A) when its encoding takes one byte and 24
when it takes more (GB18030 in Chinese mode: ``·`` is two bytes, so full width), times its width
magnification; an image is as wide as it is sent. A text line advances by the line spacing
(``ESC 2``: :data:`DEFAULT_LINE_DOTS`, ``ESC 3 n``: n) or its characters' height if taller, and is
inked over its cells' full height (a conservative reading for quiet zones). ``quiet_zones`` measures
the white above and below each QR code in modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from PIL import Image

Align = Literal["left", "center", "right"]

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
_PREFIX = {ESC: "ESC", GS: "GS", FS: "FS", DLE: "DLE"}
_CONTROLS = {0x0A: "LF", 0x0D: "CR", 0x09: "HT", 0x0C: "FF"}
_TEXT = re.compile(rb"[\x20-\xff]+")
_ALIGNS: tuple[Align, ...] = ("left", "center", "right")
CODE_PAGES = {  # Epson's ESC t numbers of code pages Python decodes; others decode as CP437
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865",
    16: "cp1252", 17: "cp866", 18: "cp852", 19: "cp858",
}  # fmt: skip
QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
FONT_DOTS = (12, 24)
"""Font A: a half-width character's width and every character's height at size 1, in dots."""
DEFAULT_LINE_DOTS = 30
"""The line spacing after ``ESC @`` / ``ESC 2`` (1/6 inch; 30 dots is the smallest printers use)."""


def _arity(*groups: str) -> dict[str, int]:  # the characters of groups[n] take n arguments
    return {char: n for n, chars in enumerate(groups) for char in chars}


_FIXED = {  # the byte after the prefix -> the number of argument bytes
    ESC: _arity("@2imLS<", "aE!tdJ3M-GR{rV A+=TU%Ke?", "Bc$\\", "p") | {"W": 8},
    GS: _arity(":", "!BhwHfb|arIT/", "LWP$\\", "^"),
    FS: _arity("&.", "!-WC", "Sp"),
    DLE: {"ENQ": 1},
}


class DecodeError(ValueError):
    """Bytes that are not valid ESC/POS: unknown, truncated or out of range; ``offset`` is where."""

    def __init__(self, message: str, offset: int, data: bytes = b"") -> None:
        self.offset = offset
        around = f" (bytes: {data[max(0, offset - 8) : offset + 8].hex(' ')})" if data else ""
        super().__init__(f"{message} at offset {offset}{around}")


@dataclass(frozen=True)
class Command:
    """One command: ``name`` such as ``"ESC a"``, ``"GS ( k"``, ``"GS v 0"``, ``"LF"``, or
    ``"TEXT"`` for a run of text bytes (kept so checks of order see text too); ``args`` are the
    bytes after the name's bytes (for ``TEXT``, the text). ``offset`` is not compared."""

    name: str
    args: bytes = b""
    offset: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Span:
    """A piece of a line printed in one style."""

    text: str
    width: int
    height: int
    bold: bool
    underline: int
    inverted: bool
    chinese: bool


@dataclass(frozen=True)
class Line:
    """One printed line (ended by LF or a feed); ``spans`` (not compared) are its styled pieces."""

    text: str
    align: Align
    width: int
    height: int
    bold: bool
    spans: tuple[Span, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class QrSymbol:
    """A native QR code (GS ( k): payload, module size, EC level, model, and whether printed."""

    payload: str
    size: int
    ec: str
    model: int
    printed: bool


@dataclass(frozen=True)
class Band:
    """One printed thing laid out in dots, top to bottom: a text ``line`` (a blank one too), an
    ``image``, a native ``qr`` symbol or a ``feed``. ``top`` and ``advance`` are rows of paper;
    ``ink`` the first and last-plus-one inked rows (None: nothing inked); ``width`` the dots the
    printer must fit across; ``ink_left``/``ink_right`` the inked columns (images; text: 0 and
    width). ``module`` is a QR's module size in dots (0 for others); ``text`` a line's text."""

    kind: Literal["line", "image", "qr", "feed"]
    top: int
    advance: int
    ink: tuple[int, int] | None
    width: int
    ink_left: int = 0
    ink_right: int = 0
    module: int = 0
    text: str = ""
    image: Image.Image | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class QuietZone:
    """The white around one QR code, in modules (None: nothing printed on that side)."""

    payload: str
    module: int
    above: float | None
    below: float | None


@dataclass
class Page:
    """What one byte stream prints. ``chinese_mode`` lists the mode's changes (True = FS &)."""

    commands: list[Command] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    qr_symbols: list[QrSymbol] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    barcodes: list[bytes] = field(default_factory=list)
    cuts: int = 0
    initialised: bool = False
    chinese_mode: list[bool] = field(default_factory=list)
    raw_text_bytes: bytes = b""  # the bytes outside commands: text, and its LF and HT bytes
    warnings: list[str] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All lines' text joined with newlines."""
        return "\n".join(line.text for line in self.lines)

    def find(self, name: str) -> list[Command]:
        """The commands called ``name``, in order."""
        return [c for c in self.commands if c.name == name]


def raster_image(width_bytes: int, height: int, data: bytes, width: int = 0) -> Image.Image:
    """A mode "1" image from ESC/POS raster bytes (MSB leftmost, 1 = black), cropped to width."""
    img = Image.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")
    return img.crop((0, 0, width, height)) if 0 < width < width_bytes * 8 else img


class _Decoder:
    def __init__(self, data: bytes, chinese: bool) -> None:
        self.data, self.page, self.start_chinese, self.chinese = data, Page(), chinese, chinese
        self.text_bytes = bytearray()
        self.spans: list[Span] = []
        self.graphic: Image.Image | None = None
        self.qr_size, self.qr_ec, self.qr_model = 3, "L", 2
        self.y = 0
        self.reset()

    def reset(self) -> None:
        self.align = self.line_align = _ALIGNS[0]
        self.width = self.height = 1
        self.bold, self.underline, self.inverted, self.codepage = False, 0, False, 0
        self.line_dots = DEFAULT_LINE_DOTS
        self.set_chinese(self.start_chinese)

    def set_chinese(self, on: bool) -> None:
        if on != self.chinese:
            self.page.chinese_mode.append(on)
        self.chinese = on

    def fail(self, message: str, at: int) -> DecodeError:
        return DecodeError(message, at, self.data)

    def need(self, start: int, count: int, what: str, at: int) -> bytes:
        if start + count > len(self.data):
            left = len(self.data) - start
            raise self.fail(f"truncated {what}: needs {count} bytes, {left} left", at)
        return self.data[start : start + count]

    def block(self, start: int, count: int, what: str, at: int) -> int:  # the end of count bytes
        return start + len(self.need(start, count, what, at))

    def run(self) -> Page:
        pos = 0
        while pos < len(self.data):
            byte = self.data[pos]
            if byte in _PREFIX:
                pos = self.command(pos)
            elif byte in _CONTROLS:
                self.control(byte, pos)
                pos += 1
            elif match := _TEXT.match(self.data, pos):
                self.text(match.group(), pos)
                pos = match.end()
            else:
                raise self.fail(f"unexpected control byte 0x{byte:02x}", pos)
        if self.spans:
            self.page.warnings.append("text at the end not ended by LF")
            self.end_line()
        self.page.raw_text_bytes = bytes(self.text_bytes)
        return self.page

    def text(self, raw: bytes, at: int) -> None:
        self.page.commands.append(Command("TEXT", raw, at))
        self.text_bytes += raw
        encoding = "gb18030" if self.chinese else CODE_PAGES.get(self.codepage, "cp437")
        self.add_text(raw.decode(encoding, errors="replace"))

    def add_text(self, text: str) -> None:
        style = (self.width, self.height, self.bold, self.underline, self.inverted, self.chinese)
        span = Span(text, *style)
        if not self.spans:
            self.line_align = self.align
        if self.spans and replace(self.spans[-1], text="") == replace(span, text=""):
            self.spans[-1] = replace(span, text=self.spans[-1].text + text)
        else:
            self.spans.append(span)

    def control(self, byte: int, at: int) -> None:
        name = _CONTROLS[byte]
        self.page.commands.append(Command(name, b"", at))
        self.text_bytes += bytes([byte]) if name in ("LF", "HT") else b""
        if name == "HT":
            self.add_text("\t")
        elif name == "LF" or (name == "FF" and self.spans):
            self.end_line()

    def end_line(self, feed: int | None = None) -> None:
        """Print the line in the buffer; the paper moves by the line spacing (or ``feed`` dots)."""
        spans = tuple(self.spans)
        now = Span("", self.width, self.height, self.bold, 0, False, False)
        inked = [s for s in spans if s.text.strip()] or list(spans) or [now]
        text, width = "".join(s.text for s in spans), max(s.width for s in inked)
        height, bold = max(s.height for s in inked), all(s.bold for s in inked)
        align = self.line_align if spans else self.align
        self.page.lines.append(Line(text, align, width, height, bold, spans))
        self.spans = []
        cell_height = FONT_DOTS[1] * height
        advance = max(self.line_dots, cell_height) if feed is None else feed
        dots = sum(span_dots(s) for s in spans)
        ink = (self.y, self.y + cell_height) if text.strip() else None
        self.add_band(Band("line", self.y, advance, ink, dots, 0, dots, text=text))

    def add_band(self, band: Band) -> None:
        self.page.bands.append(band)
        self.y += band.advance

    def add_image_band(self, image: Image.Image) -> None:
        box = _ink_box(image)
        ink = (self.y + box[1], self.y + box[3]) if box else None
        left, right = (box[0], box[2]) if box else (0, 0)
        band = Band("image", self.y, image.height, ink, image.width, left, right, image=image)
        self.add_band(band)

    def command(self, at: int) -> int:
        prefix = self.data[at]
        code = self.need(at + 1, 1, _PREFIX[prefix], at)[0]
        key = chr(code) if 0x20 <= code < 0x7F else {4: "EOT", 5: "ENQ"}.get(code, f"0x{code:02x}")
        name = f"{_PREFIX[prefix]} {'SP' if key == ' ' else key}"
        fixed = _FIXED[prefix]
        end = self.block(at + 2, fixed[key], name, at) if key in fixed else 0
        if not end:
            name, end = self.variable(name, at)
        args = self.data[at + len(name.split()) : end]  # each word of a name is one byte
        self.page.commands.append(Command(name, args, at))
        self.apply(name, args, at)
        return end

    def variable(self, name: str, at: int) -> tuple[str, int]:
        """Find the end of a variable-length command; return its full name and end offset."""
        p = at + 2
        if name == "DLE EOT":  # n, and one more byte when n is 7 or 8
            return name, self.block(p + 1, self.need(p, 1, name, at)[0] in (7, 8), name, at)
        if name == "ESC *":  # m nL nH, then nL + 256 nH columns of 1 (m = 0, 1) or 3 bytes
            m, nl, nh = self.need(p, 3, name, at)
            if m not in (0, 1, 32, 33):
                raise self.fail(f"bad ESC * mode {m}", at)
            return name, self.block(p + 3, (nl + 256 * nh) * (3 if m & 32 else 1), name, at)
        if name in ("ESC D", "GS k"):  # up to NUL; GS k with m > 6 is m n data
            m = self.need(p, 1, name, at)[0]
            if name == "GS k" and m > 6:
                if not 65 <= m <= 79:
                    raise self.fail(f"bad GS k barcode type {m}", at)
                return name, self.block(p + 2, self.need(p + 1, 1, name, at)[0], name, at)
            nul = self.data.find(b"\x00", p, p + 33 if name == "ESC D" else len(self.data))
            if nul < 0:
                raise self.fail(f"{name} data without its NUL", at)
            return name, nul + 1
        if name == "GS V":  # m, and n for m = 65, 66 (and functions C, D: 97, 98, 103, 104)
            m = self.need(p, 1, name, at)[0]
            if m not in (0, 1, 48, 49, 65, 66, 97, 98, 103, 104):
                raise self.fail(f"bad GS V mode {m}", at)
            return name, self.block(p + 1, m > 49, name, at)
        if name == "GS v":
            if self.need(p, 1, name, at) != b"0":
                raise self.fail("unknown command GS v (only GS v 0 is known)", at)
            m, xl, xh, yl, yh = self.need(p + 1, 5, "GS v 0", at)
            if m not in (0, 1, 2, 3, 48, 49, 50, 51):
                raise self.fail(f"bad GS v 0 mode {m}", at)
            size = (xl + 256 * xh) * (yl + 256 * yh)
            return "GS v 0", self.block(p + 6, size, "GS v 0 raster data", at)
        if name in ("GS (", "FS (", "GS 8"):  # function letter, 2 (GS 8: 4) length bytes, data
            fn = self.need(p, 1, name, at)
            if not fn.isalpha() or (name == "GS 8" and fn != b"L"):
                raise self.fail(f"unknown command {name} {fn.decode('latin-1')!r}", at)
            name, width = f"{name} {fn.decode()}", 4 if name == "GS 8" else 2
            size = int.from_bytes(self.need(p + 1, width, f"{name} length", at), "little")
            return name, self.block(p + 1 + width, size, f"{name} data", at)
        raise self.fail(f"unknown command {name}", at)

    def apply(self, name: str, args: bytes, at: int) -> None:
        """Update the printer's state for one command."""
        page, n = self.page, args[0] if args else 0
        if name == "ESC @":
            page.warnings += [f"ESC @ at {at} discarded unprinted text"] if self.spans else []
            page.initialised, self.spans = page.initialised or at == 0, []
            self.reset()
        elif name == "ESC a":
            if n not in (0, 1, 2, 48, 49, 50):
                raise self.fail(f"bad ESC a alignment {n}", at)
            page.warnings += [f"ESC a at {at} in the middle of a line"] if self.spans else []
            self.align = _ALIGNS[n % 48]
        elif name == "ESC !":
            self.bold, self.underline = bool(n & 0x08), int(bool(n & 0x80))
            self.height, self.width = 2 if n & 0x10 else 1, 2 if n & 0x20 else 1
        elif name == "GS !":
            if n >> 4 > 7 or n & 0x0F > 7:
                raise self.fail(f"bad GS ! size 0x{n:02x}", at)
            self.width, self.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif name in ("ESC E", "GS B"):
            setattr(self, "bold" if name == "ESC E" else "inverted", bool(n & 1))
        elif name == "ESC -":
            self.underline = n % 48
        elif name == "ESC t":
            self.codepage = n
            if n not in CODE_PAGES:
                page.warnings.append(f"ESC t {n} at {at}: unknown code page, decoded as CP437")
        elif name == "ESC d":
            for _ in range(n if n else 1 if self.spans else 0):
                self.end_line()
        elif name == "ESC J":
            if self.spans:
                self.end_line(feed=n)
            else:
                self.add_band(Band("feed", self.y, n, None, 0))
        elif name in ("ESC 2", "ESC 3"):
            self.line_dots = n if name == "ESC 3" else DEFAULT_LINE_DOTS
        elif name in ("GS V", "ESC i", "ESC m"):
            if self.spans:
                page.warnings.append(f"cut at {at} with text not ended by LF")
                self.end_line()
            page.cuts += 1
        elif name in ("FS &", "FS ."):
            self.set_chinese(name == "FS &")
        elif name == "GS v 0":
            width_bytes, height = args[1] + 256 * args[2], args[3] + 256 * args[4]
            page.images.append(raster_image(width_bytes, height, args[5:]))
            self.add_image_band(page.images[-1])
        elif name == "GS k":
            page.barcodes.append(args[1:-1] if args[0] <= 6 else args[2:])
        elif name == "GS ( k":
            self.code_2d(args[2:], at)
        elif name in ("GS ( L", "GS 8 L"):
            self.graphics(args[4 if name == "GS 8 L" else 2 :], at)

    def code_2d(self, body: bytes, at: int) -> None:
        """GS ( k: cn fn parameters; cn 49 is QR (others are only recorded as commands)."""
        cn, fn, params = (body[0], body[1], body[2:]) if len(body) > 1 else (0, 0, b"")
        fn = fn if cn == 49 else 0
        if fn in (65, 67, 69, 80, 81) and not params:
            raise self.fail(f"GS ( k QR function {fn} without its parameter", at)
        if fn == 65:
            self.qr_model = params[0] - 48
        elif fn == 67:
            self.qr_size = params[0]
        elif fn == 69:
            self.qr_ec = QR_EC.get(params[0], f"?{params[0]}")
        elif fn == 80:
            payload = params[1:].decode("utf-8", errors="replace")
            self.page.qr_codes.append(payload)
            symbol = QrSymbol(payload, self.qr_size, self.qr_ec, self.qr_model, printed=False)
            self.page.qr_symbols.append(symbol)
        elif fn == 81 and self.page.qr_symbols:
            symbol = replace(self.page.qr_symbols[-1], printed=True)
            self.page.qr_symbols[-1] = symbol
            side = qr_modules(symbol.payload, symbol.ec) * symbol.size
            ink = (self.y, self.y + side) if side else None  # too much data: nothing printed
            band = Band("qr", self.y, side, ink, side, 0, side, symbol.size, symbol.payload)
            self.add_band(band)

    def graphics(self, body: bytes, at: int) -> None:
        """GS ( L: m fn ...; fn 112 stores a raster (a bx by c xL xH yL yH data), fn 50 prints."""
        fn = body[1] if len(body) > 1 else -1
        if fn == 112:
            width, height = (int.from_bytes(body[i : i + 2], "little") for i in (6, 8))
            if len(body) < 10 or len(body) - 10 != (width + 7) // 8 * height:
                raise self.fail(f"GS ( L raster of {width}x{height} has {len(body) - 10} bytes", at)
            self.graphic = raster_image((width + 7) // 8, height, body[10:], width)
        elif fn == 50 and self.graphic is not None:
            self.page.images.append(self.graphic)
            self.add_image_band(self.graphic)


def decode(data: bytes, *, chinese: bool = False) -> Page:
    """Decode ESC/POS bytes into a :class:`Page`; raise :class:`DecodeError` on garbage.

    ``chinese=True`` starts (and resets on ``ESC @``) in Chinese mode, as a Chinese printer set so
    does: python-escpos's ``text()`` sends any text with a CJK ideograph as GB18030, no ``FS &``.
    """
    return _Decoder(bytes(data), chinese).run()


def span_dots(span: Span) -> int:
    """How wide a span prints in dots: each character 12 dots when its encoding takes one byte,
    24 when more (GB18030 in Chinese mode), times the width magnification."""
    half, _ = FONT_DOTS
    if not span.chinese:
        return len(span.text) * half * span.width
    cells = sum(1 if len(ch.encode("gb18030", errors="replace")) == 1 else 2 for ch in span.text)
    return cells * half * span.width


def _ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of an image's black dots (mode "1": 0 is black)."""
    return Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()


def qr_modules(payload: str, ec: str = "M") -> int:
    """Modules per side of the QR code a printer makes of ``payload`` (byte mode, smallest
    version for the level), by the qrcode library's version table; 0 when no version holds it."""
    import qrcode

    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(error_correction=levels.get(ec, levels["M"]))
    code.add_data(payload.encode("utf-8"))
    try:
        return int(code.best_fit()) * 4 + 17
    except (qrcode.exceptions.DataOverflowError, ValueError):
        return 0  # too much for any QR code: a printer prints nothing


def band_widths(page: Page) -> list[tuple[str, int]]:
    """Each inked band's text (``"<image>"`` for an image, the payload for a QR) and its width
    in dots: what must fit across the paper."""
    return [
        (band.text if band.kind != "image" else "<image>", band.width)
        for band in page.bands
        if band.ink is not None
    ]


def quiet_zones(page: Page) -> list[QuietZone]:
    """The white above and below every QR code of the page, native or drawn, in modules.

    A drawn QR code is found in an image by reading it (zxing-cpp); its symbol is the image's
    ink and its module the top-left finder's width over 7. The white counts every band's ink,
    text cells at full height, so it is what a phone's camera sees at least.
    """
    found: list[tuple[int, str, int, int, int]] = []  # band index, payload, module, top, bottom
    for index, band in enumerate(page.bands):
        if band.kind == "qr" and band.ink is not None:
            found.append((index, band.text, band.module, *band.ink))
        elif band.kind == "image" and band.image is not None and band.ink is not None:
            payloads = read_qr(band.image)
            if payloads:
                found.append((index, payloads[0], _finder_module(band.image), *band.ink))
    zones = []
    for index, payload, module, top, bottom in found:
        above = [b.ink[1] for b in page.bands[:index] if b.ink is not None]
        below = [b.ink[0] for b in page.bands[index + 1 :] if b.ink is not None]
        zones.append(
            QuietZone(
                payload,
                module,
                (top - max(above)) / module if above else None,
                (min(below) - bottom) / module if below else None,
            )
        )
    return zones


def _finder_module(image: Image.Image) -> int:
    """A drawn QR code's module in dots: its top-left finder pattern is 7 modules wide."""
    box = _ink_box(image)
    assert box is not None
    grey = image.convert("L")
    run = 0
    while box[0] + run < image.width and grey.getpixel((box[0] + run, box[1])) < 128:
        run += 1
    return max(1, run // 7)


def page_image(page: Page) -> Image.Image:
    """The page's raster images stacked top to bottom, left-aligned, on white (mode "1")."""
    if not page.images:
        raise ValueError("the page has no images")
    width = max(img.width for img in page.images)
    canvas = Image.new("1", (width, sum(img.height for img in page.images)), 1)
    for index, img in enumerate(page.images):
        canvas.paste(img, (0, sum(above.height for above in page.images[:index])))
    return canvas


def read_qr(image: Image.Image, *, scale: int = 2, quiet_zone: int = 16) -> list[str]:
    """The payloads of the QR codes in ``image``, read by zxing-cpp after scaling the image up
    (nearest neighbour) and adding a white border of ``quiet_zone`` pixels (before scaling).
    A payload is its raw bytes as UTF-8 when they are valid UTF-8, else zxing-cpp's text."""
    import zxingcpp

    grey = image.convert("L")
    grey = grey.resize((grey.width * scale, grey.height * scale), Image.Resampling.NEAREST)
    border = quiet_zone * scale
    canvas = Image.new("L", (grey.width + 2 * border, grey.height + 2 * border), 255)
    canvas.paste(grey, (border, border))
    found = []
    for result in zxingcpp.read_barcodes(
        canvas, formats=zxingcpp.BarcodeFormats([zxingcpp.QRCode])
    ):
        try:
            found.append(bytes(result.bytes).decode("utf-8"))
        except UnicodeDecodeError:
            found.append(result.text)
    return found
