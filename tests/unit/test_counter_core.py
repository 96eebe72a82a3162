"""The core under the counter: cases opened at finish, the window's view, receipts at a window.

Figures are checked against what the test itself did (tickets served, minutes counted by hand).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlmodel import select

from models.clerks.staff import pause
from models.db import reading
from models.errors import NothingWaiting, Refused
from models.events import last_event_seq
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, requeue, start
from models.queue.tickets import take_ticket
from models.supervision.cases import open_case
from models.tables import Case, Event
from models.views.window import window_view
from printer.receipts import print_last_receipt, reprint_receipt, window_printers
from tests.conftest import NOW, open_window
from tests.support.escpos_decode import decode
from tests.support.waiting import WAIT_S


def cases(engine) -> list[Case]:
    with reading(engine) as session:
        rows = session.exec(select(Case).order_by(Case.id)).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def test_finishing_a_promised_item_opens_its_case_once(engine) -> None:
    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)
    [case] = cases(engine)
    assert case.case_number == "20261125-0001" and case.state == "accepted"
    assert case.promised_date == dt.date(2026, 12, 2)  # 5 working days
    # Asking for the case again gives the same one, not a second.
    assert open_case(engine, ticket_number="D001", now=NOW).case_number == case.case_number
    assert len(cases(engine)) == 1


def test_the_next_key_opens_the_finished_tickets_case_in_its_transaction(engine) -> None:
    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    with pytest.raises(NothingWaiting):
        call_next(engine, window=13, finish_current=True, now=NOW)
    assert [c.item_code for c in cases(engine)] == ["D01"]


def test_an_instant_or_itemless_ticket_opens_no_case_at_finish(engine) -> None:
    take_ticket(engine, item="M05", now=NOW)
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    call_next(engine, window=18, finish_current=True, now=NOW)
    finish(engine, window=18, now=NOW)
    assert cases(engine) == []
    # On request an instant item gets a case that is done at once (its 办结单).
    slip = open_case(engine, ticket_number="M001", now=NOW)
    assert slip.state == "done" and slip.promised_date is None


def test_the_window_view_counts_todays_work_by_hand(engine) -> None:
    for _ in range(4):
        take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    at = NOW
    call_next(engine, window=18, now=at)  # M001: 6 minutes of service
    start(engine, window=18, now=at)
    finish(engine, window=18, now=at + dt.timedelta(minutes=6))
    call_next(engine, window=18, now=at + dt.timedelta(minutes=6))  # M002: 10 minutes
    start(engine, window=18, now=at + dt.timedelta(minutes=7))
    finish(engine, window=18, now=at + dt.timedelta(minutes=17))
    call_next(engine, window=18, now=at + dt.timedelta(minutes=17))  # M003: no-show
    mark_no_show(engine, window=18, now=at + dt.timedelta(minutes=18))
    call_next(engine, window=18, now=at + dt.timedelta(minutes=19))  # M004 at the window
    view = window_view(engine, window=18, now=at + dt.timedelta(minutes=20))
    assert view.figures.served == 2 and view.figures.no_shows == 1
    assert view.figures.mean_service_minutes == pytest.approx(8.0)
    assert view.missed == ["M003"]
    assert view.current is not None and view.current.number == "M004"
    assert view.current.waited_minutes == 19
    assert view.last_finished is not None and view.last_finished.number == "M002"
    requeue(engine, number="M003", now=at + dt.timedelta(minutes=21))
    again = window_view(engine, window=18, now=at + dt.timedelta(minutes=21))
    assert again.missed == [] and again.queues[0].next == ["M003"]


def test_polling_never_waits_for_a_writer(lite) -> None:
    """A screen's poll is a deferred read: it must not queue for SQLite's write lock (it did,
    taking BEGIN IMMEDIATE, and waited for the busy timeout behind a long write)."""
    import threading

    from models.db import writing

    started, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with writing(lite) as session:
            session.execute(text("SELECT 1"))  # the transaction (and the write lock) begins
            started.set()
            release.wait(WAIT_S)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert started.wait(WAIT_S)
        mark = last_event_seq(lite)
        view = window_view(lite, window=18, now=NOW)
        # Read while the writer still holds its lock: a read that waited for it would end
        # only after the writer did (not a time bound: a busy machine is slow either way).
        assert writer.is_alive()
        assert view.mark == mark
    finally:
        release.set()
        writer.join()


def test_the_event_number_moves_with_every_change_and_only_then(engine) -> None:
    before = last_event_seq(engine)
    assert last_event_seq(engine) == before
    window_view(engine, window=18, now=NOW)  # reading changes nothing
    assert last_event_seq(engine) == before
    take_ticket(engine, queue="M", now=NOW)
    assert last_event_seq(engine) > before


def test_the_service_clock_limit_is_the_items_then_the_queues(engine) -> None:
    take_ticket(engine, item="M05", now=NOW)
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    item_limit = call_next(engine, window=18, now=NOW) and window_view(engine, window=18, now=NOW)
    assert item_limit.current is not None
    call_next(engine, window=18, finish_current=True, now=NOW)
    queue_limit = window_view(engine, window=18, now=NOW)
    assert queue_limit.current is not None and queue_limit.current.item is None
    with reading(engine) as session:
        from models.lookup import get_item, get_queue

        assert item_limit.current.limit_minutes == get_item(session, "M05").service_minutes
        assert queue_limit.current.limit_minutes == get_queue(session, "M").service_minutes
    ticket = queue_limit.current
    limit = ticket.limit_minutes * 60
    called = ticket.called_at
    assert ticket.clock_level(called + dt.timedelta(seconds=limit * 0.8 - 1)) == "ok"
    assert ticket.clock_level(called + dt.timedelta(seconds=limit * 0.8)) == "amber"
    assert ticket.clock_level(called + dt.timedelta(seconds=limit)) == "red"


def test_a_paused_window_shows_its_reason_and_since_when(engine) -> None:
    open_window(engine, 18)
    pause(engine, window=18, reason="meeting", now=NOW)
    view = window_view(engine, window=18, now=NOW + dt.timedelta(minutes=5))
    assert view.paused == "meeting" and view.paused_since == NOW


def test_receipts_print_on_the_windows_printer_and_reprint_marked(engine, preview_dir) -> None:
    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)
    assert window_printers(engine, 13) == ("counter-preview", None)
    printed = print_last_receipt(engine, window=13, now=NOW)
    assert printed.job.state == "done"
    again = reprint_receipt(engine, window=13)
    assert again.reprint and again.state == "done"
    # The preview printer keeps what it printed in one file per printer, like paper on a roll.
    page = decode((preview_dir / "counter-preview.escpos").read_bytes())
    assert page.cuts == 2
    assert page.text.count(f"取件码 Pickup code:\n{printed.case.pickup_code}") == 2
    assert "受理回执" in page.text and page.text.count("补打") == 1


def test_a_receipt_before_any_finish_is_refused_clearly(engine) -> None:
    with pytest.raises(Refused) as info:
        print_last_receipt(engine, window=13, now=NOW)
    assert "13 号窗口今天还没有办结" in info.value.zh and "window 13" in info.value.en


def test_a_window_without_a_printer_is_refused_clearly(engine) -> None:
    from models.hall import default_hall_path, parse_hall, store_hall

    text = default_hall_path().read_text(encoding="utf-8")
    head, tail = text.split("number = 13\n", 1)
    tail = tail.replace('printer = "counter-preview"\n', "", 1)  # window 13's own line
    text = head + "number = 13\n" + tail
    store_hall(engine, parse_hall(text), text)
    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)
    with pytest.raises(Refused) as info:
        print_last_receipt(engine, window=13, now=NOW)
    assert "13 号窗口没有配置打印机" in info.value.zh
    assert "window 13 has no printer" in info.value.en
    assert len(cases(engine)) == 1  # the case stands; a printer can be named and it reprinted


def test_case_events_are_written_and_the_chain_holds(engine) -> None:
    from models.events import verify_chain

    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)
    with reading(engine) as session:
        kinds = [e.kind for e in session.exec(select(Event).order_by(Event.seq)).all()]
    assert kinds[-2:] == ["finished", "case_opened"]
    assert verify_chain(engine).broken_at is None
