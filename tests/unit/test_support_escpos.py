"""The ESC/POS decoder of tests/support: bytes from python-escpos and by hand decode to meaning."""

from __future__ import annotations

import pytest
from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_M
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from tests.support.escpos_decode import (
    Command,
    DecodeError,
    Line,
    band_widths,
    decode,
    page_image,
    quiet_zones,
    read_qr,
)

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
CALL = "请 M023 号到 18 号窗口办理，谢谢！"
URL = "https://mashangban.example/t/370102-20261125-M023"


def dummy() -> Dummy:
    """A python-escpos Dummy that starts like a real job (ESC @)."""
    printer = Dummy()
    printer.hw("INIT")
    return printer


def test_text_round_trips() -> None:
    printer = dummy()
    printer.text("Ticket M023\n")
    printer.textln("Café 2 waiting")
    printer.ln(2)
    page = decode(printer.output)
    assert page.initialised
    assert [line.text for line in page.lines] == ["Ticket M023", "Café 2 waiting", "", ""]
    assert page.text == "Ticket M023\nCafé 2 waiting\n\n"
    # python-escpos picks CP437 (ESC t 0) before the first text and sends é as 0x82.
    assert page.find("ESC t") == [Command("ESC t", b"\x00")]
    assert page.raw_text_bytes == b"Ticket M023\nCaf\x82 2 waiting\n\n\n"
    assert page.warnings == []


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 2), (3, 1), (1, 4), (8, 8)])
def test_custom_sizes(width: int, height: int) -> None:
    printer = dummy()
    printer.set(custom_size=True, width=width, height=height)
    printer.textln("M023")
    assert printer.output.startswith(
        ESC + b"@" + GS + b"!" + bytes([(width - 1) << 4 | height - 1])
    )
    (line,) = decode(printer.output).lines
    assert (line.text, line.width, line.height) == ("M023", width, height)


def test_alignment_bold_and_double_sizes() -> None:
    printer = dummy()
    printer.set(align="center", bold=True, custom_size=True, width=2, height=2)
    printer.textln("M023")
    printer.set(align="right", bold=False, double_width=True, double_height=True)
    printer.textln("quad")
    printer.set(align="left", normal_textsize=True)
    printer.textln("small")
    printer.set(double_height=True)
    printer.textln("tall")
    lines = decode(printer.output).lines
    assert [(ln.text, ln.align, ln.width, ln.height, ln.bold) for ln in lines] == [
        ("M023", "center", 2, 2, True),
        ("quad", "right", 2, 2, False),
        ("small", "left", 1, 1, False),
        ("tall", "left", 1, 2, False),
    ]


def test_ascii_digit_alignment_and_esc_bang_bold() -> None:
    data = ESC + b"@" + ESC + b"a2" + ESC + b"!\x08" + b"right bold\n" + ESC + b"a1" + b"mid\n"
    lines = decode(data).lines
    assert [(ln.text, ln.align, ln.bold) for ln in lines] == [
        ("right bold", "right", True),
        ("mid", "center", True),
    ]


def test_chinese_call_line() -> None:
    data = (
        ESC + b"@" + FS + b"&" + ESC + b"a\x01" + GS + b"!\x11"
        + CALL.encode("gb18030") + b"\n"
        + GS + b"!\x00" + ESC + b"a\x00" + "谢谢".encode("gb18030") + b"\n" + FS + b"."
    )  # fmt: skip
    page = decode(data)
    assert page.lines[0] == Line(CALL, "center", 2, 2, False)
    assert page.lines[0].spans[0].chinese
    assert (page.lines[1].text, page.lines[1].align, page.lines[1].width) == ("谢谢", "left", 1)
    assert page.chinese_mode == [True, False]
    assert page.initialised and page.cuts == 0


def test_dummy_sends_chinese_as_gb18030_without_fs_ampersand() -> None:
    # python-escpos's text() encodes any text with a CJK ideograph as GB18030 and sends no FS &:
    # only a printer already in Chinese mode prints it right.
    printer = Dummy()
    printer.text(CALL + "\n")
    assert printer.output == CALL.encode("gb18030") + b"\n"
    assert decode(printer.output).lines[0].text != CALL  # CP437 mojibake
    page = decode(printer.output, chinese=True)
    assert page.lines[0].text == CALL
    assert page.chinese_mode == []


def test_mixed_styles_on_one_line() -> None:
    data = b"No. " + ESC + b"E\x01" + GS + b"!\x11" + b"M023" + GS + b"!\x00" + ESC + b"E\x00\n"
    (line,) = decode(data).lines
    assert (line.text, line.width, line.height, line.bold) == ("No. M023", 2, 2, False)
    assert [(s.text, s.bold, s.width) for s in line.spans] == [
        ("No. ", False, 1),
        ("M023", True, 2),
    ]


