"""Ticket notices: "turn near" once, "called" with the window, "missed" with what to do, written
with the step for tickets whose citizen left a number; nothing for the others."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import select

from models.db import reading
from models.errors import Refused
from models.notify.notices import leave_number, mask_mobile
from models.queue.calling import call_next
from models.queue.serving import cancel, finish, mark_no_show
from models.queue.tickets import take_ticket
from models.tables import OutboxMessage
from models.views.ticket import TicketView
from tests.conftest import NOW, open_window
from tests.support.hall_file import reload_hall
from tests.support.refusals import expect

MOBILE = "13812341234"


def take(engine: Engine) -> TicketView:
    return take_ticket(engine, queue="M", priority="normal", now=NOW)


def messages(engine: Engine) -> list[tuple[str, str | None, str | None, dict[str, object]]]:
    """(kind, ticket number, recipient, data) of every message, oldest first."""
    with reading(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    return [
        (r.kind, json.loads(r.data).get("number"), r.recipient, json.loads(r.data)) for r in rows
    ]


def call_and_finish(engine: Engine, window: int = 18) -> str:
    number = call_next(engine, window=window, now=NOW).number
    finish(engine, window=window, now=NOW)
    return number


def test_turn_near_is_told_once_when_the_people_ahead_reach_the_threshold(engine: Engine) -> None:
    open_window(engine, 18)
    tickets = [take(engine) for _ in range(7)]  # M001..M007; 6 ahead of M007
    assert leave_number(engine, token=tickets[6].token, mobile="138 1234 1234", now=NOW) == (
        "138****1234"
    )
    assert messages(engine) == []  # 6 ahead: not near yet (the hall's threshold is 3)
    call_and_finish(engine)  # 5 ahead
    call_and_finish(engine)  # 4 ahead
    assert messages(engine) == []
    call_and_finish(engine)  # 3 ahead: near
    assert [(k, n, r, d["ahead"]) for k, n, r, d in messages(engine)] == [
        ("turn_near", "M007", MOBILE, 3)
    ]
    call_and_finish(engine)  # 2 ahead: not again
    call_and_finish(engine)
    assert [m[0] for m in messages(engine)] == ["turn_near"]


def test_a_number_left_when_already_near_is_told_at_once(engine: Engine) -> None:
    first = take(engine)
    leave_number(engine, token=first.token, mobile=MOBILE, now=NOW)
    assert [(k, n, d["ahead"]) for k, n, _, d in messages(engine)] == [("turn_near", "M001", 0)]


def test_called_says_the_window_and_missed_says_what_to_do(engine: Engine) -> None:
    open_window(engine, 19)
    reload_hall(engine, max_misses=2, notify_near_ahead=0)  # no near notice in this test
    ticket = take(engine)
    leave_number(engine, token=ticket.token, mobile=MOBILE, now=NOW)
    call_next(engine, window=19, now=NOW)
    mark_no_show(engine, window=19, now=NOW)
    found = messages(engine)
    assert [(k, n, r) for k, n, r, _ in found] == [
        ("called", "M001", MOBILE),
        ("missed", "M001", MOBILE),
    ]
    assert found[0][3]["window"] == 19
    assert found[1][3]["void"] is False


def test_nothing_is_written_for_tickets_without_a_number(engine: Engine) -> None:
    open_window(engine, 18)
    for _ in range(5):
        take(engine)
    call_next(engine, window=18, now=NOW)
    mark_no_show(engine, window=18, now=NOW)
    call_and_finish(engine)
    assert messages(engine) == []


def test_a_cancelled_ticket_ahead_brings_the_notice(engine: Engine) -> None:
    tickets = [take(engine) for _ in range(5)]
    leave_number(engine, token=tickets[4].token, mobile=MOBILE, now=NOW)  # 4 ahead
    assert messages(engine) == []
    cancel(engine, number=tickets[0].number, now=NOW)
    assert [(k, n) for k, n, _, _ in messages(engine)] == [("turn_near", "M005")]


def test_a_bad_number_is_refused_and_a_number_can_be_taken_back(engine: Engine) -> None:
    ticket = take(engine)
    expect(
        Refused,
        "booking_bad_mobile",
        leave_number,
        engine=engine,
        token=ticket.token,
        mobile="1234",
        now=NOW,
    )
    reload_hall(engine, notify_near_ahead=0)
    leave_number(engine, token=ticket.token, mobile=MOBILE, now=NOW)
    leave_number(engine, token=ticket.token, mobile=None, now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    assert messages(engine) == []


def test_a_mobile_number_is_masked() -> None:
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_mobile(None) == "—"


def test_the_day_close_erases_the_numbers_left_for_its_tickets(engine: Engine) -> None:
    import datetime as dt

    from models.queue.dayclose import close_past_days
    from models.tables import TicketContact

    ticket = take(engine)
    leave_number(engine, token=ticket.token, mobile=MOBILE, now=NOW)
    close_past_days(engine, now=NOW + dt.timedelta(days=1, hours=2))
    with reading(engine) as session:
        assert session.exec(select(TicketContact)).all() == []


def test_near_follows_the_queue_order_rules_priority_interleave_included(engine: Engine) -> None:
    reload_hall(engine, notify_near_ahead=2)
    normal = take(engine)
    for _ in range(3):  # green channel after the normal ticket
        take_ticket(engine, queue="M", priority="green", now=NOW)
    # At most 2 priority tickets in a row while a normal one waits: G, G, then M001 (2 ahead).
    leave_number(engine, token=normal.token, mobile=MOBILE, now=NOW)
    assert [(k, n, d["ahead"]) for k, n, _, d in messages(engine)] == [("turn_near", "M001", 2)]


def test_the_day_close_expires_unsent_ticket_messages_and_masks_their_number(
    engine: Engine,
) -> None:
    import datetime as dt

    from models.notify.sender import list_messages, run_sender
    from models.queue.dayclose import close_past_days

    ticket = take(engine)
    leave_number(engine, token=ticket.token, mobile=MOBILE, now=NOW)
    run_sender(engine, once=True)  # no gateway: held
    close_past_days(engine, now=NOW + dt.timedelta(days=1, hours=2))
    assert [(m.kind, m.state) for m in list_messages(engine)] == [("turn_near", "expired")]
    assert [r for _, _, r, _ in messages(engine)] == ["138****1234"]


def test_a_checked_in_booking_is_told_at_the_bookings_number(engine: Engine) -> None:
    import datetime as dt

    from models.queue.appointments import check_in
    from models.queue.booking import book
    from tests.conftest import CST

    thursday = dt.date(2026, 11, 26)
    made = book(engine, item_code="M01", day=thursday, start=dt.time(9, 0), name="张三丰",
                mobile="13900000001", channel="web", now=NOW)  # fmt: skip
    arrived = dt.datetime.combine(thursday, dt.time(8, 50), tzinfo=CST)
    check_in(engine, code=made.code, now=arrived)
    open_window(engine, 18)
    call_next(engine, window=18, now=arrived)
    told = [(k, n, r) for k, n, r, _ in messages(engine) if k in ("called", "turn_near")]
    assert told == [("called", "M001", "13900000001")]
