"""The board's state from the core (models.views.board): calls, recalls, zones, waiting, missed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from models.errors import NotFound
from models.events import last_event_seq
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, recall, requeue
from models.queue.tickets import take_ticket
from models.views.board import board_queues, board_state
from tests.conftest import open_window


def take(engine: Engine, now: dt.datetime, *queues: str) -> None:
    for queue in queues:
        take_ticket(engine, queue=queue, now=now)


def test_an_empty_morning(engine: Engine, now: dt.datetime) -> None:
    state = board_state(engine, now=now)
    assert state.hall_zh == "济南市政务服务中心"
    assert state.newest is None and state.calls == [] and state.missed == []
    assert [q.prefix for q in state.queues] == ["A", "B", "C", "D", "E", "M", "F"]
    assert all(q.waiting == 0 for q in state.queues)
    assert state.version == last_event_seq(engine)


def test_calls_newest_first_with_windows_and_waiting_counts(
    engine: Engine, now: dt.datetime
) -> None:
    take(engine, now, "M", "M", "M", "A")
    open_window(engine, 18)
    open_window(engine, 1, "1002")
    call_next(engine, window=18, now=now)
    call_next(engine, window=1, now=now + dt.timedelta(minutes=1))
    state = board_state(engine, now=now)
    assert [(c.number, c.window, c.recall) for c in state.calls] == [
        ("A001", 1, False),
        ("M001", 18, False),
    ]
    assert state.calls[0].at.utcoffset() == dt.timedelta(hours=8)  # the hall's local time
    assert state.calls[0].at.strftime("%H:%M") == "10:01"
    waiting = {q.prefix: q.waiting for q in state.queues}
    assert waiting["M"] == 2 and waiting["A"] == 0
    assert state.version == last_event_seq(engine)


def test_a_recall_is_a_new_call_to_announce(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M")
    open_window(engine, 18)
    call_next(engine, window=18, now=now)
    before = board_state(engine, now=now)
    recall(engine, window=18, now=now)
    after = board_state(engine, now=now)
    assert after.version > before.version
    assert after.newest is not None and after.newest.recall
    assert (after.newest.number, after.newest.window) == ("M001", 18)
    fresh = after.after(before.calls[0].seq)
    assert [(c.number, c.recall) for c in fresh] == [("M001", True)]
    # The recent list shows each number once, below the newest.
    finish(engine, window=18, now=now)
    call_next(engine, window=18, now=now)
    state = board_state(engine, now=now)
    assert [c.number for c in state.calls] == ["M002", "M001", "M001"]
    assert [c.number for c in state.recent(5)] == ["M001"]


def test_backlog_comes_oldest_first(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M", "M")
    open_window(engine, 18)
    open_window(engine, 19, "1002")
    open_window(engine, 20, "1003")
    seen = board_state(engine, now=now).version
    for window in (18, 19, 20):
        call_next(engine, window=window, now=now)
    fresh = board_state(engine, now=now).after(seen)
    assert [(c.number, c.window) for c in fresh] == [("M001", 18), ("M002", 19), ("M003", 20)]


def test_zones_filter_calls_waiting_and_missed(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M", "A", "A", "B")
    open_window(engine, 18)
    open_window(engine, 1, "1002")
    call_next(engine, window=18, now=now)
    mark_no_show(engine, window=18, now=now)
    call_next(engine, window=1, now=now)
    mark_no_show(engine, window=1, now=now)
    call_next(engine, window=1, now=now)
    state = board_state(engine, queues=["A", "B"], now=now)
    assert [q.prefix for q in state.queues] == ["A", "B"]
    assert [c.number for c in state.calls] == ["A002"]  # A001 missed: on the missed line only
    assert state.missed == ["A001"]
    assert {q.prefix: q.waiting for q in state.queues} == {"A": 0, "B": 1}
    everything = board_state(engine, now=now)
    assert everything.missed == ["A001", "M001"]


def test_missed_list_drops_requeued_and_void_numbers(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M", "M")
    open_window(engine, 18)
    call_next(engine, window=18, now=now)
    mark_no_show(engine, window=18, now=now)  # M001 missed
    call_next(engine, window=18, now=now)
    mark_no_show(engine, window=18, now=now)  # M002 missed
    assert board_state(engine, now=now).missed == ["M001", "M002"]
    requeue(engine, number="M001", now=now)
    assert board_state(engine, now=now).missed == ["M002"]


def test_yesterdays_calls_are_not_shown(engine: Engine, now: dt.datetime) -> None:
    yesterday = now - dt.timedelta(days=1)
    take(engine, yesterday, "M")
    open_window(engine, 18)
    call_next(engine, window=18, now=yesterday)
    mark_no_show(engine, window=18, now=yesterday)
    state = board_state(engine, now=now)
    assert state.calls == [] and state.missed == []
    assert board_state(engine, now=yesterday).missed == ["M001"]


def test_board_queues_checks_the_letters(engine: Engine) -> None:
    assert board_queues(engine) == ["A", "B", "C", "D", "E", "M", "F"]
    assert board_queues(engine, ["m", " a", "B"]) == ["A", "B", "M"]  # hall order
    with pytest.raises(NotFound) as refused:
        board_queues(engine, ["A", "X"])
    assert refused.value.zh == "没有这个队列：X"
    assert "A,B,C,D,E,M,F" in refused.value.hint
    with pytest.raises(NotFound):
        board_queues(engine, [""])
