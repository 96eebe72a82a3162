"""Appointment files as they arrive: GBK from Excel, a BOM, offsets, huge fields, odd dates,
too many rows — and a big import that lets the hall keep working, still all or nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models import limits
from models.errors import NotFound, Refused
from models.queue.appointments import check_in, import_appointments
from models.queue.tickets import take_ticket
from tests.conftest import NOW
from tests.unit.test_appointments import DAY, GOOD, HEADER, count, stored
from tests.unit.test_appointments import hall_clock as hall_clock

runner = CliRunner()


def write(tmp_path: Path, rows: list[str], *, encoding: str = "utf-8", name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_excel_encodings_are_read(lite: Engine, tmp_path: Path, encoding: str) -> None:
    result = import_appointments(lite, write(tmp_path, GOOD, encoding=encoding))
    assert result.added == 3
    assert stored(lite, "APPT0001").name_masked == "张*丰"


def test_a_file_that_is_no_text_is_refused_clearly(lite: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(HEADER.encode() + b"\r\n\x80\xff\xfe,M,,2026-11-25,10:00,10:30,x\r\n")
    with pytest.raises(Refused) as info:
        import_appointments(lite, path)
    assert info.value.key == "csv_unreadable" and "neither UTF-8 nor GB18030" in info.value.en
    assert count(lite) == 0


@pytest.mark.parametrize(
    ("start", "end", "stored_start"),
    [("10:00+08:00", "10:30", "10:00:00"), ("10:00+08:00", "10:30+08:00", "10:00:00")],
    ids=["mixed", "both"],
)
def test_the_halls_own_offset_is_accepted(
    lite: Engine, tmp_path: Path, start: str, end: str, stored_start: str
) -> None:
    import_appointments(lite, write(tmp_path, [f"APPT0001,M,,{DAY},{start},{end},"]))
    assert stored(lite, "APPT0001").slot_start.isoformat() == stored_start


CLI_REFUSALS = [
    ("offset", [f"APPT0001,M,,{DAY},15:00+05:00,15:30,"], "not the hall's local time"),
    ("mixed", [f"APPT0001,M,,{DAY},15:00+05:00,15:30+08:00,"], "15:00+05:00"),
    (
        "field-200k",
        [f"APPT0001,M,,{DAY},10:00,10:30,{'张' * 200_000}"],
        "field too long (max 1024)",
    ),
    ("field-2k", [f"APPT0001,M,,{DAY},10:00,10:30,{'张' * 2000}"], "field too long (max 1024)"),
    ("year-1", ["APPT0001,M,,0001-01-01,10:00,10:30,"], "between 2000-01-01 and 2099-12-31"),
    ("escape", [f"APPT0001,M,,{DAY},10:00,10:30,王\x1b[2J"], "control characters"),
    ("bad-line", [*GOOD, f"APPT0009,M,,{DAY},10:00,09:00,"], "ends before it starts"),
]


@pytest.mark.parametrize(
    ("rows", "words"), [c[1:] for c in CLI_REFUSALS], ids=[c[0] for c in CLI_REFUSALS]
)
def test_bad_files_are_refusals_with_exit_1_and_nothing_stored(
    sqlite_url: str, lite: Engine, tmp_path: Path, rows: list[str], words: str
) -> None:
    path = write(tmp_path, rows)
    result = runner.invoke(app, ["--db", sqlite_url, "appointments", "import", str(path)])
    out = result.stdout + result.stderr
    assert result.exit_code == 1, out
    assert words in out and "行" in out and "line" in out
    assert "\x1b" not in out and "内部错误" not in out
    assert count(lite) == 0


def test_too_many_rows_are_refused(
    lite: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("models.queue.appointments.CSV_MAX_ROWS", 2)
    with pytest.raises(Refused) as info:
        import_appointments(lite, write(tmp_path, GOOD))
    assert info.value.key == "csv_too_many" and "split it" in info.value.en
    assert count(lite) == 0
    assert limits.CSV_MAX_ROWS == 50_000  # the documented limit


def test_too_big_a_file_is_refused(
    lite: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("models.queue.appointments.CSV_MAX_BYTES", 100)
    with pytest.raises(Refused) as info:
        import_appointments(lite, write(tmp_path, GOOD))
    assert info.value.key == "csv_too_big"


def _big_file(tmp_path: Path, rows: int) -> Path:
    # Queue D is not open to online booking: the hall file sets no places for it to count.
    return write(
        tmp_path, [f"BIG{n:06d},D,,{DAY},15:00,15:30,张三" for n in range(rows)], name="big.csv"
    )


def test_the_hall_works_while_a_big_file_is_imported(lite: Engine, tmp_path: Path) -> None:
    """Between the batches of an import, a kiosk takes a ticket at once (the import held the
    write lock for the whole file before), and the rows written so far are not checkable yet:
    the file becomes visible all at once at the end."""
    path = _big_file(tmp_path, 5_000)
    midway = threading.Event()
    go_on = threading.Event()
    errors: list[BaseException] = []

    def pause_after_the_second_batch(written: int, total: int) -> None:
        if written == 2_000:
            midway.set()
            assert go_on.wait(60)

    def run() -> None:
        try:
            import_appointments(lite, path, on_batch=pause_after_the_second_batch)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
            midway.set()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert midway.wait(60) and not errors
        ticket = take_ticket(lite, queue="M", now=NOW)  # the kiosk
        assert ticket.number == "M001"
        assert worker.is_alive()  # taken while the import is midway, not behind its write
        with pytest.raises(NotFound):
            check_in(lite, code="BIG000001", now=NOW)  # written, but not visible yet
    finally:
        go_on.set()
        worker.join(120)
    assert not errors
    assert count(lite) == 5_000
    assert stored(lite, "BIG004999").import_batch is None


def test_a_failure_midway_leaves_nothing(lite: Engine, tmp_path: Path) -> None:
    path = _big_file(tmp_path, 3_000)

    def fail_after_two_batches(written: int, total: int) -> None:
        if written == 2_000:
            raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        import_appointments(lite, path, on_batch=fail_after_two_batches)
    assert count(lite) == 0
    assert import_appointments(lite, path).added == 3_000  # and the file imports afterwards