def test_native_qr() -> None:
    printer = dummy()
    printer.qr(URL, native=True, size=6, ec=QR_ECLEVEL_M)
    printer.qr(CALL, native=True, ec=QR_ECLEVEL_H)
    page = decode(printer.output)
    assert page.qr_codes == [URL, CALL]
    assert [(q.size, q.ec, q.model, q.printed) for q in page.qr_symbols] == [
        (6, "M", 2, True),
        (3, "H", 2, True),
    ]
    assert [c.name for c in page.commands[1:6]] == ["GS ( k"] * 5
    assert page.images == []


def test_qr_as_image_reads_back() -> None:
    printer = dummy()
    printer.qr(URL, native=False)
    printer.qr(CALL, native=False, size=4)
    page = decode(printer.output)
    assert page.qr_codes == []  # an image, not a native QR
    assert len(page.images) == 2 and page.find("GS v 0")
    # qr(native=False) wraps the image in one LF before and two after.
    assert [line.text for line in page.lines] == [""] * 6
    assert read_qr(page.images[0]) == [URL]
    assert read_qr(page.images[1]) == [CALL]
    assert sorted(read_qr(page_image(page))) == sorted([URL, CALL])


def pattern(width: int, height: int) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0)
    draw.line((0, 0, width - 1, height - 1), fill=0)
    draw.point((width - 2, 1), fill=0)
    return image


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.convert("L").tobytes() == b.convert("L").tobytes()


def test_raster_image_round_trips() -> None:
    printer = dummy()
    printer.image(pattern(21, 9))
    page = decode(printer.output)
    (image,) = page.images
    assert image.size == (24, 9)  # padded to whole bytes
    assert same_pixels(image.crop((0, 0, 21, 9)), pattern(21, 9))
    assert image.crop((21, 0, 24, 9)).getbbox() == (0, 0, 3, 9)  # the padding is white
    assert same_pixels(page_image(page), image)


def test_graphics_and_column_images() -> None:
    printer = dummy()
    printer.image(pattern(21, 9), impl="graphics")
    printer.image(pattern(30, 40), impl="bitImageColumn")
    printer.textln("after")
    page = decode(printer.output)
    assert [c.name for c in page.commands if c.name.startswith("GS ( L")] == ["GS ( L"] * 2
    assert len(page.find("ESC *")) == 2  # two 24-dot stripes, data skipped exactly
    (image,) = page.images  # GS ( L keeps the exact width
    assert same_pixels(image, pattern(21, 9))
    assert page.lines[-1].text == "after"
    stacked = page_image(decode(printer.output + GS + b"v0\x00\x01\x00\x02\x00\xff\x80"))
    assert stacked.size == (21, 11) and stacked.getpixel((0, 10)) == 0


def test_cuts_and_feeds() -> None:
    printer = dummy()
    printer.textln("M023")
    printer.cut()
    printer.cut(mode="PART")
    printer.cut(feed=False)
    page = decode(printer.output)
    assert page.cuts == 3
    assert [c for c in page.commands if c.name in ("ESC d", "GS V")] == [
        Command("ESC d", b"\x06"),
        Command("GS V", b"\x00"),
        Command("ESC d", b"\x06"),
        Command("GS V", b"\x01"),
        Command("GS V", b"B\x00"),
    ]
    assert len(page.lines) == 1 + 6 + 6
    page = decode(b"abc" + ESC + b"d\x03" + ESC + b"J\x10" + b"x" + ESC + b"J\x10")
    assert [line.text for line in page.lines] == ["abc", "", "", "x"]


def test_other_python_escpos_commands_parse() -> None:
    printer = dummy()
    printer.set(underline=1, invert=True, font="b", smooth=True, flip=False, density=3)
    printer.line_spacing(30)
    printer.line_spacing()
    printer.buzzer()
    printer.cashdraw(2)
    printer.control("HT")
    printer.barcode("4006381333931", "EAN13")
    printer.barcode("{B012345", "CODE128", function_type="B")
    printer.charcode("CP1252")
    printer.text("€\n")
    page = decode(printer.output + b"\x10\x04\x01")
    assert page.barcodes == [b"4006381333931", b"{B012345"]
    assert page.lines[-1].text == "€"
    assert page.lines[-1].spans[0].underline == 1 and page.lines[-1].spans[0].inverted
    assert page.commands[-1] == Command("DLE EOT", b"\x01")
    for name in ("ESC 3", "ESC 2", "ESC B", "ESC p", "ESC D", "GS k", "GS B", "ESC -", "ESC t"):
        assert page.find(name), name


