"""The event chain: every step is linked by hash, so edits and deletions are found."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import col, select

from models.clerks import staff
from models.db import reading
from models.events import last_event_seq, verify_chain
from models.queue.calling import call_next
from models.queue.serving import finish, start
from models.queue.tickets import take_ticket
from models.tables import Event
from tests.conftest import open_window


def run_a_morning(engine: Engine, now: dt.datetime) -> None:
    """A few real steps: tickets, a login, a call, a service, a pause."""
    for n in range(3):
        take_ticket(engine, queue="M", now=now + dt.timedelta(minutes=n))
    take_ticket(engine, queue="A", now=now)
    open_window(engine, 18, "1001")
    call_next(engine, window=18, now=now + dt.timedelta(minutes=5))
    start(engine, window=18, now=now + dt.timedelta(minutes=6))
    finish(engine, window=18, now=now + dt.timedelta(minutes=9))
    staff.pause(engine, window=18, reason="休息", now=now + dt.timedelta(minutes=10))


def event_count(engine: Engine) -> int:
    with reading(engine) as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def kinds(engine: Engine) -> list[str]:
    with reading(engine) as session:
        return list(session.exec(select(Event.kind).order_by(col(Event.seq))).all())


def raw(engine: Engine, sql: str, **params: object) -> int:
    """Tamper with the database the way someone with SQL access would."""
    with engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def test_fresh_database_chain_is_whole(engine: Engine) -> None:
    report = verify_chain(engine)
    # The prepared database: one hall load and three clerks.
    assert kinds(engine) == ["hall_loaded", "clerk_added", "clerk_added", "clerk_added"]
    assert (report.events, report.broken_at, report.detail) == (4, None, "")


def test_chain_is_whole_after_operations(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    report = verify_chain(engine)
    assert kinds(engine)[4:] == [
        "issued",
        "issued",
        "issued",
        "issued",
        "login",
        "called",
        "started",
        "finished",
        "paused",
    ]
    assert report.broken_at is None
    assert report.events == event_count(engine) == last_event_seq(engine) == 13
    # Small batches walk the same chain.
    assert verify_chain(engine, batch=2) == report


def test_each_event_links_to_the_one_before(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    with reading(engine) as session:
        rows = session.exec(select(Event).order_by(col(Event.seq))).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert len({r.hash for r in rows}) == len(rows)


def test_changed_data_is_found(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    with reading(engine) as session:
        called = session.exec(select(Event).where(Event.kind == "called")).one()
    assert json.loads(called.data) == {"number": "M001"}
    changed = raw(
        engine,
        "UPDATE event SET data = :data WHERE seq = :seq",
        data='{"number":"M003"}',
        seq=called.seq,
    )
    assert changed == 1
    report = verify_chain(engine)
    assert report.broken_at == called.seq
    assert "changed" in report.detail
    assert report.events == called.seq - 1  # everything before it checked out


def test_changed_window_or_clerk_is_found(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    with reading(engine) as session:
        login = session.exec(select(Event).where(Event.kind == "login")).one()
    raw(engine, "UPDATE event SET clerk_code = '1002' WHERE seq = :seq", seq=login.seq)
    report = verify_chain(engine)
    assert (report.broken_at, report.detail) == (login.seq, "contents changed after it was written")


def test_deleted_middle_event_is_found(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    newest = last_event_seq(engine)
    middle = newest // 2
    assert raw(engine, "DELETE FROM event WHERE seq = :seq", seq=middle) == 1
    report = verify_chain(engine)
    assert report.broken_at == middle
    assert "missing" in report.detail
    assert report.events == middle - 1


def test_deleted_newest_event_is_found(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    newest = last_event_seq(engine)
    assert kinds(engine)[-1] == "paused"
    assert raw(engine, "DELETE FROM event WHERE seq = :seq", seq=newest) == 1
    report = verify_chain(engine)
    assert report.broken_at == newest
    assert "removed" in report.detail
    assert report.events == newest - 1


def test_rewritten_link_is_found(engine: Engine, now: dt.datetime) -> None:
    """Deleting an event and renumbering the rest still breaks the chain of hashes."""
    run_a_morning(engine, now)
    newest = last_event_seq(engine)
    raw(engine, "DELETE FROM event WHERE seq = 6")
    for seq in range(7, newest + 1):
        raw(engine, "UPDATE event SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    report = verify_chain(engine)
    assert report.broken_at == 6
    assert report.detail == "does not link to the event before"


def test_chain_continues_after_verification(engine: Engine, now: dt.datetime) -> None:
    run_a_morning(engine, now)
    assert verify_chain(engine).broken_at is None
    staff.resume(engine, window=18, now=now + dt.timedelta(minutes=20))
    report = verify_chain(engine)
    assert report.broken_at is None and report.events == 14
    assert kinds(engine)[-1] == "resumed"


@pytest.mark.parametrize("seq", [1, 2])
def test_tampering_with_the_first_events_is_found(engine: Engine, seq: int) -> None:
    raw(engine, "UPDATE event SET kind = 'forged' WHERE seq = :seq", seq=seq)
    report = verify_chain(engine)
    assert report.broken_at == seq and report.events == seq - 1
