"""Serving a called ticket: recall, start, finish, no-show, requeue, transfer, cancel, events."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.errors import NothingWaiting, Refused
from models.events import last_event_seq
from models.queue.calling import call_next, call_number
from models.queue.serving import cancel, finish, mark_no_show, recall, requeue, start, transfer
from models.queue.tickets import take_ticket, ticket_by_token
from models.tables import Event, Ticket
from models.timeutil import to_utc
from models.views.ticket import TicketView
from tests.conftest import NOW, open_window
from tests.support.hall_file import reload_hall
from tests.support.refusals import expect

TODAY = NOW.date()


def later(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def take(engine: Engine, queue: str = "M", priority: str = "normal") -> TicketView:
    return take_ticket(engine, queue=queue, priority=priority, now=NOW)


def nxt(engine: Engine, window: int, when: dt.datetime = NOW) -> TicketView:
    return call_next(engine, window=window, now=when)


def rows(engine: Engine, number: str) -> list[Ticket]:
    """Today's ticket rows showing a number, oldest first (a transfer keeps the number)."""
    with Session(engine) as session:
        found = session.exec(
            select(Ticket).where(Ticket.business_date == TODAY).order_by(col(Ticket.id))
        ).all()
        return [t for t in found if t.number == number]


def row(engine: Engine, number: str) -> Ticket:
    """Today's newest ticket row showing a number (to read times the screens do not show)."""
    return rows(engine, number)[-1]


def status(engine: Engine, number: str) -> str:
    return str(row(engine, number).status)


def drain(engine: Engine, window: int) -> list[str]:
    """Call and finish at a window until nothing waits for it; the numbers in call order."""
    called = []
    while True:
        try:
            called.append(nxt(engine, window).number)
        except NothingWaiting:
            return called
        finish(engine, window=window, now=NOW)


def new_events(engine: Engine, since: int) -> list[Event]:
    with Session(engine) as session:
        return list(
            session.exec(select(Event).where(Event.seq > since).order_by(col(Event.seq))).all()
        )


# --- recall, start, finish -----------------------------------------------------------------------


