"""Printers that hang or lie: a peer that streams bytes, answers late or with noise, runs out of
paper right after the job; a sender killed mid-job; a retry after both printers ran out.

Whatever the printer does, the number is shown, every exchange ends by its deadline, and a job
is done only when the printer said so after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.printer import Dummy
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

import printer.devices
from mashangban import app
from models.db import reading, writing
from models.hall import PrinterConfig
from models.queue.tickets import take_ticket
from models.tables import PrintJob
from printer.devices import open_link
from printer.spooler import PrinterWorker, queue_ticket, retry
from printer.status import PrinterStatus, parse
from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakePrinter
from tests.unit.test_print_spooler import hall_with, load, printed_lines, take_and_print

MASHANGBAN = Path(sys.executable).parent / "mashangban"
NOW = "2026-11-25T10:00:00+08:00"
HANG_GUARD_S = 30.0
"""A command facing a hanging printer must end well within this (its deadline is ~1 s)."""


@pytest.fixture
def printers() -> Iterator[tuple[FakePrinter, FakePrinter]]:
    with FakePrinter() as main, FakePrinter() as backup:
        yield main, backup


def job_state(engine: Engine, job_id: int = 1) -> str:
    """A job's stored state, read directly (listing jobs would settle stale ones)."""
    with reading(engine) as session:
        job = session.get(PrintJob, job_id)
        return job.state if job is not None else "none"


