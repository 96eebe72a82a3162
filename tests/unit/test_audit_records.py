"""`audit verify` checks the records against the events: a rating, case, rectification or ticket
changed, added or deleted by hand (SQL access, not the product) is found, on both backends.

The hash chain alone proves only that the events are intact; the reports read the tables.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from mashangban import app
from models.queue import calling, serving
from models.queue.tickets import take_ticket
from models.supervision.audit import verify_records
from models.supervision.pickup import mark_ready, pickup
from models.supervision.ratings import close_rectification, rate
from models.tables import Case
from tests.conftest import CST, open_window

DAY = dt.date(2026, 11, 25)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=CST)


def a_day_with_every_kind_of_step(engine: Engine) -> None:
    """Walk-ins, an item with a case, a transfer, a recall, a no-show requeued and voided, a
    cancel, two ratings (one bad, its rectification closed), a case made ready and picked up."""
    open_window(engine, 18, "1001")
    open_window(engine, 13, "1002")
    take_ticket(engine, queue="M", now=at("09:00"))  # M001
    take_ticket(engine, item="D01", now=at("09:01"))  # D001: a case with promised days
    take_ticket(engine, queue="M", now=at("09:02"))  # M002
    take_ticket(engine, queue="M", now=at("09:03"))  # M003
    take_ticket(engine, queue="D", now=at("09:04"))  # D002
    calling.call_next(engine, window=18, now=at("09:05"))  # M001
    serving.recall(engine, window=18, now=at("09:06"))
    serving.start(engine, window=18, now=at("09:07"))
    serving.finish(engine, window=18, now=at("09:10"))
    rate(engine, window=18, level=5, now=at("09:11"))
    calling.call_next(engine, window=13, now=at("09:12"))  # D001
    serving.finish(engine, window=13, now=at("09:20"))  # opens its case
    rate(engine, window=13, level=2, reason="等候时间长", now=at("09:21"))
    calling.call_next(engine, window=18, now=at("09:22"))  # M002
    serving.transfer(engine, window=18, to_queue="D", now=at("09:23"))  # → D, still M002
    calling.call_next(engine, window=18, now=at("09:24"))  # M003
    serving.mark_no_show(engine, window=18, now=at("09:25"))
    serving.requeue(engine, number="M003", now=at("09:26"))
    calling.call_next(engine, window=18, now=at("09:27"))  # M003 again
    serving.mark_no_show(engine, window=18, now=at("09:28"))  # void
    serving.cancel(engine, number="D002", now=at("09:30"))
    close_rectification(engine, id=1, by="1003", note="已约谈", now=at("11:00"))
    later = dt.date(2026, 11, 27)
    from sqlmodel import Session, select

    with Session(engine) as session:
        case = session.exec(select(Case)).one()
    mark_ready(engine, case_number=case.case_number, now=at("10:00", later))
    pickup(engine, code=case.pickup_code, window=21, now=at("11:00", later))


@pytest.fixture
def day(engine: Engine) -> Engine:
    a_day_with_every_kind_of_step(engine)
    return engine


def sql(engine: Engine, statement: str) -> None:
    """Tamper with the database the way someone with SQL access would."""
    with engine.begin() as conn:
        conn.execute(text(statement))


def test_a_day_of_real_steps_agrees_with_its_events(day: Engine) -> None:
    report = verify_records(day)
    assert report.count == 0, report.differences
    assert report.checked == {"ticket": 6, "rating": 2, "rectification": 1, "service_case": 1}


TAMPERING = {
    "a bad rating made good": (
        "UPDATE rating SET level = 5, reason = '' WHERE level = 2",
        [("rating", "level", "5", "2"), ("rating", "reason", "", "等候时间长")],
    ),
    "its rectification deleted": (
        "DELETE FROM rectification",
        [("rectification", "row", "(已删除 missing)", "(事件中有 in the events)")],
    ),
    "a promise moved": (
        "UPDATE service_case SET promised_date = '2026-12-31'",
        [("service_case", "promised_date", "2026-12-31", None)],
    ),
    "a service shortened": (
        "UPDATE ticket SET finished_at = started_at WHERE number = 'M001'",
        [("ticket", "finished_at", None, None)],
    ),
    "a no-show made served": (
        "UPDATE ticket SET status = 'done' WHERE number = 'M003'",
        [("ticket", "status", "done", "void")],
    ),
    "a ticket no one issued": (
        "INSERT INTO ticket (business_date, queue_id, seq, number, priority, status, order_key, "
        "issued_at, recalls, misses, token) SELECT business_date, queue_id, 99, 'M099', "
        "'normal', 'done', 99, issued_at, 0, 0, 'forged' FROM ticket WHERE number = 'M001'",
        [("ticket", "row", "(存在 stored)", "(无事件 no event)")],
    ),
}


@pytest.mark.parametrize("change", list(TAMPERING), ids=list(TAMPERING))
def test_a_changed_record_is_found(day: Engine, change: str) -> None:
    statement, expected = TAMPERING[change]
    sql(day, statement)
    report = verify_records(day)
    found = [(d.table, d.field, d.stored, d.expected) for d in report.differences]
    assert report.count == len(expected), found
    for (table, field, stored, wanted), got in zip(expected, found, strict=True):
        assert got[:2] == (table, field)
        if stored is not None:
            assert got[2] == stored
        if wanted is not None:
            assert got[3] == wanted


def test_the_command_names_what_differs_and_exits_1(day: Engine) -> None:
    url = day.url.render_as_string(hide_password=False)
    runner = CliRunner()
    clean = runner.invoke(app, ["--db", url, "audit", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "records match the events: 6 ticket, 2 rating" in clean.output
    sql(day, "UPDATE rating SET level = 5 WHERE level = 2")
    changed = runner.invoke(app, ["--db", url, "audit", "verify"])
    assert changed.exit_code == 1 and "Traceback" not in changed.output
    assert "event chain intact" in changed.output  # the events are fine: the record is not
    assert "有 1 处记录与事件日志不符" in changed.output and "1 differences" in changed.output
    assert "rating" in changed.output and "level" in changed.output
    data = json.loads(runner.invoke(app, ["--db", url, "audit", "verify", "--json"]).stdout)
    assert data["broken_at"] is None and data["difference_count"] == 1
    assert data["differences"][0] == {
        "table": "rating", "key": "2", "field": "level", "stored": "5", "expected": "2"
    }  # fmt: skip
