"""The day's end: tickets of past days left open are closed with their own status and event,
reports count them, a citizen served across midnight is still finished, and closing is
idempotent and safe from several processes at once."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from models.errors import NotFound
from models.queue import calling, serving
from models.queue.dayclose import close_past_days
from models.queue.tickets import take_ticket
from models.reports.report import report
from models.supervision.audit import verify_records
from models.tables import Event, Ticket
from tests.conftest import CST, open_window
from tests.support.refusals import expect

DAY = dt.date(2026, 11, 25)
NEXT = dt.date(2026, 11, 26)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=CST)


def statuses(engine: Engine, day: dt.date = DAY) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(
            select(Ticket.number, Ticket.status).where(Ticket.business_date == day)
        ).all()
    return {number: status for number, status in rows}


def expired_events(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        rows = session.execute(select(Event).where(Event.kind == "expired")).scalars()
        return [json.loads(e.data) for e in rows]


def _left_open(engine: Engine) -> None:
    """A day that ends with M001 done, M002 missed, M003 and A001 waiting."""
    open_window(engine, 18)
    for hhmm in ("16:00", "16:01", "16:02"):
        take_ticket(engine, queue="M", now=at(hhmm))
    take_ticket(engine, queue="A", now=at("16:03"))
    calling.call_next(engine, window=18, now=at("16:10"))
    serving.finish(engine, window=18, now=at("16:20"))
    calling.call_next(engine, window=18, now=at("16:30"))
    serving.mark_no_show(engine, window=18, now=at("16:31"))


def test_the_first_ticket_of_the_next_day_closes_the_day_before(engine: Engine) -> None:
    _left_open(engine)
    # Before closing, M003 could not be cancelled by anyone the next day: its number is gone.
    cancel = serving.cancel
    expect(NotFound, "unknown_number", cancel, engine=engine, number="M003", now=at("08:40", NEXT))

    take_ticket(engine, queue="C", now=at("08:31", NEXT))  # the first number of the new day

    assert statuses(engine) == {
        "M001": "done",
        "M002": "void",  # the no-show is final: it cannot be requeued any more
        "M003": "expired",
        "A001": "expired",
    }
    events = sorted(expired_events(engine), key=lambda d: str(d["number"]))
    assert [(e["number"], e["from"], e["status"]) for e in events] == [
        ("A001", "waiting", "expired"),
        ("M002", "missed", "void"),
        ("M003", "waiting", "expired"),
    ]
    assert {e["business_date"] for e in events} == {DAY.isoformat()}
    assert verify_records(engine).count == 0  # the record replay knows the new event
    # Closing again finds nothing; the next first number of another queue costs nothing.
    assert close_past_days(engine, now=at("08:32", NEXT)).closed == 0
    take_ticket(engine, queue="A", now=at("08:33", NEXT))
    assert len(expired_events(engine)) == 3


def test_reports_show_the_expired_beside_the_no_shows(engine: Engine) -> None:
    _left_open(engine)
    before = report(engine, start=DAY, end=DAY, now=at("08:00", NEXT)).total  # rolled up
    assert (before.issued, before.no_shows, before.expired) == (4, 1, 0)
    close_past_days(engine, now=at("08:00", NEXT))
    # The closed day's rollup sees the new events and is counted again.
    after = report(engine, start=DAY, end=DAY, now=at("08:01", NEXT))
    assert (after.total.issued, after.total.no_shows, after.total.expired) == (4, 1, 2)
    assert {row.key: row.expired for row in after.rows} == {"A": 1, "M": 1}
    live = report(engine, start=DAY, end=DAY, now=at("08:01", NEXT), rollups=False)
    assert live.total == after.total


def test_a_citizen_served_across_midnight_is_finished_not_expired(engine: Engine) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=at("16:00"))
    calling.call_next(engine, window=18, now=at("23:50"))
    serving.start(engine, window=18, now=at("23:55"))
    # Just after midnight something closes the day: the citizen at the window is left alone.
    assert close_past_days(engine, now=at("00:05", NEXT)).closed == 0
    done = serving.finish(engine, window=18, now=at("00:10", NEXT))
    assert done.status == "done"
    figures = report(engine, start=DAY, end=DAY, now=at("08:00", NEXT)).total
    assert (figures.served, figures.expired, figures.service_mean) == (1, 0, 15.0)


def test_a_ticket_forgotten_at_a_window_overnight_frees_the_window_next_morning(
    engine: Engine,
) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=at("16:00"))
    calling.call_next(engine, window=18, now=at("16:55"))  # called, never started nor finished
    take_ticket(engine, queue="M", now=at("08:31", NEXT))  # closes it: over 15 hours on
    assert statuses(engine)["M001"] == "expired"
    # The window calls today's tickets instead of being busy with yesterday's forever.
    assert calling.call_next(engine, window=18, now=at("08:32", NEXT)).number == "M001"
    figures = report(engine, start=DAY, end=DAY, now=at("08:40", NEXT)).total
    assert (figures.called, figures.expired, figures.services) == (1, 1, 0)
    assert verify_records(engine).count == 0


def test_the_close_day_command_says_what_it_closed(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        _left_open(engine)
    finally:
        engine.dispose()
    runner = CliRunner()
    env = {"MASHANGBAN_NOW": "2026-11-26T07:00:00+08:00"}
    result = runner.invoke(app, ["--db", db_url, "close-day", "--json"], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {
        "expired": 2,
        "void": 1,
        "days": ["2026-11-25"],
        "no_shows": 0,
    }
    result = runner.invoke(app, ["--db", db_url, "close-day"], env=env)
    assert result.exit_code == 0 and "no open tickets of past days" in result.stdout


@pytest.mark.parametrize("closers", [4])
def test_closers_running_at_once_close_each_ticket_once(db_url: str, closers: int) -> None:
    engine = make_engine(db_url, pool_size=closers + 1)
    try:
        for n in range(60):
            take_ticket(engine, queue="ABCDEM"[n % 6], now=at("16:00") + dt.timedelta(seconds=n))
        results = []
        errors: list[BaseException] = []
        start = threading.Barrier(closers)

        def close() -> None:
            try:
                start.wait(timeout=30)
                results.append(close_past_days(engine, now=at("08:00", NEXT)).closed)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=close) for _ in range(closers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors
        assert sum(results) == 60
        assert set(statuses(engine).values()) == {"expired"}
        assert len(expired_events(engine)) == 60
        assert verify_records(engine).count == 0
    finally:
        engine.dispose()


def test_a_backlog_is_closed_in_parts_so_the_first_citizen_is_not_kept_waiting(
    engine: Engine,
) -> None:
    for n in range(250):  # e.g. the first day after an upgrade
        take_ticket(engine, queue="AM"[n % 2], now=at("09:00") + dt.timedelta(seconds=n))
    take_ticket(engine, queue="C", now=at("08:31", NEXT))
    assert list(statuses(engine).values()).count("expired") == 200  # one batch
    take_ticket(engine, queue="C", now=at("08:32", NEXT))  # not the first number: nothing more
    assert list(statuses(engine).values()).count("expired") == 200
    assert close_past_days(engine, now=at("08:33", NEXT)).expired == 50
    assert set(statuses(engine).values()) == {"expired"}
