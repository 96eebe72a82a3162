"""Appointments: CSV import (all or nothing) and check-in at the kiosk by code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from models.db import reading
from models.errors import NotFound, Refused
from models.queue.appointments import check_in, import_appointments, mask_name
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.tables import Appointment, Event
from tests.conftest import NOW, open_window

HEADER = "code,queue,item,date,start,end,name"
DAY = "2026-11-25"  # the `now` fixture's date; now is 10:00 local
GOOD = [
    f"APPT0001,M,M01,{DAY},10:00,10:30,张三丰",
    f"APPT0002,M,,{DAY},10:30,11:00,李四",
    f"APPT0003,A,A01,{DAY},14:00,14:30,",
]


@pytest.fixture(autouse=True)
def hall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports check their dates against the clock (past days are refused): NOW's."""
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())


def write_csv(tmp_path: Path, rows: list[str], *, header: str = HEADER, name="appts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def count(engine: Engine) -> int:
    with reading(engine) as session:
        return session.exec(select(func.count()).select_from(Appointment)).one()


def stored(engine: Engine, code: str) -> Appointment:
    with reading(engine) as session:
        row = session.exec(select(Appointment).where(Appointment.code == code)).one()
        return row


def book(engine: Engine, tmp_path: Path, *rows: str) -> None:
    """Import appointments for the test (a file of its own each time)."""
    import_appointments(engine, write_csv(tmp_path, list(rows), name=f"b{count(engine)}.csv"))


# ---------------------------------------------------------------- import


def test_import_good_file(engine: Engine, tmp_path: Path) -> None:
    result = import_appointments(engine, write_csv(tmp_path, GOOD))
    assert (result.added, result.unchanged) == (3, 0)
    assert count(engine) == 3
    first = stored(engine, "APPT0001")
    assert (first.item_code, first.slot_date, first.status) == (
        "M01",
        dt.date(2026, 11, 25),
        "booked",
    )
    assert (first.slot_start, first.slot_end) == (dt.time(10, 0), dt.time(10, 30))
    assert stored(engine, "APPT0002").item_code is None
    with reading(engine) as session:
        event = session.exec(select(Event).order_by(col(Event.seq).desc())).first()
    assert event is not None and event.kind == "appointments_imported"
    assert '"added":3' in event.data and '"file":"appts.csv"' in event.data


def test_reimport_of_the_same_file_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD)
    import_appointments(engine, path)
    again = import_appointments(engine, path)
    assert (again.added, again.unchanged) == (0, 3)
    assert count(engine) == 3
    # A longer file: only the new row is added.
    more = write_csv(tmp_path, [*GOOD, f"APPT0004,M,M02,{DAY},11:00,11:30,王五"], name="more.csv")
    result = import_appointments(engine, more)
    assert (result.added, result.unchanged) == (1, 3)
    assert count(engine) == 4


