"""The outbox: a message is written with the step, once per dedupe name, without personal data
in its facts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models.db import reading, writing
from models.notify.outbox import enqueue
from models.tables import OutboxMessage


def test_a_message_is_kept_with_its_facts_and_due_at_once(engine: Engine, now: dt.datetime) -> None:
    with writing(engine) as session:
        first = enqueue(
            session,
            kind="booking_made",
            data={"code": "K7Q2M9", "slot": "2026-12-08 09:00"},
            recipient="13812341234",
            now=now,
        )
    with reading(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.id == first
    assert (row.state, row.attempts, row.recipient) == ("pending", 0, "13812341234")
    assert json.loads(row.data) == {"code": "K7Q2M9", "slot": "2026-12-08 09:00"}
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) == now.astimezone(dt.UTC)


def test_a_deduplicated_message_is_written_once(engine: Engine, now: dt.datetime) -> None:
    for _ in range(3):
        with writing(engine) as session:
            enqueue(
                session, kind="turn_near", data={"number": "A001"}, dedupe="turn_near:1", now=now
            )
    with reading(engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_a_rolled_back_step_leaves_no_message(engine: Engine, now: dt.datetime) -> None:
    with pytest.raises(RuntimeError), writing(engine) as session:
        enqueue(session, kind="called", data={"number": "A001", "window": 3}, now=now)
        raise RuntimeError("the step failed after writing its message")
    with reading(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_an_unknown_kind_is_a_programming_error(engine: Engine, now: dt.datetime) -> None:
    with pytest.raises(ValueError), writing(engine) as session:
        enqueue(session, kind="advert", data={}, now=now)
