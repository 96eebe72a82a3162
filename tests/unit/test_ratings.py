"""好差评 in the core: one rating per finished ticket, reasons for bad ones, rectification items
due in 15 working days counted by hand on the Chinese calendar, closing them, overdue lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import col, select

from models.db import reading
from models.errors import NotFound, Refused
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.ratings import (
    close_rectification,
    list_rectifications,
    ratable_ticket,
    rate,
)
from models.tables import Event, Rating, Rectification
from tests.conftest import CST, NOW, open_window
from tests.support.refusals import expect


def serve(engine, *, at: dt.datetime = NOW, window: int = 18, item: str | None = "M05") -> str:
    """A citizen takes a ticket, is called to the window and finished: its number."""
    if item:
        take_ticket(engine, item=item, now=at)
    else:
        take_ticket(engine, queue="M", now=at)
    number = call_next(engine, window=window, now=at).number
    finish(engine, window=window, now=at + dt.timedelta(minutes=3))
    return number


def events(engine, kind: str) -> list[Event]:
    with reading(engine) as session:
        rows = session.exec(select(Event).where(Event.kind == kind).order_by(col(Event.seq))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def rectifications(engine) -> list[Rectification]:
    with reading(engine) as session:
        rows = session.exec(select(Rectification).order_by(col(Rectification.id))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def test_the_window_s_last_finished_ticket_is_rated_once(engine) -> None:
    open_window(engine, 18)
    assert ratable_ticket(engine, window=18, now=NOW) is None  # nothing finished yet
    expect(Refused, "nothing_finished", rate, engine=engine, window=18, level=5, now=NOW)
    number = serve(engine)
    asked = ratable_ticket(engine, window=18, now=NOW)
    assert asked is not None and asked.number == number == "M001"
    assert asked.item == "M05" and asked.item_zh
    rating = rate(engine, window=18, level=5, now=NOW)
    assert (rating.number, rating.level_zh, rating.clerk_code) == ("M001", "非常满意", "1001")
    assert rating.rectification_id is None
    assert ratable_ticket(engine, window=18, now=NOW) is None
    err = expect(
        Refused, "already_rated", rate, engine=engine, window=18, level=1, reason="x", now=NOW
    )
    assert "M001" in err.zh and "非常满意" in err.zh
    [event] = events(engine, "rated")
    assert (event.ticket_id, event.window, event.clerk_code) == (asked.ticket_id, 18, "1001")
    assert json.loads(event.data)["level"] == 5
    with reading(engine) as session:
        assert len(session.exec(select(Rating)).all()) == 1


def test_only_the_newest_finished_ticket_is_asked_about(engine) -> None:
    open_window(engine, 18)
    serve(engine)  # M001 leaves without rating
    serve(engine, item=None)  # M002
    asked = ratable_ticket(engine, window=18, now=NOW)
    assert asked is not None and asked.number == "M002" and asked.item is None
    assert rate(engine, window=18, level=4, now=NOW).number == "M002"
    # M001's citizen has gone: the pad does not ask about it, and nothing rates it now.
    assert ratable_ticket(engine, window=18, now=NOW) is None
    expect(Refused, "already_rated", rate, engine=engine, window=18, level=4, now=NOW)


def test_yesterday_s_ticket_is_not_asked_about_today(engine) -> None:
    open_window(engine, 18)
    serve(engine, at=NOW - dt.timedelta(days=1))
    assert ratable_ticket(engine, window=18, now=NOW) is None
    expect(Refused, "nothing_finished", rate, engine=engine, window=18, level=5, now=NOW)


def test_levels_and_reasons_are_checked(engine) -> None:
    open_window(engine, 18)
    serve(engine)
    for level in (0, 6):
        expect(Refused, "rating_bad_level", rate, engine=engine, window=18, level=level)
    for level in (1, 2):
        err = expect(
            Refused, "rating_needs_reason", rate, engine=engine, window=18, level=level, reason=" "
        )
        assert "不满意" in err.zh
    expect(NotFound, "unknown_window", rate, engine=engine, window=99, level=5, now=NOW)
    expect(NotFound, "unknown_window", ratable_ticket, engine=engine, window=99, now=NOW)
    assert rectifications(engine) == []
    # 基本满意 needs no reason and opens nothing.
    assert rate(engine, window=18, level=3, now=NOW).rectification_id is None
    assert rectifications(engine) == [] and events(engine, "rectification_opened") == []


def test_a_bad_rating_opens_a_rectification_due_across_national_day(engine) -> None:
    # Monday 2026-09-28. Fifteen working days by hand on the 2026 calendar: 9-29, 9-30 (2);
    # 10-01…10-07 国庆 holiday; 10-08, 10-09 (4); Saturday 10-10 an adjusted workday (5);
    # 10-12…10-16 (10); 10-19…10-23 (15). Monday to Friday alone would give 10-19.
    at = dt.datetime(2026, 9, 28, 10, 0, tzinfo=CST)
    open_window(engine, 18)
    serve(engine, at=at)
    rating = rate(engine, window=18, level=1, reason="态度不好", now=at + dt.timedelta(minutes=5))
    assert rating.rectification_id is not None
    assert (rating.due_date, rating.provisional) == (dt.date(2026, 10, 23), False)
    [item] = rectifications(engine)
    assert (item.reason, item.window, item.clerk_code) == ("态度不好", 18, "1001")
    assert item.due_date == dt.date(2026, 10, 23) and not item.provisional
    [opened] = events(engine, "rectification_opened")
    assert json.loads(opened.data)["due"] == "2026-10-23"
    assert len(events(engine, "rated")) == 1


def test_a_due_date_past_the_calendar_s_data_is_provisional(engine) -> None:
    # Wednesday 2026-12-16: 12-17, 12-18 (2); 12-21…12-25 (7); 12-28…12-31 (11); 2027 is not
    # announced yet, so Monday to Friday: 2027-01-01 (12), 01-04, 01-05, 01-06 (15).
    at = dt.datetime(2026, 12, 16, 15, 0, tzinfo=CST)
    open_window(engine, 18)
    serve(engine, at=at)
    rating = rate(engine, window=18, level=2, reason="等候时间长", now=at)
    assert (rating.due_date, rating.provisional) == (dt.date(2027, 1, 6), True)
    [item] = list_rectifications(engine, now=at)
    assert item.provisional and item.due_date == dt.date(2027, 1, 6)


def test_rectifications_are_listed_overdue_and_closed(engine) -> None:
    open_window(engine, 18)
    serve(engine)
    rate(engine, window=18, level=2, reason="办理时间长", now=NOW)  # due 2026-12-16
    serve(engine)
    rate(engine, window=18, level=5, now=NOW)
    serve(engine)
    rate(engine, window=18, level=1, reason="材料要求不清", now=NOW)
    first, second = list_rectifications(engine, now=NOW)
    assert [first.number, second.number] == ["M001", "M003"]
    assert (first.level, first.reason, first.state, first.due_date) == (
        2,
        "办理时间长",
        "open",
        dt.date(2026, 12, 16),
    )
    on_due_day = dt.datetime(2026, 12, 16, 17, 0, tzinfo=CST)
    assert list_rectifications(engine, overdue_only=True, now=on_due_day) == []
    day_after = dt.datetime(2026, 12, 17, 9, 0, tzinfo=CST)
    late = list_rectifications(engine, overdue_only=True, now=day_after)
    assert [r.id for r in late] == [first.id, second.id] and all(r.overdue for r in late)

    closed = close_rectification(
        engine, id=first.id, by="1003", note="已约谈并改进流程", now=day_after
    )
    assert (closed.state, closed.closed_by, closed.note) == ("closed", "1003", "已约谈并改进流程")
    assert not closed.overdue
    assert [r.id for r in list_rectifications(engine, now=day_after)] == [second.id]
    assert [r.id for r in list_rectifications(engine, overdue_only=True, now=day_after)] == [
        second.id
    ]
    everything = list_rectifications(engine, open_only=False, now=day_after)
    assert [(r.id, r.state) for r in everything] == [(first.id, "closed"), (second.id, "open")]
    [event] = events(engine, "rectification_closed")
    assert event.clerk_code == "1003" and json.loads(event.data)["late"] is True


def test_closing_refuses_unknown_closed_and_empty(engine) -> None:
    open_window(engine, 18)
    serve(engine)
    item = rate(engine, window=18, level=1, reason="态度不好", now=NOW)
    assert item.rectification_id is not None
    rid = item.rectification_id
    close = close_rectification
    expect(Refused, "rectification_note", close, engine=engine, id=rid, by="1001", note="  ")
    expect(NotFound, "unknown_rectification", close, engine=engine, id=999, by="1001", note="x")
    expect(NotFound, "unknown_clerk", close, engine=engine, id=rid, by="9999", note="x")
    close(engine, id=rid, by="1002", note="已整改", now=NOW)
    err = expect(Refused, "rectification_closed", close, engine=engine, id=rid, by="1001", note="y")
    assert "1002" in err.zh
    assert len(events(engine, "rectification_closed")) == 1


@pytest.mark.parametrize("level", [1, 5])
def test_rating_does_not_change_the_ticket(engine, level: int) -> None:
    open_window(engine, 18)
    serve(engine)
    before = ratable_ticket(engine, window=18, now=NOW)
    rate(engine, window=18, level=level, reason="其他", now=NOW)
    with reading(engine) as session:
        [rating] = session.exec(select(Rating)).all()
        assert rating.ticket_id == (before.ticket_id if before else None)
        assert rating.reason == "其他"