def test_recall_counts_only_while_called(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    assert recall(engine, window=18, now=later(1)).recalls == 1
    again = recall(engine, window=18, now=later(2))
    assert (again.number, again.status, again.recalls, again.window) == ("M001", "called", 2, 18)
    start(engine, window=18, now=later(3))
    err = expect(Refused, "wrong_state", recall, engine=engine, window=18, now=later(4))
    assert "M001" in err.en and "serving" in err.en and "重呼" in err.zh
    assert row(engine, "M001").recalls == 2


def test_start_then_finish(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18, later(1))
    serving = start(engine, window=18, now=later(2))
    assert (serving.status, serving.window) == ("serving", 18)
    expect(Refused, "wrong_state", start, engine=engine, window=18, now=later(3))
    expect(Refused, "wrong_state", mark_no_show, engine=engine, window=18, now=later(3))
    done = finish(engine, window=18, now=later(9))
    assert (done.status, done.window) == ("done", 18)
    ticket = row(engine, "M001")
    assert to_utc(ticket.called_at) == to_utc(later(1))  # type: ignore[arg-type]
    assert to_utc(ticket.started_at) == to_utc(later(2))  # type: ignore[arg-type]
    assert to_utc(ticket.finished_at) == to_utc(later(9))  # type: ignore[arg-type]


def test_finish_from_called_starts_at_the_call(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18, later(1))
    assert finish(engine, window=18, now=later(6)).status == "done"
    ticket = row(engine, "M001")
    assert to_utc(ticket.started_at) == to_utc(ticket.called_at) == to_utc(later(1))  # type: ignore[arg-type]
    assert to_utc(ticket.finished_at) == to_utc(later(6))  # type: ignore[arg-type]
    expect(Refused, "no_current", finish, engine=engine, window=18, now=later(7))


# --- no-show and requeue -------------------------------------------------------------------------


def test_no_show_then_void_on_the_second(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    missed = mark_no_show(engine, window=18, now=later(1))
    assert (missed.status, missed.misses) == ("missed", 1)
    back = requeue(engine, number="M001", now=later(2))
    assert (back.status, back.misses, back.ahead) == ("waiting", 1, 0)
    assert nxt(engine, 18, later(3)).number == "M001"
    void = mark_no_show(engine, window=18, now=later(4))
    assert (void.status, void.misses) == ("void", 2)
    err = expect(Refused, "void_misses", requeue, engine=engine, number="M001", now=later(5))
    assert "M001" in err.en and "2" in err.en
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=18, now=later(6))


def test_requeue_goes_behind_three_waiting(engine: Engine) -> None:
    for _ in range(6):
        take(engine)
    open_window(engine, 18)
    assert nxt(engine, 18).number == "M001"
    mark_no_show(engine, window=18, now=later(1))
    back = requeue(engine, number="m1", now=later(2))
    assert (back.number, back.status, back.ahead, back.window) == ("M001", "waiting", 3, None)
    assert drain(engine, 18) == ["M002", "M003", "M004", "M001", "M005", "M006"]


def test_requeue_with_few_waiting_goes_to_the_end(engine: Engine) -> None:
    for _ in range(3):
        take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    mark_no_show(engine, window=18, now=later(1))
    assert requeue(engine, number="M001", now=later(2)).ahead == 2
    take(engine)  # M004, after the requeue
    assert drain(engine, 18) == ["M002", "M003", "M001", "M004"]


def test_requeue_refuses_open_tickets(engine: Engine) -> None:
    take(engine)
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    err = expect(Refused, "wrong_state", requeue, engine=engine, number="M002", now=NOW)
    assert "M002" in err.en and "waiting" in err.en and "等候" in err.zh
    expect(Refused, "wrong_state", requeue, engine=engine, number="M001", now=NOW)
    assert (status(engine, "M001"), status(engine, "M002")) == ("called", "waiting")


# --- transfer ------------------------------------------------------------------------------------


def test_transfer_to_a_queue(engine: Engine) -> None:
    take(engine)  # M001
    take(engine, "C")  # C001
    take(engine, "C")  # C002
    open_window(engine, 18, "1001")
    old = nxt(engine, 18)
    start(engine, window=18, now=later(1))
    new = transfer(engine, window=18, to_queue="C", now=later(5))
    # The citizen keeps the number on their slip, now waiting first in zone C.
    assert (new.number, new.queue, new.status) == ("M001", "C", "waiting")
    assert (new.transferred_from, new.priority, new.ahead, new.window) == (
        "M001",
        "normal",
        0,
        None,
    )
    assert ticket_by_token(engine, old.token).status == "waiting"  # the slip's QR: the live one
    first, moved = rows(engine, "M001")
    assert (first.status, moved.parent_id, moved.seq) == ("transferred", first.id, 3)
    assert new.issued_at == old.issued_at  # the wait goes on from the first ticket
    open_window(engine, 9, "1002")
    assert drain(engine, 9) == ["M001", "C001", "C002"]
    # window 18 is free again and M001 is not back in its line
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=18, now=later(6))
    assert take(engine, "C").number == "C004"  # C003 went to the transfer: never shown


def test_the_slip_qr_leads_to_the_ticket_the_citizen_holds_after_transfers(engine: Engine) -> None:
    slip = take(engine)  # M001
    open_window(engine, 18, "1001")
    open_window(engine, 9, "1002")
    nxt(engine, 18)
    transfer(engine, window=18, to_queue="C", now=later(2))
    assert call_next(engine, window=9, now=later(3)).number == "M001"
    again = transfer(engine, window=9, to_queue="M", now=later(4))
    held = ticket_by_token(engine, slip.token)
    assert (held.number, held.queue, held.status, held.token) == (
        "M001",
        "M",
        "waiting",
        again.token,
    )
    # the first tickets stay as they were, for audits and reports
    assert [t.status for t in rows(engine, "M001")] == ["transferred", "transferred", "waiting"]
    assert rows(engine, "M001")[0].token == slip.token


def test_a_hall_can_give_a_transfer_a_new_number(engine: Engine) -> None:
    reload_hall(engine, transfer_number="new")
    old = take(engine)  # M001
    take(engine, "C")  # C001
    open_window(engine, 18, "1001")
    nxt(engine, 18)
    new = transfer(engine, window=18, to_queue="C", now=later(5))
    assert (new.number, new.transferred_from, new.ahead) == ("C002", "M001", 0)
    assert new.issued_at == old.issued_at  # a new number, but the wait is not reset
    assert row(engine, "C002").parent_id == row(engine, "M001").id
    open_window(engine, 9, "1002")
    assert call_number(engine, window=9, number="C002", now=later(6)).number == "C002"


