"""Honest counts in the core: a citizen is counted served only when the clerk said they came.

A ticket called and never started, finished as "did not come", is a no-show in the report and
the window's day figures; the rating pad asks only while nobody else is at the window; a call
that ended without service leaves the board's big line; a window closing puts its citizen back.
"""

from __future__ import annotations

from sqlmodel import select

from models.db import reading
from models.queue.calling import call_next
from models.queue.serving import cancel, finish, mark_no_show, put_back, requeue, start, transfer
from models.queue.tickets import take_ticket
from models.reports.report import report
from models.supervision.ratings import ratable_ticket, rate
from models.tables import Event
from models.views.board import board_state
from models.views.window import window_view
from tests.conftest import NOW, open_window


def _called(engine, *queues: str, window: int = 18) -> str:
    for queue in queues:
        take_ticket(engine, queue=queue, now=NOW)
    open_window(engine, window)
    return call_next(engine, window=window, now=NOW).number


def test_a_called_ticket_finished_as_not_came_is_a_no_show_not_served(engine) -> None:
    number = _called(engine, "M", "M")
    view = finish(engine, window=18, came=False, now=NOW)
    assert view.number == number and view.status == "missed" and view.misses == 1
    figures = window_view(engine, window=18, now=NOW).figures
    assert (figures.served, figures.no_shows) == (0, 1)
    total = report(engine, start=NOW.date(), end=NOW.date(), now=NOW).total
    assert (total.served, total.no_shows) == (0, 1)
    assert ratable_ticket(engine, window=18, now=NOW) is None  # nobody to ask about


def test_a_called_ticket_finished_as_came_is_served(engine) -> None:
    _called(engine, "M")
    assert finish(engine, window=18, came=True, now=NOW).status == "done"
    figures = window_view(engine, window=18, now=NOW).figures
    assert (figures.served, figures.no_shows) == (1, 0)
    total = report(engine, start=NOW.date(), end=NOW.date(), now=NOW).total
    assert (total.served, total.no_shows) == (1, 0)


def test_a_started_ticket_is_served_whatever_came_says(engine) -> None:
    _called(engine, "M")
    start(engine, window=18, now=NOW)
    assert finish(engine, window=18, came=False, now=NOW).status == "done"


def test_finishing_as_not_came_voids_after_the_halls_maximum_misses(engine) -> None:
    number = _called(engine, "M")
    mark_no_show(engine, window=18, now=NOW)
    requeue(engine, number=number, now=NOW)
    call_next(engine, window=18, now=NOW)
    view = finish(engine, window=18, came=False, now=NOW)
    assert (view.status, view.misses) == ("void", 2)


def test_the_pad_does_not_ask_once_the_next_citizen_is_called(engine) -> None:
    first = _called(engine, "M", "M")
    finish(engine, window=18, came=True, now=NOW)
    asked = ratable_ticket(engine, window=18, now=NOW)
    assert asked is not None and asked.number == first
    assert not window_view(engine, window=18, now=NOW).last_finished.rated
    call_next(engine, window=18, now=NOW)  # the next citizen sits down
    assert ratable_ticket(engine, window=18, now=NOW) is None


def test_the_window_view_says_when_the_last_finished_ticket_is_rated(engine) -> None:
    _called(engine, "M")
    finish(engine, window=18, came=True, now=NOW)
    rate(engine, window=18, level=5, now=NOW)
    assert window_view(engine, window=18, now=NOW).last_finished.rated


def test_a_missed_cancelled_or_transferred_call_leaves_the_big_line(engine) -> None:
    for queue in "MMMM":
        take_ticket(engine, queue=queue, now=NOW)
    open_window(engine, 18)
    open_window(engine, 19, clerk="1002")
    assert call_next(engine, window=19, now=NOW).number == "M001"
    assert call_next(engine, window=18, now=NOW).number == "M002"
    assert board_state(engine, now=NOW).newest.number == "M002"
    mark_no_show(engine, window=18, now=NOW)
    state = board_state(engine, now=NOW)
    assert state.newest.number == "M001" and "M002" in state.missed
    assert "M002" not in [c.number for c in state.calls]
    assert call_next(engine, window=18, now=NOW).number == "M003"
    cancel(engine, window=18, now=NOW)
    assert board_state(engine, now=NOW).newest.number == "M001"
    assert call_next(engine, window=18, now=NOW).number == "M004"
    transfer(engine, window=18, to_queue="A", now=NOW)
    assert board_state(engine, now=NOW).newest.number == "M001"


def test_a_requeued_call_comes_back_on_the_big_line_when_called_again(engine) -> None:
    number = _called(engine, "M")
    mark_no_show(engine, window=18, now=NOW)
    requeue(engine, number=number, now=NOW)
    assert board_state(engine, now=NOW).newest is None
    call_next(engine, window=18, now=NOW)
    assert board_state(engine, now=NOW).newest.number == number


def test_a_closing_window_puts_its_citizen_back_first_in_line_without_a_miss(engine) -> None:
    number = _called(engine, "M", "M", "M")
    back = put_back(engine, window=18, now=NOW)
    assert (back.number, back.status, back.misses) == (number, "waiting", 0)
    view = window_view(engine, window=18, now=NOW)
    assert view.current is None and view.queues[0].next[0] == number
    assert board_state(engine, now=NOW).newest is None
    open_window(engine, 19, clerk="1002")
    assert call_next(engine, window=19, now=NOW).number == number  # called first elsewhere
    with reading(engine) as session:
        kinds = [e.kind for e in session.exec(select(Event).order_by(Event.seq)).all()]
    assert kinds.count("requeued") == 1 and kinds.count("missed") == 0
