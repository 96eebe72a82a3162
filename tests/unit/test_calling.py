"""Calling tickets to a window: readiness, queue order, priority interleave, call by number."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine

from models.clerks import staff
from models.errors import NotFound, NothingWaiting, Refused
from models.hall import default_hall_path, read_hall_file
from models.queue.calling import call_next, call_number
from models.queue.serving import finish, mark_no_show, requeue
from models.queue.tickets import take_ticket, ticket_by_token
from models.views.ticket import TicketView
from tests.conftest import NOW, open_window
from tests.support.refusals import expect


def take(engine: Engine, queue: str = "M", priority: str = "normal") -> TicketView:
    return take_ticket(engine, queue=queue, priority=priority, now=NOW)


def nxt(engine: Engine, window: int) -> TicketView:
    return call_next(engine, window=window, now=NOW)


def drain(engine: Engine, window: int) -> list[str]:
    """Call and finish at a window until nothing waits for it; the numbers in call order."""
    called = []
    while True:
        try:
            called.append(nxt(engine, window).number)
        except NothingWaiting:
            return called
        finish(engine, window=window, now=NOW)


def window_queues(number: int) -> list[str]:
    config, _ = read_hall_file(default_hall_path())
    return next(w.queues for w in config.window if w.number == number)


# --- a window that may call ----------------------------------------------------------------------


def test_window_needs_a_clerk(engine: Engine) -> None:
    take(engine)
    err = expect(Refused, "no_clerk", call_next, engine=engine, window=18, now=NOW)
    assert "18" in err.en
    open_window(engine, 18)
    assert nxt(engine, 18).number == "M001"


def test_paused_window_refused(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    staff.pause(engine, window=18, reason="meeting", now=NOW)
    err = expect(Refused, "window_paused", call_next, engine=engine, window=18, now=NOW)
    assert "meeting" in err.en
    expect(Refused, "window_paused", call_number, engine=engine, window=18, number="M001", now=NOW)
    staff.resume(engine, window=18, now=NOW)
    assert nxt(engine, 18).number == "M001"


def test_busy_window_refused(engine: Engine) -> None:
    take(engine)
    second = take(engine)
    open_window(engine, 18)
    assert nxt(engine, 18).number == "M001"
    err = expect(Refused, "window_busy", call_next, engine=engine, window=18, now=NOW)
    assert "M001" in err.en
    expect(Refused, "window_busy", call_number, engine=engine, window=18, number="M002", now=NOW)
    assert ticket_by_token(engine, second.token).status == "waiting"
    finish(engine, window=18, now=NOW)
    assert nxt(engine, 18).number == "M002"


def test_nothing_waiting(engine: Engine) -> None:
    open_window(engine, 18)
    take(engine, "A")  # waits, but not for window 18
    err = expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=18, now=NOW)
    assert err.exit_code == 3
    assert isinstance(err, Refused)


def test_unknown_window(engine: Engine) -> None:
    expect(NotFound, "unknown_window", call_next, engine=engine, window=99, now=NOW)


# --- queue order ---------------------------------------------------------------------------------


def test_window_20_serves_m_before_c(engine: Engine) -> None:
    assert window_queues(20) == ["M", "C"]
    for queue in "CMCM":
        take(engine, queue)
    open_window(engine, 20)
    assert drain(engine, 20) == ["M001", "M002", "C001", "C002"]


def test_window_12_serves_c_before_d(engine: Engine) -> None:
    assert window_queues(12) == ["C", "D"]
    for queue in "DDCMC":
        take(engine, queue)
    open_window(engine, 12)
    assert drain(engine, 12) == ["C001", "C002", "D001", "D002"]
    assert ticket_by_token(engine, take(engine, "M").token).status == "waiting"


def test_window_helps_second_queue_only_when_first_is_empty(engine: Engine) -> None:
    take(engine, "C")
    open_window(engine, 20)
    assert nxt(engine, 20).number == "C001"  # no M waiting: 20 helps C
    finish(engine, window=20, now=NOW)
    take(engine, "C")
    take(engine, "M")
    assert nxt(engine, 20).number == "M001"  # M is back first


def test_fifo_within_a_queue(engine: Engine) -> None:
    for _ in range(5):
        take(engine)
    open_window(engine, 18)
    assert drain(engine, 18) == ["M001", "M002", "M003", "M004", "M005"]


def test_single_queue_window_ignores_other_queues(engine: Engine) -> None:
    take(engine, "D")
    open_window(engine, 9)  # C only
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=9, now=NOW)


# --- priority interleave -------------------------------------------------------------------------


def test_priority_interleave_two_in_a_row(engine: Engine) -> None:
    views = [take(engine) for _ in range(3)]  # M001-M003
    views += [take(engine, priority="green") for _ in range(5)]  # M004-M008
    ahead = {v.number: ticket_by_token(engine, v.token).ahead for v in views}
    open_window(engine, 18)
    order = drain(engine, 18)
    assert order == ["M004", "M005", "M001", "M006", "M007", "M002", "M008", "M003"]
    assert [ahead[n] for n in order] == list(range(8))  # "ahead" told each citizen the truth


def test_priority_called_freely_when_no_normal_waits(engine: Engine) -> None:
    for _ in range(3):
        take(engine, priority="green")
    open_window(engine, 18)
    assert drain(engine, 18) == ["M001", "M002", "M003"]
    # those three did not hold normal tickets back: the run starts again from zero
    take(engine)  # M004
    for _ in range(3):
        take(engine, priority="green")  # M005-M007
    assert drain(engine, 18) == ["M005", "M006", "M004", "M007"]


def test_run_resets_after_a_normal_call(engine: Engine) -> None:
    for queue_priority in ["normal", "normal", "green", "green"]:
        take(engine, priority=queue_priority)
    open_window(engine, 18)
    assert [nxt(engine, 18).number] == ["M003"]
    finish(engine, window=18, now=NOW)
    assert nxt(engine, 18).number == "M004"
    finish(engine, window=18, now=NOW)
    assert nxt(engine, 18).number == "M001"  # two priority in a row: a normal one now
    finish(engine, window=18, now=NOW)
    take(engine, priority="green")  # M005
    take(engine, priority="green")  # M006
    assert drain(engine, 18) == ["M005", "M006", "M002"]


def test_priority_run_is_shared_by_the_windows_of_a_queue(engine: Engine) -> None:
    for priority in ["normal", "green", "green", "green"]:
        take(engine, priority=priority)
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    open_window(engine, 20, "1003")
    called = [nxt(engine, w).number for w in (18, 19, 20)]
    assert called == ["M002", "M003", "M001"]


# --- one ticket, one window ----------------------------------------------------------------------


def test_two_windows_never_get_the_same_ticket(engine: Engine) -> None:
    take(engine)
    take(engine)
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    assert (nxt(engine, 18).number, nxt(engine, 19).number) == ("M001", "M002")
    open_window(engine, 20, "1003")
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=20, now=NOW)


def test_windows_calling_at_once_share_out_every_ticket_once(engine: Engine) -> None:
    for _ in range(24):
        take(engine)
    windows = {18: "1001", 19: "1002", 20: "1003"}
    for window, clerk in windows.items():
        open_window(engine, window, clerk)
    got: dict[int, list[str]] = {w: [] for w in windows}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(windows))

    def counter(window: int) -> None:
        try:
            barrier.wait()
            got[window].extend(drain(engine, window))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=counter, args=(w,)) for w in windows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    everything = [n for numbers in got.values() for n in numbers]
    assert sorted(everything) == [f"M{n:03d}" for n in range(1, 25)]
    for numbers in got.values():
        assert numbers == sorted(numbers)  # each window still went front to back


# --- call by number ------------------------------------------------------------------------------


def test_call_number_calls_that_ticket(engine: Engine) -> None:
    for _ in range(3):
        take(engine)
    open_window(engine, 18)
    called = call_number(engine, window=18, number="m3", now=NOW)
    assert (called.number, called.status, called.window) == ("M003", "called", 18)
    assert called.called_at == "2026-11-25T10:00:00+08:00"
    finish(engine, window=18, now=NOW)
    assert drain(engine, 18) == ["M001", "M002"]


def test_call_number_refusals(engine: Engine) -> None:
    take(engine)
    c001 = take(engine, "C")
    open_window(engine, 18)
    err = expect(
        Refused, "window_not_serving", call_number, engine=engine, window=18, number="C001", now=NOW
    )
    assert "C" in err.en and "18" in err.en
    err = expect(
        NotFound, "unknown_number", call_number, engine=engine, window=18, number="M099", now=NOW
    )
    assert "M099" in err.en
    for bad in ("XYZ", "M", "23", "MM01", ""):
        expect(NotFound, "bad_number", call_number, engine=engine, window=18, number=bad, now=NOW)
    call_number(engine, window=18, number="M001", now=NOW)
    finish(engine, window=18, now=NOW)
    err = expect(
        Refused, "wrong_state", call_number, engine=engine, window=18, number="M001", now=NOW
    )
    assert "M001" in err.en and "done" in err.en and "已办结" in err.zh
    assert ticket_by_token(engine, c001.token).status == "waiting"


def test_call_number_refuses_a_ticket_at_another_window(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18, "1001")
    open_window(engine, 19, "1002")
    nxt(engine, 18)
    expect(Refused, "wrong_state", call_number, engine=engine, window=19, number="M001", now=NOW)


def test_call_number_calls_a_missed_ticket_but_not_a_void_one(engine: Engine) -> None:
    take(engine)
    take(engine)
    open_window(engine, 18)
    nxt(engine, 18)
    assert mark_no_show(engine, window=18, now=NOW).status == "missed"
    back = call_number(engine, window=18, number="M001", now=NOW)
    assert (back.number, back.status, back.misses, back.window) == ("M001", "called", 1, 18)
    assert mark_no_show(engine, window=18, now=NOW).status == "void"
    err = expect(
        Refused, "wrong_state", call_number, engine=engine, window=18, number="M001", now=NOW
    )
    assert "void" in err.en
    expect(Refused, "void_misses", requeue, engine=engine, number="M001", now=NOW)
    assert drain(engine, 18) == ["M002"]


def test_call_number_uses_todays_numbers(engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    tomorrow = NOW + dt.timedelta(days=1)
    expect(
        NotFound,
        "unknown_number",
        call_number,
        engine=engine,
        window=18,
        number="M001",
        now=tomorrow,
    )


def test_next_key_finishes_the_current_ticket_and_calls_the_next(engine: Engine) -> None:
    take(engine)
    take(engine)
    open_window(engine, 18)
    assert nxt(engine, 18).number == "M001"
    # the clerk's "next" key: M001 is finished and M002 called, in one transaction
    second = call_next(engine, window=18, finish_current=True, now=NOW)
    assert (second.number, second.status, second.window) == ("M002", "called", 18)
    first = ticket_by_token(engine, _token(engine, "M001"))
    assert first.status == "done"
    # nothing waits: M002 is still finished, and the window is told plainly
    expect(
        NothingWaiting,
        "nothing_waiting",
        call_next,
        engine=engine,
        window=18,
        finish_current=True,
        now=NOW,
    )
    assert ticket_by_token(engine, _token(engine, "M002")).status == "done"
    expect(NothingWaiting, "nothing_waiting", call_next, engine=engine, window=18, now=NOW)


def _token(engine: Engine, number: str) -> str:
    from sqlalchemy import text

    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT token FROM ticket WHERE number = :n"), {"n": number}
            ).scalar_one()
        )
