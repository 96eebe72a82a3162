"""Rendering tickets and receipts to ESC/POS, read back by the test decoder for meaning."""

from __future__ import annotations

import datetime as dt

import pytest

from models.hall import default_hall_path, read_hall_file
from models.supervision.cases import CaseView
from models.views.ticket import TicketView
from printer.documents import receipt_blocks, ticket_blocks, ticket_qr
from printer.layout import QR, Text, cell_width, wrap
from printer.render import PrinterSpec, RenderError, render
from tests.support.escpos_decode import decode, page_image, read_qr
from tests.support.sample import TOKEN, ticket

SETTINGS = read_hall_file(default_hall_path())[0].hall


def native(view: TicketView, *, profile: str = "TM-T88V", paper: int = 80, **kw: object) -> bytes:
    spec = PrinterSpec(profile=profile, paper_mm=paper, text_mode="native", **kw)  # type: ignore[arg-type]
    return render(ticket_blocks(view, SETTINGS, paper_mm=paper), spec)


def test_native_ticket_reads_back_in_chinese_with_sizes_and_a_cut() -> None:
    data = native(ticket())
    page = decode(data)
    assert page.initialised and page.chinese_mode[:1] == [True]
    texts = [line.text for line in page.lines]
    assert "马上办" in texts and "Instant service" in texts
    number = next(line for line in page.lines if line.text == "M023")
    assert (number.width, number.height, number.bold, number.align) == (6, 6, True, "center")
    zone = next(line for line in page.lines if line.text == "马上办")
    assert (zone.width, zone.height) == (2, 2)
    assert any("前面还有 12 人" in t and "12 ahead of you" in t for t in texts)
    assert any("约 60 分钟" in t for t in texts)
    assert any(t.startswith("2026-11-25 10:00 星期三") for t in texts)
    assert page.qr_codes == [ticket_qr(TOKEN)]
    assert page.cuts == 1 and page.find("GS V")  # the cut is the last thing
    assert page.commands[-1].name == "GS V"
    assert "?" not in page.text  # no character was lost to an encoder
    assert len(data) <= 1024


def test_chinese_punctuation_survives_native_mode() -> None:
    view = ticket(queue_name_zh="民生事务（含公积金）：“测试”、。")
    page = decode(native(view))
    # 16 wide characters at double size wrap onto two lines of 12 cells each
    assert "民生事务（含公积金）：“测试”、。" in "".join(line.text for line in page.lines)


def test_a_character_outside_the_printers_font_is_drawn_not_printed_as_a_question_mark() -> None:
    rare = "𠀀"  # outside GBK: a GBK printer has no glyph for it
    view = ticket(queue_name_zh=f"测试{rare}窗口")
    page = decode(native(view, charset="gbk"))
    assert all(rare not in line.text and "?" not in line.text for line in page.lines)
    assert page.images, "the line with the rare character is sent as a picture"
    # A printer whose font covers GB18030 gets it as text.
    assert f"测试{rare}窗口" in [
        line.text for line in decode(native(view, charset="gb18030")).lines
    ]


def test_profile_without_native_qr_gets_a_qr_image_that_scans() -> None:
    page = decode(native(ticket(), profile="POS-5890", paper=58))
    assert page.qr_codes == []
    assert read_qr(page_image(page)) == [ticket_qr(TOKEN)]
    number = next(line for line in page.lines if line.text == "M023")
    assert number.width == 4  # smaller on 58 mm paper


def test_raster_ticket_is_all_pictures_and_the_qr_reads_back() -> None:
    spec = PrinterSpec(profile="POS-5890", paper_mm=80, text_mode="raster")
    data = render(ticket_blocks(ticket(), SETTINGS, paper_mm=80), spec)
    page = decode(data)
    assert not [line.text for line in page.lines if line.text.strip()]
    assert len(page.images) >= 8
    assert all(img.width <= 576 for img in page.images)
    assert read_qr(page_image(page)) == [ticket_qr(TOKEN)]
    native_qr = render(
        ticket_blocks(ticket(), SETTINGS), PrinterSpec(profile="TM-T88V", text_mode="raster")
    )
    assert len(native_qr) <= 16 * 1024


def test_with_a_public_url_the_printed_qr_opens_the_tickets_page() -> None:
    hall = SETTINGS.model_copy(update={"public_url": "https://queue.example.cn"})
    url = f"https://queue.example.cn/t/{TOKEN}"
    native_page = decode(render(ticket_blocks(ticket(), hall), PrinterSpec(profile="TM-T88V")))
    assert native_page.qr_codes == [url]
    for paper in (80, 58):
        raster = PrinterSpec(profile="POS-5890", paper_mm=paper, text_mode="raster")
        blocks = ticket_blocks(ticket(), hall, paper_mm=paper)
        assert read_qr(page_image(decode(render(blocks, raster)))) == [url]
    assert ticket_qr(TOKEN) == f"MSB:T:{TOKEN}"  # without one, as before


def test_reprint_is_marked() -> None:
    page = decode(render(ticket_blocks(ticket(), SETTINGS, reprint=True), PrinterSpec("TM-T88V")))
    assert page.lines[0].text == "补打 REPRINT" and page.lines[0].bold


def test_receipt_carries_case_promised_date_and_pickup_code() -> None:
    case = CaseView(
        case_number="20261125-0007",
        number="D012",
        item="D01",
        item_zh="道路运输经营许可证",
        item_en="Road transport business licence",
        window=13,
        clerk="1002",
        accepted_at=dt.datetime(2026, 11, 25, 10, 30),
        promised_date=dt.date(2026, 12, 2),
        provisional=False,
        pickup_code="482913",
        state="accepted",
    )
    page = decode(render(receipt_blocks(case, SETTINGS), PrinterSpec("TM-T88V")))
    text = page.text
    for expected in (
        "受理回执",
        "20261125-0007",
        "道路运输经营许可证",
        "Window: 13",
        "1002",
        "2026-12-02",
        "482913",
    ):
        assert expected in text
    assert page.qr_codes == ["MSB:C:20261125-0007:482913"]


@pytest.mark.parametrize("paper", [58, 80])
def test_long_lines_wrap_within_the_paper(paper: int) -> None:
    view = ticket(queue_name_en="A very long English zone name that cannot fit on one line " * 2)
    page = decode(native(view, paper=paper))
    cells = {58: 32, 80: 48}[paper]
    for line in page.lines:
        assert cell_width(line.text) * line.width <= cells, line


def test_wrap_counts_chinese_as_two_cells() -> None:
    assert wrap("一二三四五六", 6) == ["一二三", "四五六"]
    assert wrap("hello world again", 11) == ["hello world", "again"]


def test_unknown_profile_and_too_narrow_paper_are_refused() -> None:
    with pytest.raises(RenderError) as info:
        render([Text("x")], PrinterSpec(profile="NO-SUCH"))
    assert info.value.key == "unknown_profile"
    with pytest.raises(RenderError) as info:
        render([QR("x" * 1500)], PrinterSpec(profile="TM-T88V", paper_mm=58))
    assert info.value.key == "paper_too_narrow" and "QR" in info.value.en