def test_transfer_keeps_the_priority_class(engine: Engine) -> None:
    take(engine, priority="green")
    take(engine, "D")
    open_window(engine, 18)
    nxt(engine, 18)
    new = transfer(engine, window=18, to_queue="D", now=later(2))
    assert (new.number, new.priority, new.transferred_from) == ("M001", "green", "M001")
    open_window(engine, 13, "1002")
    assert nxt(engine, 13).number == "M001"
    assert row(engine, "M001").queue_id != rows(engine, "M001")[0].queue_id  # in zone D


def test_transfer_to_a_window_reserves_it(engine: Engine) -> None:
    take(engine)  # M001
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    open_window(engine, 20, "1003")
    nxt(engine, 18)
    new = transfer(engine, window=18, to_window=19, now=later(1))
    assert (new.number, new.queue, new.window, new.transferred_from) == ("M001", "M", 19, "M001")
    assert take(engine).number == "M003"  # for anyone (M002 went to the transfer)
    assert nxt(engine, 20).number == "M003"  # 20 serves M too, but not the transferred M001
    finish(engine, window=20, now=later(2))
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=20, now=later(3))
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=18, now=later(3))
    got = nxt(engine, 19, later(4))
    assert (got.number, got.window) == ("M001", 19)


def test_transfer_to_a_window_is_not_called_by_number_elsewhere(engine: Engine) -> None:
    """Only the window a ticket was transferred to may call it (tables.Ticket.target_window)."""
    take(engine)
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    open_window(engine, 20, "1003")
    nxt(engine, 18)
    transfer(engine, window=18, to_window=19, now=later(1))
    # The number the citizen holds finds the ticket made by the transfer, not the first one.
    expect(
        Refused,
        "reserved_for_window",
        call_number,
        engine=engine,
        window=20,
        number="M001",
        now=later(2),
    )
    assert status(engine, "M001") == "waiting"
    assert call_number(engine, window=19, number="m1", now=later(3)).window == 19
    assert [t.status for t in rows(engine, "M001")] == ["transferred", "called"]