def run_cli(db_url: str, *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
    """The `mashangban` command in its own process, killed if it outlives the hang guard."""
    env = {**os.environ, "MASHANGBAN_NOW": now, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [str(MASHANGBAN), "--db", db_url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD_S,
        check=False,
    )


def later(minutes: float) -> str:
    return (dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=minutes)).isoformat()


def network_config(fake: FakePrinter, timeout_s: float = 1.0) -> PrinterConfig:
    return PrinterConfig(
        name="kiosk-net",
        kind="network",
        address=f"127.0.0.1:{fake.port}",
        profile="TM-T88V",
        timeout_s=timeout_s,
    )


# ---- a peer that streams bytes -----------------------------------------------------------------


def test_a_streaming_peer_cannot_hang_take_print_and_the_number_is_shown(
    engine, db_url, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.stream = b"\x00"
    start = time.monotonic()
    done = run_cli(db_url, "take", "M", "--print")  # TimeoutExpired: it hung
    assert time.monotonic() - start < HANG_GUARD_S
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "M001" in out and "打印失败" in out
    assert out.index("M001") < out.index("打印失败")  # the number first, then the paper's fate
    # Zeros are no status: the job went out, but nothing confirmed it.
    assert job_state(engine) == "uncertain"
    status = run_cli(db_url, "printer", "status", "kiosk-net")
    assert status.returncode == 1 and "状态未知" in status.stdout and "就绪" not in status.stdout


def test_a_status_reply_of_zeros_is_no_answer(engine, db_url, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.status_reply = b"\x00"
    result = CliRunner().invoke(app, ["--db", db_url, "printer", "status", "kiosk-net"])
    assert result.exit_code == 1
    assert "状态未知" in result.stdout and "就绪" not in result.stdout
    result = CliRunner().invoke(app, ["--db", db_url, "printer", "status", "kiosk-net", "--json"])
    assert '"ready": null' in result.stdout and '"online": null' in result.stdout


@pytest.mark.parametrize("reply", [b"\x00", b"\xff", b"\x02", b"\x10", b"\x92", b"\x13"])
def test_only_bytes_with_the_fixed_status_bits_are_answers(reply: bytes) -> None:
    # DLE EOT answers have bits 1 and 4 set and bits 0 and 7 clear (0x12).
    status = parse({1: reply, 2: reply, 4: reply})
    assert status == PrinterStatus(online=None, paper=None, cover_open=None)
    assert status.describe() == ("状态未知（无应答）", "status unknown (no reply)")
    assert parse({1: b"\x12", 2: b"\x12", 4: b"\x12"}).describe()[1] == "ready"


def test_a_serial_printer_answering_noise_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: list[bytes] = []
    device = Dummy()
    monkeypatch.setattr(device, "_read", lambda: answers.pop(0) if answers else b"")
    monkeypatch.setattr(printer.devices, "_escpos_device", lambda config: device)
    config = PrinterConfig(name="desk", kind="serial", address="/dev/ttyS0", profile="TM-T88V")
    link = open_link(config)
    answers[:] = [b"\x00", b"\x00", b"\x00"]
    assert not link.status().known and link.status().describe()[1] != "ready"
    answers[:] = [b"", b"\x1a", b"\x16"]  # the first answer late: the others are not shifted
    assert link.status() == PrinterStatus(online=None, paper=None, cover_open=None)
    answers[:] = [b"\x12", b"\x12", b"\x12"]
    assert link.status() == PrinterStatus(online=True, paper="ok", cover_open=False)


def test_a_device_file_that_takes_no_bytes_cannot_hang_take_print(
    engine, db_url, tmp_path: Path
) -> None:
    # Like /dev/usb/lp0 while its printer is offline: a write would wait for ever.
    device = tmp_path / "lp0"
    os.mkfifo(device)
    reader = os.open(device, os.O_RDONLY | os.O_NONBLOCK)  # a printer that never reads
    backlog = os.open(device, os.O_WRONLY | os.O_NONBLOCK)
    with contextlib.suppress(BlockingIOError):
        while True:
            os.write(backlog, b"\0" * 4096)
    os.close(backlog)
    try:
        load(
            engine,
            f'[[printer]]\nname = "desk"\nkind = "file"\naddress = "{device}"\n'
            'timeout_s = 1.0\n\n[[kiosk]]\nid = "K1"\nprinter = "desk"\n',
        )
        done = run_cli(db_url, "take", "M", "--print")  # TimeoutExpired: it hung
    finally:
        os.close(reader)
    assert done.returncode == 0, done.stderr
    assert "M001" in done.stdout and "打印失败" in done.stdout and "timed out" in done.stdout
    assert job_state(engine) == "uncertain"


# ---- answers that come late ----------------------------------------------------------------


def test_a_late_status_answer_is_not_read_as_the_next_one(printers) -> None:
    main, _ = printers
    main.cover_open = True
    main.answer_delay, main.late_answers = 1.3, 1
    link = open_link(network_config(main, timeout_s=1.0))
    try:
        first = link.status()
        # No answer in time is "unknown" — never the answer to DLE EOT 1 read as the cover's.
        assert first.cover_open is not False and first.paper in (None, "ok")
        second = link.status()  # the late byte is skipped: the answers line up again
    finally:
        link.close()
    assert second == PrinterStatus(online=False, paper="ok", cover_open=True)


def test_a_late_answer_does_not_send_a_job_to_a_closed_printer_and_call_it_done(
    engine, now, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.cover_open = True
    main.answer_delay, main.late_answers = 1.3, 1
    _, job = take_and_print(engine, now)
    assert job.state in ("failed", "uncertain") and "cover open" in job.last_error
    assert main.printed() == b""


# ---- paper out or offline right after the job ----------------------------------------------


def test_paper_out_right_after_the_job_is_uncertain_and_reprinted_marked(
    engine, now, printers
) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.paper_out_after_bytes = 60  # the ticket is cut short
    _, job = take_and_print(engine, now)
    assert job.state == "uncertain" and "paper out" in job.last_error and "缺纸" in job.last_error
    short = main.printed()
    assert 0 < len(short) <= 60
    main.paper = "ok"
    again = retry(engine, job.id)
    assert again.reprint and again.state == "done"
    lines = printed_lines(main.printed()[len(short) :])
    assert lines[0] == "补打 REPRINT" and "M001" in lines


def test_offline_right_after_the_job_is_not_done(engine, now, printers) -> None:
    main, _ = printers
    hall_with(engine, main, None)
    main.offline_after_bytes = 200
    _, job = take_and_print(engine, now)
    assert job.state == "uncertain" and "offline" in job.last_error and "离线" in job.last_error


# ---- a sender killed mid-job -----------------------------------------------------------------


def test_a_sender_killed_mid_job_leaves_a_job_that_can_be_retried(engine, db_url, printers) -> None:
    main, _ = printers
    load(
        engine,
        f'[[printer]]\nname = "kiosk-net"\nkind = "network"\naddress = "127.0.0.1:{main.port}"\n'
        'profile = "TM-T88V"\ntimeout_s = 20.0\n\n[[kiosk]]\nid = "K1"\nprinter = "kiosk-net"\n',
    )
    main.silent_status = True  # the sender waits for an answer, mid-job
    env = {**os.environ, "MASHANGBAN_NOW": NOW}
    sender = subprocess.Popen(
        [str(MASHANGBAN), "--db", db_url, "take", "M", "--print"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while not (job_state(engine) == "sent" and main.status_queries):
            assert time.monotonic() < deadline and sender.poll() is None, "never mid-job"
            time.sleep(0.05)
    finally:
        sender.kill()
        sender.wait(10)
    main.silent_status = False
    # A moment later its sender could still be alive (within the printer's deadlines): wait.
    listed = run_cli(db_url, "print-jobs", "list", "--json", now=later(0.5))
    assert '"state": "sent"' in listed.stdout
    refused = run_cli(db_url, "print-jobs", "retry", "1", now=later(0.5))
    assert refused.returncode == 1 and "sent" in refused.stderr
    assert "retry after 10:03:40" in refused.stderr  # 8 × 20 s + 60 s after it was sent
    # Long after every deadline it has no sender left: uncertain, and a retry reprints it.
    listed = run_cli(db_url, "print-jobs", "list", "--json", now=later(10))
    assert '"state": "uncertain"' in listed.stdout and "sender stopped" in listed.stdout
    again = run_cli(db_url, "print-jobs", "retry", "1", now=later(10))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "补打 REPRINT" in again.stdout and "done" in again.stdout
    assert "M001" in printed_lines(main.printed()) and "补打 REPRINT" in printed_lines(
        main.printed()
    )


def test_the_spooler_settles_stale_sent_jobs_when_it_starts(engine, now, tmp_path: Path) -> None:
    spool = tmp_path / "spool.bin"
    load(engine, f'[[printer]]\nname = "desk"\nkind = "file"\naddress = "{spool}"\n')
    take_ticket(engine, queue="M", now=now)
    job = queue_ticket(engine, ticket_id=1, printer="desk")
    with writing(engine) as session:  # what a sender killed an hour ago left behind
        row = session.exec(select(PrintJob).where(PrintJob.id == job.id)).one()
        row.state, row.updated_at = "sent", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        session.add(row)
    worker = PrinterWorker(engine, "desk", poll_s=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while job_state(engine, job.id) == "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        worker.join(5)
    assert job_state(engine, job.id) == "uncertain"


# ---- a retry after both printers ran out -----------------------------------------------------


def test_a_retry_after_both_printers_ran_out_starts_on_the_main_again(
    engine, now, printers
) -> None:
    main, backup = printers
    hall_with(engine, main, backup)
    main.paper = backup.paper = "out"
    _, job = take_and_print(engine, now)
    assert (job.state, job.printer) == ("failed", "kiosk-backup")
    main.paper = "ok"  # the main printer is back; the backup still has no paper
    again = retry(engine, job.id)
    assert (again.id, again.state, again.printer) == (job.id, "done", "kiosk-net")
    number = next(line for line in decode(main.printed()).lines if line.text == "M001")
    assert number.width == 6  # rendered for the main printer's 80 mm paper again
    assert backup.printed() == b""


def test_an_uncertain_job_on_the_backup_is_reprinted_on_the_main(engine, now, printers) -> None:
    main, backup = printers
    hall_with(engine, main, backup)
    main.paper = "out"
    backup.disconnect_after_bytes = 50
    _, job = take_and_print(engine, now)
    assert (job.state, job.printer) == ("uncertain", "kiosk-backup")
    main.paper = "ok"
    again = retry(engine, job.id)
    assert (again.state, again.printer, again.reprint) == ("done", "kiosk-net", True)
    assert printed_lines(main.printed())[0] == "补打 REPRINT"
