"""Printed paper measured in dots: every line, image and QR code of the real hall's tickets,
receipts and 办结单 fits the paper as the printer prints it, QR codes keep their quiet zone and
the separator spans the paper. The bytes come from python-escpos's Dummy (printer.render) and are
read back by tests/support/escpos_decode, which lays them out as a printer does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text as RichText
from sqlmodel import select
from typer.testing import CliRunner

from mashangban import app
from models.db import writing
from models.hall import default_hall_path, parse_hall, read_hall_file, store_hall
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.cases import CaseView
from models.tables import PrintJob
from printer.documents import receipt_blocks, ticket_blocks
from printer.layout import Rule, Text, wrap
from printer.preview import preview
from printer.render import PrinterSpec, render
from printer.spooler import queue_job
from tests.conftest import open_window
from tests.support.escpos_decode import Page, band_widths, decode, quiet_zones
from tests.support.sample import ticket

CONFIG = read_hall_file(default_hall_path())[0]
SETTINGS = CONFIG.hall
DOTS = {58: 384, 80: 576}
LONGEST_ITEM = max(CONFIG.item, key=lambda item: len(item.name_zh) + len(item.name_en))
LONGEST_QUEUE = max(CONFIG.queue, key=lambda queue: len(queue.name_zh) + len(queue.name_en))
PRINTERS = [
    pytest.param(paper, mode, profile, id=f"{paper}mm-{mode}-{profile}")
    for paper in (58, 80)
    for mode in ("native", "raster")
    for profile in ("TM-T88V", "POS-5890")  # with and without the printer's own QR command
]


RECEIPT = CaseView(
    case_number="20261125-0007",
    number="D012",
    item=LONGEST_ITEM.code,
    item_zh=LONGEST_ITEM.name_zh,
    item_en=LONGEST_ITEM.name_en,
    window=13,
    clerk="1002",
    accepted_at=dt.datetime(2026, 11, 25, 10, 30),
    promised_date=dt.date(2026, 12, 2),
    provisional=True,
    pickup_code="482913",
    state="accepted",
)
SLIP = dataclasses.replace(
    RECEIPT, promised_date=None, provisional=False, pickup_code="", state="done"
)


def documents(paper: int) -> dict[str, list]:
    """The real hall's documents at their longest: a green-channel reprint of its longest zone,
    a receipt and an instant item's 办结单 for its longest item (reprints, clerk unknown)."""
    long_ticket = ticket(
        queue_name_zh=LONGEST_QUEUE.name_zh,
        queue_name_en=LONGEST_QUEUE.name_en,
        number=f"{LONGEST_QUEUE.prefix}123",
        priority="green",
        ahead=123,
        eta_minutes=240,
    )
    return {
        "ticket": ticket_blocks(ticket(), SETTINGS, paper_mm=paper),
        "long ticket": ticket_blocks(long_ticket, SETTINGS, paper_mm=paper, reprint=True),
        "receipt": receipt_blocks(RECEIPT, SETTINGS, reprint=True),
        "receipt, no clerk": receipt_blocks(dataclasses.replace(RECEIPT, clerk=None), SETTINGS),
        "slip": receipt_blocks(SLIP, SETTINGS),
    }


def printed(blocks: list, paper: int, mode: str, profile: str) -> Page:
    spec = PrinterSpec(profile=profile, paper_mm=paper, text_mode=mode)  # type: ignore[arg-type]
    return decode(render(blocks, spec), chinese=mode == "native")


@pytest.mark.parametrize(("paper", "mode", "profile"), PRINTERS)
def test_every_printed_line_fits_the_paper(paper: int, mode: str, profile: str) -> None:
    # The hall's header and footer hold "·", two bytes in GB18030: full width on the printer.
    for name, blocks in documents(paper).items():
        page = printed(blocks, paper, mode, profile)
        too_wide = [(text, dots) for text, dots in band_widths(page) if dots > DOTS[paper]]
        assert not too_wide, f"{name}: {too_wide} wider than {DOTS[paper]} dots"


def test_the_hall_header_and_footer_break_between_words_on_58_mm() -> None:
    page = printed(ticket_blocks(ticket(), SETTINGS, paper_mm=58), 58, "native", "TM-T88V")
    lines = [line.text for line in page.lines]
    assert "济南市政务服务中心 · 一窗受理" in lines and "马上办" in lines
    assert "请留意叫号" in lines  # the footer's last words are not cut (请留意 / 叫号)
    assert all(dots <= 384 for text, dots in band_widths(page) if text.startswith(("济南", "只进")))


@pytest.mark.parametrize(("paper", "mode", "profile"), PRINTERS)
def test_qr_codes_have_four_modules_of_quiet_zone(paper: int, mode: str, profile: str) -> None:
    for name, blocks in documents(paper).items():
        (zone,) = quiet_zones(printed(blocks, paper, mode, profile))
        assert zone.above is not None and zone.above >= 4, (name, zone)
        assert zone.below is None or zone.below >= 4, (name, zone)


@pytest.mark.parametrize(("paper", "mode", "profile"), PRINTERS)
def test_the_separator_spans_the_paper(paper: int, mode: str, profile: str) -> None:
    page = printed([Rule()], paper, mode, profile)
    (rule,) = [band for band in page.bands if band.ink is not None]
    assert (rule.ink_left, rule.ink_right) == (0, DOTS[paper])
    assert rule.width == DOTS[paper]