def test_a_transferred_number_is_refused_where_its_new_zone_is_not_served(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    nxt(engine, 18)
    transfer(engine, window=18, to_queue="C", now=later(1))
    # M001 now waits in zone C: window 19 serves M only, and says the zone the ticket is in.
    err = expect(
        Refused, "window_not_serving", call_number, engine=engine, window=19, number="M001",
        now=later(2),
    )  # fmt: skip
    assert err.en == "window 19 does not serve queue C"


def test_transfer_needs_a_target(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    seq = last_event_seq(engine)
    expect(Refused, "transfer_target", transfer, engine=engine, window=18, now=later(1))
    expect(Refused, "transfer_same", transfer, engine=engine, window=18, to_queue="M", now=later(1))
    err = expect(
        Refused,
        "window_not_serving",
        transfer,
        engine=engine,
        window=18,
        to_queue="A",
        to_window=19,
        now=later(1),
    )
    assert "19" in err.en and "A" in err.en
    assert last_event_seq(engine) == seq
    assert status(engine, "M001") == "called"


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_by_window_and_by_number(engine: Engine) -> None:
    for _ in range(3):
        take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    gone = cancel(engine, window=18, now=later(1))
    assert (gone.number, gone.status) == ("M001", "cancelled")
    assert cancel(engine, number="M002", now=later(2)).status == "cancelled"
    assert drain(engine, 18) == ["M003"]
    err = expect(Refused, "wrong_state", cancel, engine=engine, number="M003", now=later(3))
    assert "done" in err.en and "取消" in err.zh
    expect(Refused, "wrong_state", cancel, engine=engine, number="M001", now=later(3))
    expect(Refused, "cancel_target", cancel, engine=engine, now=later(3))
    assert [status(engine, n) for n in ("M001", "M002", "M003")] == [
        "cancelled",
        "cancelled",
        "done",
    ]


def test_cancel_a_missed_ticket(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    mark_no_show(engine, window=18, now=later(1))
    assert cancel(engine, number="M001", now=later(2)).status == "cancelled"
    expect(Refused, "wrong_state", requeue, engine=engine, number="M001", now=later(3))


# --- events and the empty window -----------------------------------------------------------------


def test_every_operation_writes_exactly_one_event(engine: Engine) -> None:
    open_window(engine, 18)
    steps: list[tuple[str, str, Callable[[], object]]] = [
        ("issued", "M001", lambda: take(engine)),
        ("issued", "M002", lambda: take(engine)),
        ("issued", "M003", lambda: take(engine)),
        ("called", "M001", lambda: nxt(engine, 18)),
        ("recalled", "M001", lambda: recall(engine, window=18, now=later(1))),
        ("missed", "M001", lambda: mark_no_show(engine, window=18, now=later(2))),
        ("requeued", "M001", lambda: requeue(engine, number="M001", now=later(3))),
        ("called", "M002", lambda: nxt(engine, 18, later(4))),
        ("started", "M002", lambda: start(engine, window=18, now=later(5))),
        ("finished", "M002", lambda: finish(engine, window=18, now=later(9))),
        ("called", "M003", lambda: call_number(engine, window=18, number="M003", now=later(10))),
        ("transferred", "M003", lambda: transfer(engine, window=18, to_queue="C", now=later(11))),
        ("cancelled", "M003", lambda: cancel(engine, number="M003", now=later(12))),
        ("called", "M001", lambda: nxt(engine, 18, later(13))),
        ("cancelled", "M001", lambda: cancel(engine, window=18, now=later(14))),
    ]
    for kind, number, step in steps:
        seq = last_event_seq(engine)
        step()
        events = new_events(engine, seq)
        assert [e.kind for e in events] == [kind], (kind, number)
        assert json.loads(events[0].data)["number"] == number
        # The transferred ticket is the first showing M003; the cancelled one, the newest.
        showing = rows(engine, number)
        assert events[0].ticket_id == (showing[0] if kind == "transferred" else showing[-1]).id
    transferred = json.loads(new_events(engine, 0)[-4].data)
    assert transferred["new_number"] == "M003" and transferred["to_queue"] == "C"


def test_refusals_write_no_event(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    seq = last_event_seq(engine)
    expect(Refused, "no_current", finish, engine=engine, window=18, now=NOW)
    expect(Refused, "wrong_state", requeue, engine=engine, number="M001", now=NOW)
    nxt(engine, 18)
    expect(Refused, "window_busy", call_next, engine=engine, window=18, now=NOW)
    assert [e.kind for e in new_events(engine, seq)] == ["called"]


@pytest.mark.parametrize(
    ("action", "op"),
    [
        ("recall", lambda e: recall(e, window=18, now=NOW)),
        ("no-show", lambda e: mark_no_show(e, window=18, now=NOW)),
        ("start", lambda e: start(e, window=18, now=NOW)),
        ("finish", lambda e: finish(e, window=18, now=NOW)),
        ("transfer", lambda e: transfer(e, window=18, to_queue="C", now=NOW)),
        ("cancel", lambda e: cancel(e, window=18, now=NOW)),
    ],
)
def test_actions_need_a_current_ticket(
    engine: Engine, action: str, op: Callable[[Engine], object]
) -> None:
    take(engine)  # waits, but nobody has called it
    open_window(engine, 18)
    seq = last_event_seq(engine)
    err = expect(Refused, "no_current", op, e=engine)
    assert "18" in err.en, action
    assert last_event_seq(engine) == seq
    assert status(engine, "M001") == "waiting"


def test_requeues_keep_their_order_after_renumbering(engine: Engine) -> None:
    """Sixty requeues into one gap outrun a float's precision; the line must stay in order."""
    for _ in range(64):
        take(engine)
    open_window(engine, 18)
    for n in range(1, 61):
        assert nxt(engine, 18).number == f"M{n:03d}"
        mark_no_show(engine, window=18, now=later(1))
    for n in range(1, 61):
        requeue(engine, number=f"M{n:03d}", now=later(2))
    order = []
    while True:
        try:
            view = call_next(engine, window=18, finish_current=True, now=later(3))
        except NothingWaiting:
            break
        order.append(view.number)
    expected = ["M061", "M062", "M063", *[f"M{n:03d}" for n in range(60, 0, -1)], "M064"]
    assert order == expected
