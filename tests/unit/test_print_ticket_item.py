"""The kiosk ticket names the chosen item and what to bring, and says when no window is open."""

from __future__ import annotations

from models.hall import default_hall_path, read_hall_file
from models.views.ticket import TicketView
from printer.documents import MATERIALS_PRINTED, ticket_blocks
from printer.render import PAPER_DOTS, PrinterSpec, render
from tests.support import sample
from tests.support.escpos_decode import band_widths, decode

SETTINGS = read_hall_file(default_hall_path())[0].hall
MATERIALS = ("居民身份证原件", "居民户口簿原件", "无犯罪记录证明申请表", "用途说明或单位介绍信")


def ticket(**changes: object) -> TicketView:
    """A ticket for item M08 (无犯罪记录证明), four materials, two windows open."""
    base: dict[str, object] = dict(
        item="M08",
        ahead=4,
        eta_minutes=20,
        open_windows=2,
        item_name_zh="无犯罪记录证明",
        item_name_en="Certificate of no criminal record",
        materials=MATERIALS,
    )
    base.update(changes)
    return sample.ticket(**base)


def printed_lines(view: TicketView, paper: int = 58) -> list[tuple[str, int]]:
    spec = PrinterSpec(profile="TM-T88V", paper_mm=paper, text_mode="native")
    page = decode(render(ticket_blocks(view, SETTINGS, paper_mm=paper), spec))
    return [(line.text, line.width) for line in page.lines]


def bands(view: TicketView, paper: int = 58) -> list[tuple[str, int]]:
    """Each printed band's text and its width in dots, as the printer prints it."""
    spec = PrinterSpec(profile="TM-T88V", paper_mm=paper, text_mode="native")
    return band_widths(decode(render(ticket_blocks(view, SETTINGS, paper_mm=paper), spec)))


def test_the_ticket_names_the_item_and_lists_the_first_materials_on_58mm() -> None:
    lines = printed_lines(ticket())
    texts = [text for text, _size in lines]
    assert "事项 Item: 无犯罪记录证明" in texts
    assert "Certificate of no criminal record" in " ".join(texts)  # wrapped to the paper
    assert "请带齐材料 Please bring:" in texts
    for n, name in enumerate(MATERIALS[:MATERIALS_PRINTED], 1):
        assert f"{n}. {name}" in texts
    assert not any(MATERIALS[3] in t for t in texts)  # the fourth is counted, not printed
    too_wide = [(text, dots) for text, dots in bands(ticket()) if dots > PAPER_DOTS[58]]
    assert not too_wide  # the whole ticket stays inside 384 dots


def test_a_zone_ticket_has_no_item_lines() -> None:
    texts = [t for t, _ in printed_lines(ticket(item=None, item_name_zh=None, materials=()))]
    assert not any("事项" in t or "材料" in t for t in texts)


def test_with_no_window_open_the_ticket_says_so_instead_of_a_wait() -> None:
    texts = [t for t, _ in printed_lines(ticket(open_windows=0), paper=80)]
    assert any("本区暂无窗口开放" in t for t in texts)
    assert not any("预计等候" in t for t in texts)
