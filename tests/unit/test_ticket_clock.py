"""A clock set back: no step of a ticket is stored before the one it follows, the event says the
clock was behind, the clerk is told once, and reports never count a negative time."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, select, update
from sqlmodel import Session
from typer.testing import CliRunner

from mashangban import app
from models.queue import calling, serving
from models.queue.tickets import take_ticket
from models.reports.report import report
from models.supervision.audit import verify_records
from models.tables import Event, Ticket
from models.timeutil import to_utc
from tests.conftest import CST, PIN, open_window

DAY = dt.date(2026, 11, 25)


def at(hhmm: str) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(DAY, dt.time(hours, minutes), tzinfo=CST)


def _events(engine: Engine, kind: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.execute(select(Event).where(Event.kind == kind)).scalars())


def _ticket(engine: Engine, number: str, *, newest: bool = False) -> Ticket:
    """The ticket first issued with a number, or the newest showing it (a transfer keeps it)."""
    order = Ticket.id.desc() if newest else Ticket.id  # type: ignore[union-attr]
    with Session(engine) as session:
        query = select(Ticket).where(Ticket.number == number).order_by(order).limit(1)
        return session.execute(query).scalar_one()


def test_a_finish_before_the_call_is_stored_at_the_call_and_the_event_says_so(
    engine: Engine,
) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=at("10:00"))
    calling.call_next(engine, window=18, now=at("10:05"))
    done = serving.finish(engine, window=18, now=at("09:50"))  # the clock was set back 15 min

    assert done.clock_behind_s == 15 * 60  # what the desk and the command line warn with
    row = _ticket(engine, "M001")
    assert to_utc(row.finished_at) == to_utc(at("10:05"))  # type: ignore[arg-type]
    (finished,) = _events(engine, "finished")
    assert json.loads(finished.data)["clock_behind_s"] == 900
    assert to_utc(finished.at) == to_utc(at("10:05"))
    figures = report(engine, start=DAY, end=DAY, now=at("10:06")).total
    assert figures.services == 1
    assert figures.service_mean == 0 and figures.service_max == 0
    assert verify_records(engine).count == 0  # the record replays to the same row


def test_every_step_keeps_its_order_when_the_clock_goes_back(engine: Engine) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=at("10:00"))
    # Called before it was issued, started before called, … each clamped to the step before.
    called = calling.call_next(engine, window=18, now=at("09:58"))
    assert called.clock_behind_s == 120
    assert serving.recall(engine, window=18, now=at("09:00")).clock_behind_s == 3600
    started = serving.start(engine, window=18, now=at("09:59"))
    assert started.clock_behind_s == 60
    transferred = serving.transfer(engine, window=18, to_queue="C", now=at("09:30"))
    assert transferred.clock_behind_s == 30 * 60
    old, new = _ticket(engine, "M001"), _ticket(engine, transferred.number, newest=True)
    assert new.id != old.id and new.parent_id == old.id
    times = [old.issued_at, old.called_at, old.started_at, old.finished_at, new.issued_at]
    assert all(to_utc(t) == to_utc(at("10:00")) for t in times)  # type: ignore[arg-type]
    behind = [json.loads(e.data).get("clock_behind_s") for e in _events(engine, "called")]
    assert behind == [120]
    # A clock that is right again says nothing.
    open_window(engine, 9, "1002")
    assert calling.call_next(engine, window=9, now=at("10:10")).clock_behind_s == 0
    cancelled = serving.cancel(engine, window=9, now=at("10:01"))
    assert cancelled.clock_behind_s == 9 * 60
    assert verify_records(engine).count == 0


def test_a_finish_with_next_and_a_call_by_number_are_clamped_too(engine: Engine) -> None:
    open_window(engine, 18)
    for hhmm in ("10:00", "10:01"):
        take_ticket(engine, queue="M", now=at(hhmm))
    calling.call_next(engine, window=18, now=at("10:05"))
    # "next": the finish of M001 (called 10:05) and the call of M002 (issued 10:01), clock 10:00.
    nxt = calling.call_next(engine, window=18, finish_current=True, now=at("10:00"))
    assert nxt.number == "M002" and nxt.clock_behind_s == 5 * 60
    assert to_utc(_ticket(engine, "M001").finished_at) == to_utc(at("10:05"))  # type: ignore[arg-type]
    assert to_utc(_ticket(engine, "M002").called_at) == to_utc(at("10:01"))  # type: ignore[arg-type]
    serving.mark_no_show(engine, window=18, now=at("10:02"))
    again = calling.call_number(engine, window=18, number="M002", now=at("09:00"))
    assert again.clock_behind_s == 61 * 60
    assert verify_records(engine).count == 0


def test_reports_never_average_a_negative_time_already_stored(engine: Engine) -> None:
    """Rows written before the clamp (or by hand): a finish before its start counts as 0."""
    open_window(engine, 18)
    for hhmm in ("10:00", "10:01"):
        take_ticket(engine, queue="M", now=at(hhmm))
    calling.call_next(engine, window=18, now=at("10:05"))
    serving.finish(engine, window=18, now=at("10:15"))  # 10 minutes
    calling.call_next(engine, window=18, now=at("10:20"))
    serving.finish(engine, window=18, now=at("10:40"))  # 20 minutes, then stored as -50 / -30
    with Session(engine) as session, session.begin():
        session.execute(
            update(Ticket)
            .where(Ticket.number == "M002")  # type: ignore[arg-type]
            .values(called_at=at("09:11"), started_at=at("10:40"), finished_at=at("09:50"))
        )
    total = report(engine, start=DAY, end=DAY, now=at("11:00"), rollups=False).total
    assert total.services == 2 and total.called == 2
    assert total.service_mean == 5.0  # (10 + 0) / 2, not (10 − 50) / 2
    assert total.wait_mean == 2.5  # (5 + 0) / 2: called before issued counts as no wait
    assert total.service_max == 10.0


def test_the_command_line_warns_once_in_both_languages(db_url: str) -> None:
    runner = CliRunner()

    def run(now: str, *args: str) -> tuple[str, str]:
        result = runner.invoke(
            app, ["--db", db_url, *args], env={"MASHANGBAN_NOW": f"2026-11-25T{now}:00+08:00"}
        )
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result.stdout, result.stderr

    run("10:00", "login", "--window", "18", "--clerk", "1001", "--pin", PIN)
    run("10:00", "take", "M")
    run("10:00", "take", "M")
    _, err = run("10:05", "call", "--window", "18")
    assert "⚠" not in err
    _, err = run("09:50", "finish", "--window", "18")
    assert err.count("⚠") == 1
    assert "M001" in err and "慢 900 秒" in err and "900 s behind" in err
    run("10:06", "call", "--window", "18")
    out, err = run("10:00", "finish", "--window", "18", "--json")
    assert json.loads(out)["clock_behind_s"] == 360 and err.count("⚠") == 1
