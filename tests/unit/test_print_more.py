"""Receipts for cases, the printer worker thread, and printing's bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models import settings
from models.errors import HallError
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from models.supervision.cases import open_case
from models.workdays import add_workdays
from printer.cjk import FontMissing
from printer.layout import Text
from printer.render import PrinterSpec, render
from printer.spooler import PrinterWorker, list_jobs, queue_ticket
from tests.conftest import open_window
from tests.support.escpos_decode import decode
from tests.support.waiting import wait_for

runner = CliRunner()


def with_printers(engine: Engine, printers: str) -> None:
    text = default_hall_path().read_text("utf-8")
    text = text[: text.index("[[printer]]")]
    text += '[[printer]]\nname = "counter-preview"\nkind = "preview"\n\n' + printers
    store_hall(engine, parse_hall(text), text)


def test_promised_dates_follow_the_chinese_calendar() -> None:
    # 5 working days from 30 September 2026 skip the National Day holiday (1-7 October)
    # and count Saturday 10 October, an adjusted working day.
    assert add_workdays(dt.date(2026, 9, 30), 5) == (dt.date(2026, 10, 13), False)
    # Past the calendar's data the count is Monday to Friday, and says it is provisional.
    promised, provisional = add_workdays(dt.date(2026, 12, 30), 5)
    assert promised == dt.date(2027, 1, 6) and provisional


def test_a_case_receipt_renders_through_the_cli(
    engine, db_url, now, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    take_ticket(engine, queue="D", item="D01", now=now)
    open_window(engine, 13)
    call_next(engine, window=13, now=now)
    case = open_case(engine, ticket_number="D001", now=now)
    assert case.promised_date == dt.date(2026, 12, 2) and not case.provisional  # 5 working days
    assert case.case_number == "20261125-0001" and len(case.pickup_code) == 6
    out = tmp_path / "receipt.bin"
    result = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "printer",
            "render",
            "-n",
            "D001",
            "--kind",
            "receipt",
            "--printer",
            "counter-preview",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    page = decode(out.read_bytes())
    assert "2026-12-02" in page.text and case.pickup_code in page.text
    assert page.qr_codes == [f"MSB:C:{case.case_number}:{case.pickup_code}"]
    no_case = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "printer",
            "render",
            "-n",
            "D001",
            "--kind",
            "ticket",
            "--printer",
            "nope",
            "--out",
            str(out),
        ],
    )
    assert no_case.exit_code == 1 and "unknown printer: nope" in no_case.stderr


def test_the_worker_sends_queued_jobs_in_order(engine, now, tmp_path: Path) -> None:
    spool = tmp_path / "spool.bin"
    with_printers(engine, f'[[printer]]\nname = "desk"\nkind = "file"\naddress = "{spool}"\n')
    for _ in range(3):
        take_ticket(engine, queue="M", now=now)
    jobs = [queue_ticket(engine, ticket_id=n, printer="desk") for n in (1, 2, 3)]
    worker = PrinterWorker(engine, "desk", poll_s=0.05)
    worker.start()
    try:
        wait_for(lambda: all(j.state == "done" for j in list_jobs(engine)), "the three jobs sent")
    finally:
        worker.stop()
        worker.join(5)
    assert [j.state for j in list_jobs(engine)] == ["done"] * 3
    numbers = [line.text for line in decode(spool.read_bytes()).lines if line.text[:1] == "M"]
    assert numbers == ["M001", "M002", "M003"]
    assert [j.id for j in jobs] == [1, 2, 3]


def test_a_file_printer_that_cannot_be_written_fails_clearly(engine, db_url, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with_printers(
        engine, f'[[printer]]\nname = "desk"\nkind = "file"\naddress = "{blocker}/spool.bin"\n'
    )
    result = runner.invoke(app, ["--db", db_url, "printer", "test", "desk"])
    assert result.exit_code == 1
    assert "failed" in result.stdout and "无法写入" in result.stdout


def test_unknown_profile_or_kind_in_the_hall_file_is_refused(engine) -> None:
    for printer, field in [
        ('name = "p"\nkind = "network"\naddress = "10.0.0.9"\nprofile = "NOPE-1"\n', "printer"),
        ('name = "p"\nkind = "laser"\n', "kind"),
        ('name = "p"\nkind = "usb"\naddress = "/dev/usb/lp0"\n', "printer"),
    ]:
        with pytest.raises(HallError) as info:
            with_printers(engine, "[[printer]]\n" + printer)
        assert field in info.value.en


def test_a_rare_character_without_a_cjk_font_says_which_font_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(settings.CJK_FONT.name, str(tmp_path / "missing.ttf"))
    with pytest.raises(FontMissing) as info:
        render([Text("测试𠀀")], PrinterSpec(profile="TM-T88V", charset="gbk"))
    assert info.value.key == "font_missing" and settings.CJK_FONT.name in info.value.hint
    # Text the printer's font covers needs no font at all.
    assert render([Text("测试")], PrinterSpec(profile="TM-T88V"))
