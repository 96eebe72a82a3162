"""Taking tickets at the kiosk: numbers, items, priority, place in line, caps, hours and days."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import chinese_calendar
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.clerks import staff
from models.errors import NotFound, NothingWaiting, Refused
from models.events import last_event_seq
from models.hall import default_hall_path, parse_hall, read_hall_file, store_hall
from models.lookup import get_queue
from models.queue.calling import call_next
from models.queue.dayclose import close_past_days
from models.queue.serving import finish, start
from models.queue.tickets import take_ticket, ticket_by_token
from models.tables import DayCounter, Ticket
from models.views.ticket import TicketView
from tests.conftest import NOW, open_window
from tests.support.refusals import expect

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = NOW.date()


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    """A local Jinan time on a day (the test Wednesday by default)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST)


def take(engine: Engine, queue: str = "M", when: dt.datetime = NOW, **kw: Any) -> TicketView:
    return take_ticket(engine, queue=queue, now=when, **kw)


def again(engine: Engine, ticket: TicketView) -> TicketView:
    """The ticket as the kiosk or a phone shows it now (looked up by its QR token)."""
    return ticket_by_token(engine, ticket.token)


def serve(engine: Engine, window: int, begin: dt.datetime, minutes: float) -> str:
    """Call, start and finish the next ticket at a window; the service lasts `minutes`."""
    called = call_next(engine, window=window, now=begin)
    start(engine, window=window, now=begin)
    finish(engine, window=window, now=begin + dt.timedelta(minutes=minutes))
    return called.number


def round_the_clock(engine: Engine) -> None:
    """Reload the Jinan hall as a 24-hour, every-day hall (for tests of midnight)."""
    text = default_hall_path().read_text(encoding="utf-8")
    changed = text.replace('open_days = "workdays"', 'open_days = "every-day"').replace(
        'hours = ["08:30-12:00", "13:00-17:00"]', 'hours = ["00:00-24:00"]'
    )
    config = parse_hall(changed)
    assert (config.hall.open_days, config.hall.hours) == ("every-day", ["00:00-24:00"])
    store_hall(engine, config, changed)


def counter(engine: Engine, day: dt.date, prefix: str) -> int:
    with Session(engine) as session:
        row = session.get(DayCounter, (day, get_queue(session, prefix).id))
        return row.last_seq if row else 0


def tickets_on(engine: Engine, day: dt.date) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(Ticket).where(Ticket.business_date == day)).all()
        return sorted(t.number for t in rows)


# --- numbers ---------------------------------------------------------------------------------


def test_first_number_of_the_day_per_queue(engine: Engine) -> None:
    a = take(engine, "A")
    m = take(engine, "M")
    assert (a.number, m.number) == ("A001", "M001")
    assert (m.queue, m.status, m.business_date) == ("M", "waiting", "2026-11-25")
    assert m.queue_name_zh == "马上办"
    assert m.issued_at == "2026-11-25T10:00:00+08:00"
    assert m.called_at is None and m.window is None


def test_numbers_consecutive_per_queue_and_independent(engine: Engine) -> None:
    plan = ["M", "M", "C", "M", "A", "C", "m"]
    numbers = [take(engine, q).number for q in plan]
    assert numbers == ["M001", "M002", "C001", "M003", "A001", "C002", "M004"]


# --- items and priority ----------------------------------------------------------------------


def test_item_picks_its_queue(engine: Engine) -> None:
    first = take_ticket(engine, item="C01", now=NOW)
    second = take_ticket(engine, item="m08", now=NOW)
    assert (first.number, first.queue, first.item) == ("C001", "C", "C01")
    assert (second.number, second.queue, second.item) == ("M001", "M", "M08")
    same = take_ticket(engine, queue="M", item="M09", now=NOW)
    assert (same.number, same.item) == ("M002", "M09")


def test_item_of_another_queue_refused(engine: Engine) -> None:
    err = expect(Refused, "item_not_in_queue", take, engine=engine, queue="M", item="A01")
    assert "A01" in err.en and "M" in err.en
    assert take(engine, "M").number == "M001"  # the refusal used no number


def test_unknown_queue_and_item(engine: Engine) -> None:
    err = expect(NotFound, "unknown_queue", take, engine=engine, queue="Z")
    assert "Z" in err.en
    err = expect(NotFound, "unknown_item", take_ticket, engine=engine, item="X99", now=NOW)
    assert "X99" in err.en
    expect(NotFound, "unknown_queue", take_ticket, engine=engine, now=NOW)


def test_priority_classes_for_walk_ins(engine: Engine) -> None:
    green = take(engine, "M", priority="green")
    assert (green.number, green.priority) == ("M001", "green")
    assert take(engine, "M").priority == "normal"
    for bad in ("appointment", "vip", ""):
        err = expect(Refused, "bad_priority", take, engine=engine, queue="M", priority=bad)
        assert bad in err.en
    assert take(engine, "M").number == "M003"


