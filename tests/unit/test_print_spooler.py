"""Print jobs against fake network printers on 127.0.0.1: faults, failover, retry, reprint.

Whatever the printer does, the ticket stays issued and visible, the job's state says what
happened, and nothing is printed twice without the 补打 REPRINT mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from mashangban import app
from models.db import reading
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.tickets import take_ticket, ticket_by_token
from models.tables import Event, PrintJob
from printer.documents import ticket_qr
from printer.spooler import JobView, print_ticket_at_kiosk, reprint, retry
from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakePrinter


@pytest.fixture
def printers() -> Iterator[tuple[FakePrinter, FakePrinter]]:
    with FakePrinter() as main, FakePrinter() as backup:
        yield main, backup


def hall_with(engine: Engine, main: FakePrinter, backup: FakePrinter | None) -> None:
    """The Jinan hall with kiosk K1 printing on the fake printers."""
    text = (
        f'[[printer]]\nname = "kiosk-net"\nkind = "network"\n'
        f'address = "127.0.0.1:{main.port}"\nprofile = "TM-T88V"\ntimeout_s = 1.0\n\n'
    )
    if backup is not None:
        text += (
            f'[[printer]]\nname = "kiosk-backup"\nkind = "network"\n'
            f'address = "127.0.0.1:{backup.port}"\nprofile = "TM-T20II"\npaper_mm = 58\n'
            "timeout_s = 1.0\n\n"
        )
    text += '[[kiosk]]\nid = "K1"\nprinter = "kiosk-net"\n'
    if backup is not None:
        text += 'backup_printer = "kiosk-backup"\n'
    load(engine, text)


def load(engine: Engine, printers: str) -> None:
    """Store the Jinan hall with these printer and kiosk tables instead of its own."""
    text = default_hall_path().read_text("utf-8")
    text = text[: text.index("[[printer]]")]
    text += '[[printer]]\nname = "counter-preview"\nkind = "preview"\n\n' + printers
    store_hall(engine, parse_hall(text), text)


def take_and_print(engine: Engine, now: object) -> tuple[str, JobView]:
    view = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
    return view.token, print_ticket_at_kiosk(engine, token=view.token)


def printed_lines(data: bytes) -> list[str]:
    return [line.text for line in decode(data).lines]


def event_kinds(engine: Engine) -> list[str]:
    with reading(engine) as session:
        return list(session.exec(select(Event.kind).order_by(col(Event.seq))).all())


def test_a_ticket_prints_with_status_checked_before_and_after(engine, now, printers) -> None:
    main, backup = printers
    hall_with(engine, main, backup)
    token, job = take_and_print(engine, now)
    assert (job.state, job.printer, job.attempts, job.number) == ("done", "kiosk-net", 1, "M001")
    lines = printed_lines(main.printed())
    assert "M001" in lines and "马上办" in lines
    assert decode(main.printed()).qr_codes == [ticket_qr(token)]
    assert main.status_queries == [1, 2, 4, 1, 2, 4]
    assert backup.printed() == b""
    kinds = event_kinds(engine)
    assert kinds[-4:] == ["issued", "print_queued", "print_sent", "print_done"]


def test_an_offline_printer_fails_over_to_the_backup(engine, now, printers) -> None:
    main, backup = printers
    hall_with(engine, main, backup)
    main.online = False
    _, job = take_and_print(engine, now)
    assert (job.state, job.printer) == ("done", "kiosk-backup")
    assert main.printed() == b""
    page = decode(backup.printed())
    number = next(line for line in page.lines if line.text == "M001")
    assert number.width == 4  # re-rendered for the backup's 58 mm paper
    assert "print_failover" in event_kinds(engine)


def test_paper_out_without_backup_keeps_the_ticket_and_a_retry_prints_it_once(
    engine, now, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.paper = "out"
    token, job = take_and_print(engine, now)
    assert job.state == "failed" and "paper out" in job.last_error and "缺纸" in job.last_error
    assert ticket_by_token(engine, token).status == "waiting"  # the ticket stands
    assert main.printed() == b""
    main.paper = "ok"
    again = retry(engine, job.id)
    assert (again.id, again.state, again.attempts) == (job.id, "done", 2)
    lines = printed_lines(main.printed())
    assert lines.count("M001") == 1 and "补打 REPRINT" not in lines


def test_cover_open_is_reported(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.cover_open = True
    _, job = take_and_print(engine, now)
    assert job.state == "failed" and "cover open" in job.last_error


def test_paper_near_end_prints_and_warns_staff(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.paper = "near_end"
    _, job = take_and_print(engine, now)
    assert job.state == "done"
    assert "printer_warning" in event_kinds(engine)


def test_a_disconnect_mid_job_is_uncertain_and_the_retry_is_marked_reprint(
    engine, now, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.disconnect_after_bytes = 120
    token, job = take_and_print(engine, now)
    assert job.state == "uncertain"
    cut_short = main.printed()
    assert 0 < len(cut_short) <= 120
    again = retry(engine, job.id)
    assert again.id != job.id and again.reprint and again.state == "done"
    lines = printed_lines(main.printed()[len(cut_short) :])  # the second connection's job
    assert lines[0] == "补打 REPRINT" and "M001" in lines
    assert ticket_by_token(engine, token).status == "waiting"


def test_a_printer_that_never_answers_status_leaves_the_job_uncertain(
    engine, now, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.silent_status = True
    _, job = take_and_print(engine, now)
    # An empty reply is "unknown", never "paper OK": the ticket was sent, but not confirmed.
    assert job.state == "uncertain" and "no status reply" in job.last_error
    assert "M001" in printed_lines(main.received())


def test_a_one_way_printer_is_done_when_sent(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    load(
        engine,
        f'[[printer]]\nname = "kiosk-net"\nkind = "network"\naddress = "127.0.0.1:{main.port}"\n'
        'two_way = false\n\n[[kiosk]]\nid = "K1"\nprinter = "kiosk-net"\n',
    )
    main.silent_status = True
    _, job = take_and_print(engine, now)
    assert job.state == "done" and main.status_queries == []


def test_a_slow_link_still_prints(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.delay_per_kb = 0.3
    _, job = take_and_print(engine, now)
    assert job.state == "done" and "M001" in printed_lines(main.printed())


def test_a_printer_that_is_off_fails_and_nothing_is_lost(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.refuse_connections = True
    token, job = take_and_print(engine, now)
    assert job.state == "failed" and "kiosk-net" in job.last_error
    assert ticket_by_token(engine, token).number == "M001"
    main.refuse_connections = False
    assert retry(engine, job.id).state == "done"


def test_reprint_on_request_is_marked(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    take_and_print(engine, now)
    marked = reprint(engine, ticket_id=1, number="M001")
    assert marked.reprint and marked.state == "done"
    lines = printed_lines(main.printed())
    assert lines.count("M001") == 2 and lines.count("补打 REPRINT") == 1


def test_a_reprint_from_the_slip_prints_the_ticket_the_citizen_holds_now(
    engine, db_url, now, printers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk's 'reprint last ticket' and ``reprint -n MSB:T:…`` (a scanned slip) after the
    citizen was transferred to zone C keeping the number: the live ticket, on the slip's printer."""
    from models.queue.calling import call_next
    from models.queue.serving import transfer
    from printer.care import reprint_by_token
    from tests.conftest import open_window

    main, _ = printers
    hall_with(engine, main, None)
    token, _ = take_and_print(engine, now)
    open_window(engine, 18, "1001")
    call_next(engine, window=18, now=now)
    moved = transfer(engine, window=18, to_queue="C", now=now)
    job = reprint_by_token(engine, token=token)
    assert (job.state, job.reprint, job.printer, job.number) == ("done", True, "kiosk-net", "M001")

    def printed_ticket() -> int | None:
        with reading(engine) as session:
            return session.exec(
                select(PrintJob.ticket_id).order_by(col(PrintJob.id).desc())
            ).first()

    live = 2  # the transfer's ticket (the first is 1)
    assert printed_ticket() == live
    reprinted = printed_lines(main.printed())[printed_lines(main.printed()).index("补打 REPRINT") :]
    assert (
        "M001" in reprinted and "民生事务(含公积金)" in reprinted
    )  # the zone the citizen is in now
    monkeypatch.setenv("MASHANGBAN_NOW", now.isoformat())
    result = CliRunner().invoke(app, ["--db", db_url, "reprint", "-n", ticket_qr(token)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert printed_ticket() == live and moved.number == "M001"
    result = CliRunner().invoke(app, ["--db", db_url, "reprint", "-n", "MSB:T:0000"])
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr


def test_cli_status_render_and_jobs(
    engine, db_url, now, printers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", db_url, *args])
        assert "Traceback" not in result.stdout + result.stderr
        return result.exit_code, result.stdout + result.stderr

    assert cli("printer", "status", "kiosk-net") == (0, "kiosk-net: 就绪 / ready\n")
    main.paper = "out"
    code, out = cli("printer", "status", "kiosk-net")
    assert code == 1 and "缺纸" in out and "paper out" in out
    main.paper = "ok"
    code, out = cli("take", "M", "--print")
    assert code == 0 and "请取票" in out
    target = tmp_path / "m001.bin"
    assert cli("printer", "render", "-n", "M001", "--out", str(target))[0] == 0
    assert target.read_bytes() == main.printed()  # the exact bytes that were sent
    code, out = cli("printer", "status", "nope")
    assert code == 1 and "没有这台打印机" in out and "unknown printer: nope" in out
    code, out = cli("printer", "render", "-n", "M001", "--out", "/proc/no/such/file")
    assert code == 1 and "cannot write" in out
    code, out = cli("print-jobs", "list", "--json")
    assert code == 0 and '"state": "done"' in out