@pytest.mark.parametrize(
    ("data", "offset", "message"),
    [
        (b"ok\n" + GS + b"v0\x00\x02\x00\x02\x00\xff\xff\xff", 3, "truncated GS v 0 raster"),
        (GS + b"(k\x08\x001P0abc", 0, "truncated GS ( k data"),
        (b"ok" + ESC, 2, "truncated ESC"),
        (ESC + b"a", 0, "truncated ESC a"),
        (b"\n" + ESC + b"Z\x00", 1, "unknown command ESC Z"),
        (b"ab\x01cd", 2, "unexpected control byte 0x01"),
        (GS + b"!\x88", 0, "bad GS ! size"),
        (ESC + b"a\x07", 0, "bad ESC a alignment"),
        (GS + b"V\x07", 0, "bad GS V mode"),
        (FS + b"x", 0, "unknown command FS x"),
        (b"\x10\x07", 0, "unknown command DLE 0x07"),
        (GS + b"(L\x0b\x000p0\x01\x011\x08\x00\x02\x00\xff", 0, "GS ( L raster of 8x2"),
    ],
)
def test_garbage_raises(data: bytes, offset: int, message: str) -> None:
    with pytest.raises(DecodeError, match=message.replace("(", r"\(")) as caught:
        decode(data)
    assert caught.value.offset == offset


def test_truncation_anywhere_raises_or_decodes_a_prefix() -> None:
    printer = dummy()
    printer.set(align="center", custom_size=True, width=2, height=2)
    printer.textln("M023")
    printer.qr(URL, native=True)
    printer.image(pattern(16, 4))
    printer.cut()
    data = printer.output
    for end in range(len(data)):
        try:
            decode(data[:end])
        except DecodeError as error:
            assert error.offset < end


def test_warnings_and_command_offsets() -> None:
    page = decode(b"ab" + ESC + b"a\x01cd\n" + b"tail")
    assert page.lines[0] == Line("abcd", "left", 1, 1, False)
    assert page.lines[1].align == "center"
    assert len(page.warnings) == 2  # ESC a mid-line, and text at the end without LF
    assert [(c.name, c.offset) for c in page.commands] == [
        ("TEXT", 0),
        ("ESC a", 2),
        ("TEXT", 5),
        ("LF", 7),
        ("TEXT", 8),
    ]
    assert not page.initialised


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list(b"\x1b\x1d\x1c\x10\n\x04(kLv0V!a@*\x00\x01\xffAp1P2")), max_size=40
    )
)
def test_any_bytes_decode_or_raise_decode_error(data: list[int]) -> None:
    try:
        decode(bytes(data))
    except DecodeError as error:
        assert 0 <= error.offset < len(data)


def test_bands_measure_widths_in_dots_and_quiet_zones_in_modules() -> None:
    printer = dummy()
    printer._raw(FS + b"&" + GS + b"!\x11")  # Chinese mode, double size
    printer._raw("马上办·A".encode("gb18030") + b"\n")  # 4 two-byte characters, 1 one-byte
    printer._raw(GS + b"!\x00" + ESC + b"3\x28")  # size 1, line spacing 40 dots
    printer._raw(b"\n" + ESC + b"J\x10")  # a blank line, then 16 dots
    printer.qr("MSB:T:1", size=4, native=True)
    printer._raw(ESC + b"J\x20" + "叫号".encode("gb18030") + b"\n")
    printer.image(Image.new("1", (100, 10), 0), impl="bitImageRaster")
    page = decode(printer.output)
    assert [(b.kind, b.width) for b in page.bands] == [
        ("line", (4 * 24 + 12) * 2), ("line", 0), ("feed", 0), ("qr", 21 * 4),
        ("feed", 0), ("line", 48), ("image", 104),
    ]  # fmt: skip
    big, blank, feed, qr, after, call, image = page.bands
    assert big.ink == (0, 48) and big.advance == 48  # taller than the line spacing
    assert blank.ink is None and blank.advance == 40 and feed.advance == 16
    assert qr.top == 48 + 40 + 16 and qr.module == 4 and after.advance == 32
    assert call.ink == (qr.top + 84 + 32, qr.top + 84 + 32 + 24)
    assert (image.ink_left, image.ink_right, image.width) == (0, 100, 104)
    (zone,) = quiet_zones(page)
    assert (zone.payload, zone.above, zone.below) == ("MSB:T:1", (40 + 16) / 4, 32 / 4)
    assert band_widths(page)[0] == ("马上办·A", 216)