# --- place in line and estimated wait ----------------------------------------------------------


def test_ahead_and_eta_without_history(engine: Engine) -> None:
    views = [take(engine, "M") for _ in range(3)]  # M: 5 minutes per service by default
    assert [(v.ahead, v.eta_minutes) for v in views] == [(0, 0), (1, 5), (2, 10)]
    d = take(engine, "D")  # D: 12 minutes, its own line
    assert (d.ahead, d.eta_minutes) == (0, 0)
    assert [again(engine, v).ahead for v in views] == [0, 1, 2]


def test_ahead_follows_the_priority_interleave(engine: Engine) -> None:
    normal = [take(engine, "M") for _ in range(3)]
    green = [take(engine, "M", priority="green") for _ in range(3)]
    # priority_run = 2: the call order is G4 G5 N1 G6 N2 N3
    assert [g.ahead for g in green] == [0, 1, 3]
    assert [again(engine, n).ahead for n in normal] == [2, 4, 5]
    assert again(engine, normal[2]).eta_minutes == 25  # 5 ahead, no window open, 5 min


def test_ahead_knows_the_priority_run_so_far(engine: Engine) -> None:
    normal = [take(engine, "M") for _ in range(2)]
    for _ in range(2):
        take(engine, "M", priority="green")
    open_window(engine, 18)
    for expected in ("M003", "M004"):  # two priority calls in a row while M001 waits
        assert call_next(engine, window=18, now=NOW).number == expected
        finish(engine, window=18, now=NOW)
    green = take(engine, "M", priority="green")  # M005 waits behind M001 now
    assert green.ahead == 1
    assert [again(engine, n).ahead for n in normal] == [0, 2]


def test_eta_follows_open_and_paused_windows(engine: Engine) -> None:
    third = [take(engine, "M") for _ in range(3)][2]
    assert third.eta_minutes == 10  # 2 ahead, no window open counts as one
    open_window(engine, 18, "1001")
    assert again(engine, third).eta_minutes == 10
    open_window(engine, 19, "1002")
    assert again(engine, third).eta_minutes == 5  # 2 / 2 × 5
    open_window(engine, 20, "1003")  # serves M (and C)
    assert again(engine, third).eta_minutes == 4  # ceil(2 / 3 × 5)
    staff.pause(engine, window=20, reason="break", now=at(10, 1))
    assert again(engine, third).eta_minutes == 5
    staff.resume(engine, window=20, now=at(10, 2))
    assert again(engine, third).eta_minutes == 4
    staff.logout(engine, window=19)
    assert again(engine, third).eta_minutes == 5
    assert again(engine, third).ahead == 2


def test_eta_uses_service_history_from_three_services(engine: Engine) -> None:
    open_window(engine, 18)
    for _ in range(3):
        take(engine, "M")
    serve(engine, 18, at(10, 0), 2)
    serve(engine, 18, at(10, 5), 3)
    waiting = take(engine, "M", at(10, 10))
    behind = take(engine, "M", at(10, 10))
    # two services are not history yet: 1 ahead (M003) and 2 ahead at 5 minutes
    assert (waiting.eta_minutes, behind.eta_minutes) == (5, 10)
    serve(engine, 18, at(10, 20), 7)  # third service: mean (2 + 3 + 7) / 3 = 4
    assert again(engine, waiting).ahead == 0
    assert again(engine, behind).eta_minutes == 4
    assert take(engine, "M", at(10, 30)).eta_minutes == 8


def test_eta_uses_the_last_twenty_services(engine: Engine) -> None:
    open_window(engine, 18)
    for _ in range(21):
        take(engine, "M")
    serve(engine, 18, at(10, 0), 30)  # an old, slow service that drops out of the mean
    for n in range(20):
        serve(engine, 18, at(10, 30) + dt.timedelta(minutes=2 * n), 2)
    take(engine, "M", at(11, 15))
    behind = take(engine, "M", at(11, 15))
    assert behind.ahead == 1
    assert behind.eta_minutes == 2  # mean of the last 20 (2 min); all 21 would give 4


# --- daily cap ---------------------------------------------------------------------------------


def test_daily_cap_refuses_without_using_a_number(engine: Engine) -> None:
    config, _ = read_hall_file(default_hall_path())
    cap = next(q.daily_cap for q in config.queue if q.prefix == "E")
    assert cap > 0
    numbers = [take(engine, "E").number for _ in range(cap)]
    assert numbers[-1] == f"E{cap:03d}"
    events = last_event_seq(engine)
    err = expect(Refused, "queue_full", take, engine=engine, queue="E")
    assert str(cap) in err.en and str(cap) in err.zh
    expect(Refused, "queue_full", take_ticket, engine=engine, item="E01", now=NOW)
    assert counter(engine, NOW.date(), "E") == cap
    assert last_event_seq(engine) == events
    assert len([n for n in tickets_on(engine, NOW.date()) if n.startswith("E")]) == cap
    assert take(engine, "A").number == "A001"  # other queues go on


