"""The CSV import obeys the booking rules: refused rows are reported by line, the rest stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from mashangban import app
from models.db import reading
from models.queue.appointments import import_appointments
from models.queue.booking import book, open_slots
from models.queue.bookingcare import mark_no_shows
from models.tables import Appointment, BookingSlot
from tests.conftest import CST, NOW

HEADER = "code,queue,item,date,start,end,name,mobile"
THU = "2026-11-26"


def write(tmp_path: Path, rows: list[str], name: str = "b.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def codes(engine: Engine) -> set[str]:
    with reading(engine) as session:
        return set(session.exec(select(Appointment.code)).all())


def test_refused_rows_are_reported_by_line_and_the_rest_imported(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        f"GOOD0001,M,M01,{THU},09:00,09:15,张三,13800000001",  # line 2
        f"GOOD0002,M,M02,{THU},09:00,09:15,李四,13800000002",
        f"GOOD0003,M,M03,{THU},09:00,09:15,王五,",
        f"GOOD0004,M,M04,{THU},09:05,09:20,赵六,",  # inside the 09:00 slot: its 4th place
        f"FULL0001,M,M05,{THU},09:10,09:15,钱七,",  # line 6: the 09:00 slot is full
        "PAST0001,M,M01,2026-11-24,09:00,09:15,孙八,",  # line 7
        "HOLI0001,M,M01,2026-11-28,09:00,09:15,周九,",  # line 8: a Saturday
        "FAR00001,M,M01,2026-12-03,09:00,09:15,吴十,",  # line 9
        f"LUNCH001,M,M01,{THU},12:30,12:45,郑一,",  # line 10
        f"TWICE001,M,M01,{THU},10:00,10:15,张三,+86 13800000001",  # line 11: same person
        f"BADMOB01,M,M01,{THU},10:00,10:15,冯二,12345",  # line 12
        f"TODAY001,M,M01,{NOW.date()},15:00,15:15,陈三,",  # today is fine for an import
        f"NOTBOOK1,D,D01,{THU},09:00,09:15,褚四,",  # D takes no bookings: no limits
    ]
    result = import_appointments(engine, write(tmp_path, rows), now=NOW)
    assert (result.added, result.unchanged) == (6, 0)
    assert [(r.line, r.code, r.key) for r in result.refused] == [
        (6, "FULL0001", "booking_full"),
        (7, "PAST0001", "booking_past"),
        (8, "HOLI0001", "booking_closed_day"),
        (9, "FAR00001", "booking_too_far"),
        (10, "LUNCH001", "booking_not_a_slot"),
        (11, "TWICE001", "booking_limit"),
        (12, "BADMOB01", "booking_bad_mobile"),
    ]
    assert "约满" in result.refused[0].zh and "fully booked" in result.refused[0].en
    assert codes(engine) == {
        "GOOD0001", "GOOD0002", "GOOD0003", "GOOD0004", "TODAY001", "NOTBOOK1",
    }  # fmt: skip
    thu = dt.date(2026, 11, 26)
    assert open_slots(engine, item_code="M01", day=thu, now=NOW)[2].free == 0
    # A web booking for the slot is refused; imported bookings' mobiles are masked and keyed.
    with reading(engine) as session:
        first = session.exec(select(Appointment).where(Appointment.code == "GOOD0001")).one()
    assert (first.mobile_masked, first.channel, first.pool) == ("138****0001", "csv", "Q:M")
    assert first.person_key and len(first.person_key) == 64


def test_the_same_file_again_adds_nothing_and_refuses_the_same(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        f"ONE00001,M,M01,{THU},09:00,09:15,张三,13800000001",
        "PAST0001,M,M01,2026-11-24,09:00,09:15,李四,",
    ]
    path = write(tmp_path, rows)
    import_appointments(engine, path, now=NOW)
    again = import_appointments(engine, path, now=NOW)
    assert (again.added, again.unchanged, [r.line for r in again.refused]) == (0, 1, [3])
    with reading(engine) as session:
        assert session.exec(select(BookingSlot.taken)).all() == [1]  # counted once


def test_a_blocked_person_is_refused_in_an_import(engine: Engine, tmp_path: Path) -> None:
    for day, before in ((dt.date(2026, 11, 26), NOW), (dt.date(2026, 11, 27), NOW)):
        book(engine, item_code="M01", day=day, start=dt.time(9, 0), name="张三",
             mobile="13800000001", channel="web", now=before)  # fmt: skip
    mark_no_shows(engine, now=dt.datetime(2026, 11, 27, 18, 0, tzinfo=CST))
    later = dt.datetime(2026, 11, 30, 9, 0, tzinfo=CST)
    rows = ["BLOCKED1,M,M02,2026-12-01,09:00,09:15,张三,13800000001"]
    result = import_appointments(engine, write(tmp_path, rows), now=later)
    assert [r.key for r in result.refused] == ["booking_blocked"]
    assert "2026-12-27" in result.refused[0].en


def test_a_failed_import_gives_its_places_back(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [f"PL{n:06d},M,,{THU},09:00,09:15,张三," for n in range(4)]
    rows += [f"DQ{n:06d},D,,{THU},09:00,09:15,张三," for n in range(20)]

    def fail(written: int, total: int) -> None:
        if written == 10:
            raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        import_appointments(engine, write(tmp_path, rows), now=NOW, batch_rows=10, on_batch=fail)
    assert codes(engine) == set()
    assert open_slots(engine, item_code="M01", day=dt.date(2026, 11, 26), now=NOW)[2].free == 4


def test_the_command_lists_refused_lines_in_both_languages_and_exits_4(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    rows = [
        f"GOOD0001,M,M01,{THU},09:00,09:15,张三,",
        "PAST0001,M,M01,2026-11-24,09:00,09:15,李四,",
    ]
    result = CliRunner().invoke(
        app, ["--db", db_url, "appointments", "import", str(write(tmp_path, rows))]
    )
    said = result.stdout + result.stderr
    assert result.exit_code == 4, said
    assert "usage" not in said
    assert "imported 1 new" in said
    assert "第 3 行" in said and "line 3 (PAST0001)" in said and "2026-11-24 已过" in said


def test_cancelling_an_imported_booking_frees_the_slot_it_fell_in(
    engine: Engine, tmp_path: Path
) -> None:
    from models.queue.booking import cancel_by_code

    thu = dt.date(2026, 11, 26)
    rows = [f"ODD{n:05d},M,,{THU},09:0{n + 1},09:20,张三," for n in range(4)]  # inside 09:00
    assert import_appointments(engine, write(tmp_path, rows), now=NOW).added == 4
    assert open_slots(engine, item_code="M01", day=thu, now=NOW)[2].free == 0
    cancel_by_code(engine, code="ODD00002", now=NOW)
    free = {s.start: s.free for s in open_slots(engine, item_code="M01", day=thu, now=NOW)}
    assert (free[dt.time(9, 0)], free[dt.time(8, 45)], free[dt.time(9, 15)]) == (1, 4, 4)


def test_an_imported_name_without_a_mobile_is_erased_too(engine: Engine, tmp_path: Path) -> None:
    from models.queue.bookingcare import erase_personal_data

    import_appointments(
        engine, write(tmp_path, [f"NAME0001,D,,{THU},09:00,09:30,张三丰,"]), now=NOW
    )
    later = dt.datetime(2026, 12, 27, 3, 0, tzinfo=CST)
    assert erase_personal_data(engine, now=later).bookings == 1
    with reading(engine) as session:
        row = session.exec(select(Appointment)).one()
    assert (row.name_masked, row.erased_at is not None) == ("", True)