def test_an_instant_items_slip_has_no_pickup_code() -> None:
    page = printed(receipt_blocks(SLIP, SETTINGS), 80, "native", "TM-T88V")
    assert "办结单" in page.text
    assert "当场办结，已当面交付" in page.text and "handed over" in page.text.lower()
    assert "取件码" not in page.text and "pickup" not in page.text.lower()
    assert page.qr_codes == ["MSB:C:20261125-0007"]


def test_a_drawn_line_is_measured_with_its_font_and_never_cut_at_the_paper_edge() -> None:
    # 30 capital Ws count 30 cells of 32, but the CJK font draws them wider than 384 dots.
    page = printed([Text("W" * 30, align="left")], 58, "raster", "POS-5890")
    drawn = [band for band in page.bands if band.ink is not None]
    assert len(drawn) == 2, "the line wraps instead of being cut"
    assert all(band.ink_right < DOTS[58] for band in drawn)


# ---- the command line ---------------------------------------------------------------------

runner = CliRunner()


def cli(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, *args], env={"COLUMNS": "80"})
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout + result.stderr


def test_a_receipt_renders_for_its_windows_printer_not_the_kiosks(
    engine, db_url, now, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The windows print on a 58 mm raster printer, the kiosk on an 80 mm native one.
    text = default_hall_path().read_text("utf-8")
    text = text[: text.index("[[printer]]")]
    text += (
        '[[printer]]\nname = "counter-preview"\nkind = "preview"\nprofile = "POS-5890"\n'
        'paper_mm = 58\ntext_mode = "raster"\n\n'
        '[[printer]]\nname = "kiosk-preview"\nkind = "preview"\nprofile = "TM-T88V"\n\n'
        '[[kiosk]]\nid = "K1"\nprinter = "kiosk-preview"\n'
    )
    store_hall(engine, parse_hall(text), text)
    monkeypatch.setenv("MASHANGBAN_NOW", now.isoformat())
    take_ticket(engine, queue="D", item="D01", now=now)
    open_window(engine, 13)
    call_next(engine, window=13, now=now)
    finish(engine, window=13, now=now)  # opens the case: 5 working days
    out = tmp_path / "receipt.bin"
    code, said = cli(
        db_url, "printer", "render", "-n", "D001", "--kind", "receipt", "--out", str(out)
    )
    assert code == 0 and "counter-preview, raster, 58 mm" in said, said
    page = decode(out.read_bytes())
    assert page.images and not [line for line in page.lines if line.text.strip()]
    assert max(width for _, width in band_widths(page)) <= DOTS[58]
    # --printer still wins; a ticket still renders for the kiosk's printer.
    code, said = cli(db_url, "printer", "render", "-n", "D001", "--kind", "receipt",
                     "--printer", "kiosk-preview", "--out", str(out))  # fmt: skip
    assert code == 0 and "kiosk-preview, native, 80 mm" in said
    code, said = cli(db_url, "printer", "render", "-n", "D001", "--out", str(out))
    assert code == 0 and "kiosk-preview" in said


def test_print_jobs_are_listed_in_the_halls_local_time(
    engine, db_url, now, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T02:05:09+00:00")  # 10:05:09 in Jinan
    queue_job(engine, kind="test", printer="kiosk-preview", payload=b"\x1b@test\n")
    code, out = cli(db_url, "print-jobs", "list", "--json")
    assert code == 0 and json.loads(out)[0]["created_at"] == "2026-11-25T10:05:09+08:00"
    code, out = cli(db_url, "print-jobs", "list")
    assert code == 0 and "10:05:09" in out and "02:05" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    # A failed job's error, the next day: every column still readable at 80 columns.
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-26T01:00:00+00:00")
    with writing(engine) as session:
        job = session.exec(select(PrintJob)).one()
        job.state, job.attempts = "failed", 2
        job.last_error = "连接被拒绝 / connection refused (192.168.100.250:9100)"
        job.printer = "kiosk-preview-2nd-floor"
    code, out = cli(db_url, "print-jobs", "list")
    assert "\\x0a" not in out
    assert code == 0 and max(cell_len(line) for line in out.splitlines()) <= 80, out
    for shown in ("11-25 10:05", "kiosk-preview-2nd-f", "failed", "2×", "192.168.100.2", "refused"):
        assert shown in out, out


def test_chinese_punctuation_never_starts_a_line() -> None:
    assert wrap("一二三四五，六七", 10) == ["一二三四", "五，六七"]
    assert wrap("请到一号窗口。谢谢", 12) == ["请到一号窗", "口。谢谢"]


@pytest.mark.parametrize("paper", [58, 80])
def test_the_terminal_preview_breaks_lines_where_the_paper_does(paper: int) -> None:
    # "·" is one cell in a terminal but full width on paper: the preview follows the paper.
    crowded = Text("一二三四五六七八九十一二三四五 · 六", align="left")
    for name, blocks in {**documents(paper), "crowded": [crowded]}.items():
        panel = preview(blocks, paper_mm=paper)
        shown = [part.plain for part in panel.renderable.renderables if isinstance(part, RichText)]
        on_paper = [line.text for line in printed(blocks, paper, "native", "TM-T88V").lines]

        def words(lines: list[str]) -> list[str]:
            # large Latin print is spaced out on a terminal; rules and blank lines differ
            return [line.replace(" ", "") for line in lines if line.strip(" -─")]

        qr_free = [line for line in shown if not set(line) & set("▀▄█")]
        assert words(qr_free) == words(on_paper), name
    if paper == 58:  # 15 characters, a space and "·" are 33 half widths: "·" goes on
        assert "一二三四五六七八九十一二三四五" in shown and "· 六" in shown