# --- opening hours and days --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "is_open"),
    [
        (8, 29, False),
        (8, 30, True),
        (11, 59, True),
        (12, 0, False),
        (12, 59, False),
        (13, 0, True),
        (16, 59, True),
        (17, 0, False),
        (7, 0, False),
        (20, 0, False),
    ],
)
def test_opening_hours(engine: Engine, hour: int, minute: int, is_open: bool) -> None:
    when = at(hour, minute)
    if is_open:
        assert take(engine, "M", when).number == "M001"
        return
    err = expect(Refused, "queue_closed", take, engine=engine, queue="M", when=when)
    assert "08:30-12:00" in err.en and "13:00-17:00" in err.en
    assert tickets_on(engine, NOW.date()) == []


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 11, 28), dt.date(2026, 11, 29), dt.date(2026, 10, 1), dt.date(2026, 10, 5)],
    ids=["saturday", "sunday", "national-day", "golden-week"],
)
def test_closed_days(engine: Engine, day: dt.date) -> None:
    assert not chinese_calendar.is_workday(day)
    err = expect(Refused, "hall_closed_day", take, engine=engine, queue="M", when=at(10, 0, day))
    assert day.isoformat() in err.en
    assert tickets_on(engine, day) == []


def test_adjusted_working_sunday_is_open(engine: Engine) -> None:
    sunday = dt.date(2026, 9, 20)  # worked in exchange for the National Day holiday
    assert sunday.weekday() == 6 and chinese_calendar.is_workday(sunday)
    ticket = take(engine, "M", at(10, 0, sunday))
    assert (ticket.number, ticket.business_date) == ("M001", "2026-09-20")


# --- token -------------------------------------------------------------------------------------


def test_token_is_unique_hex(engine: Engine) -> None:
    views = [take(engine, q) for q in "MMMMCCAAFF"]
    tokens = [v.token for v in views]
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t in tokens), tokens
    assert len(set(tokens)) == len(tokens)
    for view in views:
        assert again(engine, view).number == view.number
    expect(NotFound, "unknown_number", ticket_by_token, engine=engine, token="0" * 16)


# --- business date -----------------------------------------------------------------------------


def test_numbers_restart_at_local_midnight(engine: Engine) -> None:
    round_the_clock(engine)
    today, tomorrow = dt.date(2026, 11, 25), dt.date(2026, 11, 26)
    late = [take(engine, "M", at(23, 59, today)) for _ in range(2)]
    assert [t.number for t in late] == ["M001", "M002"]
    early = take(engine, "M", at(0, 1, tomorrow))
    assert (early.number, early.business_date, early.ahead) == ("M001", "2026-11-26", 0)
    assert tickets_on(engine, today) == ["M001", "M002"]
    # The day before was active two minutes ago: the first number of the new day leaves it
    # open (models.queue.dayclose: a clock a little ahead must not close the real day) ...
    assert [again(engine, t).status for t in late] == ["waiting", "waiting"]
    open_window(engine, 18)
    called = call_next(engine, window=18, now=at(0, 2, tomorrow))
    assert (called.number, called.business_date) == ("M001", "2026-11-26")
    finish(engine, window=18, now=at(0, 3, tomorrow))
    expect(
        NothingWaiting,
        "nothing_waiting",
        call_next,
        engine=engine,
        window=18,
        now=at(0, 4, tomorrow),
    )
    # ... and closing it once it has been quiet for hours expires them.
    assert close_past_days(engine, now=at(3, 0, tomorrow)).expired == 2
    assert [again(engine, t).status for t in late] == ["expired", "expired"]


def test_business_date_is_the_local_date_not_utc(engine: Engine) -> None:
    round_the_clock(engine)
    evening = take(engine, "M", dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC))  # 23:00 local
    assert (evening.number, evening.business_date) == ("M001", "2026-11-25")
    night = take(engine, "M", dt.datetime(2026, 11, 25, 16, 30, tzinfo=dt.UTC))  # 00:30 local
    assert (night.number, night.business_date) == ("M001", "2026-11-26")
    assert night.issued_at == "2026-11-26T00:30:00+08:00"
    assert counter(engine, dt.date(2026, 11, 26), "M") == 1
    assert counter(engine, dt.date(2026, 11, 25), "M") == 1


def test_utc_midnight_is_not_a_new_day(engine: Engine) -> None:
    round_the_clock(engine)
    dawn = take(engine, "M", dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC))  # 07:00 on the 26th
    later = take(engine, "M", dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC))  # 08:30 local
    assert [dawn.number, later.number] == ["M001", "M002"]
    assert {dawn.business_date, later.business_date} == {"2026-11-26"}