def test_name_is_stored_masked(engine: Engine, tmp_path: Path) -> None:
    import_appointments(engine, write_csv(tmp_path, GOOD))
    assert stored(engine, "APPT0001").name_masked == "张*丰"
    assert stored(engine, "APPT0002").name_masked == "李*"
    assert stored(engine, "APPT0003").name_masked == ""
    with reading(engine) as session:
        texts = [repr(a) for a in session.exec(select(Appointment)).all()]
        texts += list(session.exec(select(Event.data)).all())
    assert not any("张三丰" in t or "李四" in t for t in texts)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "王"),
        (" 张三丰 ", "张*丰"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


BAD_ROWS = [
    ("bad-date", "APPT0009,M,,2026-13-01,10:00,10:30,", "YYYY-MM-DD"),
    ("unknown-queue", f"APPT0009,Z,,{DAY},10:00,10:30,", "unknown queue: Z"),
    ("item-of-other-queue", f"APPT0009,M,A01,{DAY},10:00,10:30,", "A01 is not served by queue M"),
    ("end-before-start", f"APPT0009,M,,{DAY},10:30,10:00,", "ends before it starts"),
    ("repeated-code", f"APPT0003,M,,{DAY},10:00,10:30,", "APPT0003 repeats"),
    ("bad-code", f"AP-1,M,,{DAY},10:00,10:30,", "letters or digits"),
]


@pytest.mark.parametrize(("row", "detail"), [b[1:] for b in BAD_ROWS], ids=[b[0] for b in BAD_ROWS])
def test_bad_row_refuses_the_whole_file(
    engine: Engine, tmp_path: Path, row: str, detail: str
) -> None:
    import_appointments(engine, write_csv(tmp_path, GOOD[:1], name="first.csv"))
    before = count(engine)
    # New good rows on lines 2-3, the bad one on line 4.
    path = write_csv(tmp_path, [*GOOD[1:], row], name="bad.csv")
    with pytest.raises(Refused) as info:
        import_appointments(engine, path)
    err = info.value
    assert err.key == "csv_error"
    assert f"{path} 第 4 行" in err.zh and f"{path} line 4: " in err.en
    assert detail in err.en
    assert count(engine) == before == 1


def test_missing_column_is_refused_on_line_1(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, [f"APPT0001,M,M01,{DAY},10:00,张三丰"], header="code,queue,item,date,start,name"
    )
    with pytest.raises(Refused) as info:
        import_appointments(engine, path)
    assert info.value.key == "csv_error"
    assert f"{path} 第 1 行" in info.value.zh
    assert "missing column(s): end" in info.value.en
    assert count(engine) == 0


def test_code_with_other_details_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_appointments(engine, write_csv(tmp_path, GOOD))
    moved = write_csv(tmp_path, [f"APPT0002,M,,{DAY},15:00,15:30,李四"], name="moved.csv")
    with pytest.raises(Refused) as info:
        import_appointments(engine, moved)
    assert "line 2: code APPT0002 exists with other details" in info.value.en
    assert stored(engine, "APPT0002").slot_start == dt.time(10, 30)


# ---------------------------------------------------------------- check-in


def test_on_time_check_in_gives_an_appointment_ticket(
    engine: Engine, tmp_path: Path, now: dt.datetime
) -> None:
    book(engine, tmp_path, *GOOD)
    ticket = check_in(engine, code="APPT0001", now=now)
    assert (ticket.number, ticket.priority, ticket.status) == ("M001", "appointment", "waiting")
    assert (ticket.queue, ticket.item, ticket.ahead) == ("M", "M01", 0)
    appt = stored(engine, "APPT0001")
    assert appt.status == "checked_in" and appt.ticket_id is not None


def test_lower_case_code_works(engine: Engine, tmp_path: Path, now: dt.datetime) -> None:
    book(engine, tmp_path, *GOOD)
    assert check_in(engine, code=" appt0002 ", now=now).number == "M001"
    assert stored(engine, "APPT0002").status == "checked_in"


def test_appointments_are_called_first_but_interleaved(
    engine: Engine, tmp_path: Path, now: dt.datetime
) -> None:
    slots = [f"APPT010{n},M,,{DAY},10:00,10:30," for n in range(1, 4)]
    book(engine, tmp_path, *slots)
    early = now - dt.timedelta(minutes=5)
    normal = [take_ticket(engine, queue="M", now=early).number for _ in range(2)]
    booked = [check_in(engine, code=f"APPT010{n}", now=now).number for n in range(1, 4)]
    assert normal == ["M001", "M002"] and booked == ["M003", "M004", "M005"]
    open_window(engine, 18, "1001")
    called = []
    for n in range(5):
        at = now + dt.timedelta(minutes=n + 1)
        called.append(call_next(engine, window=18, now=at).number)
        finish(engine, window=18, now=at + dt.timedelta(seconds=30))
    # Two appointments, then the oldest normal ticket (priority_run = 2), and so on.
    assert called == ["M003", "M004", "M001", "M005", "M002"]


def test_too_early_says_when_check_in_opens(
    engine: Engine, tmp_path: Path, now: dt.datetime
) -> None:
    book(engine, tmp_path, f"EARLY001,M,,{DAY},10:31,11:00,", f"EDGE0001,M,,{DAY},10:30,11:00,")
    with pytest.raises(Refused) as info:
        check_in(engine, code="EARLY001", now=now)
    assert info.value.key == "appt_early"
    assert "请于 10:01 后签到" in info.value.zh and "check-in opens at 10:01" in info.value.en
    assert stored(engine, "EARLY001").status == "booked"
    # Exactly 30 minutes before the slot is on time.
    assert check_in(engine, code="EDGE0001", now=now).priority == "appointment"


def test_appointment_on_another_day_names_the_date(
    engine: Engine, tmp_path: Path, now: dt.datetime
) -> None:
    book(engine, tmp_path, "TOMORROW,M,,2026-11-26,09:00,09:30,")
    with pytest.raises(Refused) as info:
        check_in(engine, code="TOMORROW", now=now)
    assert info.value.key == "appt_early" and "2026-11-26 08:30" in info.value.en


def test_too_late_says_when_check_in_closed(
    engine: Engine, tmp_path: Path, now: dt.datetime
) -> None:
    book(engine, tmp_path, f"LATE0001,M,,{DAY},09:44,10:14,", f"EDGE0002,M,,{DAY},09:45,10:15,")
    with pytest.raises(Refused) as info:
        check_in(engine, code="LATE0001", now=now)
    assert info.value.key == "appt_late"
    assert "已过签到时间（09:59）" in info.value.zh and "closed at 09:59" in info.value.en
    assert "normal ticket" in info.value.en
    # Exactly 15 minutes after the slot start is still on time.
    assert check_in(engine, code="EDGE0002", now=now).number == "M001"


def test_used_code_names_its_ticket(engine: Engine, tmp_path: Path, now: dt.datetime) -> None:
    book(engine, tmp_path, *GOOD)
    take_ticket(engine, queue="M", now=now)  # M001
    first = check_in(engine, code="APPT0001", now=now)
    assert first.number == "M002"
    with pytest.raises(Refused) as info:
        check_in(engine, code="appt0001", now=now + dt.timedelta(minutes=1))
    assert info.value.key == "appt_used"
    assert "该预约已签到（M002）" in info.value.zh and "(M002)" in info.value.en
    with reading(engine) as session:
        kinds = session.exec(select(Event.kind).where(Event.kind == "checked_in")).all()
    assert len(kinds) == 1


def test_unknown_code(engine: Engine, tmp_path: Path, now: dt.datetime) -> None:
    book(engine, tmp_path, *GOOD)
    with pytest.raises(NotFound) as info:
        check_in(engine, code="NOPE1234", now=now)
    assert info.value.key == "appt_unknown"
    assert "预约码无效：NOPE1234" in info.value.zh and "NOPE1234" in info.value.en
