"""The records checked against the event log: tickets, ratings, rectifications and cases.

The hash chain (models.events.verify_chain) proves the events were not changed; this proves the
tables the reports read agree with them. Every change of a ticket, rating, rectification or case
writes an event (DESIGN.md), so each row's state can be worked out again by replaying its
events in order: a row edited or deleted by hand, or one that no event ever created, is found.

Tickets are replayed one at a time, their events read in (ticket, event number) order next to
the tickets in id order, so a year of tickets is checked in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlmodel import Session

from models.db import reading
from models.tables import Case, Event, Rating, Rectification, Ticket
from models.text import words
from models.timeutil import to_utc

E: Table = Event.__table__  # type: ignore[attr-defined]
T: Table = Ticket.__table__  # type: ignore[attr-defined]
R: Table = Rating.__table__  # type: ignore[attr-defined]
X: Table = Rectification.__table__  # type: ignore[attr-defined]
C: Table = Case.__table__  # type: ignore[attr-defined]

KEEP = 20
"""Differences kept for the report (all are counted)."""
_BATCH = 5000

TICKET_FIELDS = (
    "number", "status", "priority", "item_code", "issued_at", "called_at", "started_at",
    "finished_at", "window", "clerk_code", "recalls", "misses",
)  # fmt: skip
"""What a ticket's events decide."""


@dataclass(frozen=True)
class Difference:
    """A row that does not agree with its events."""

    table: str
    key: str
    """The row: a ticket's id and number, a rating's id, a case number …"""
    field: str
    stored: str
    expected: str
    """What the events say ("—" for a row that should not exist, or does not)."""


@dataclass
class RecordsReport:
    """What checking the records found."""

    checked: dict[str, int] = field(default_factory=dict)
    """Rows checked per table."""
    differences: list[Difference] = field(default_factory=list)
    """The first :data:`KEEP` differences."""
    count: int = 0
    """Every difference found."""

    def add(self, table: str, key: Any, name: str, stored: Any, expected: Any) -> None:
        """Count a difference (and keep it, among the first few)."""
        self.count += 1
        if len(self.differences) < KEEP:
            self.differences.append(
                Difference(table, str(key), name, _text(stored), _text(expected))
            )


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return to_utc(value).isoformat()
    return str(value)


def _same(stored: Any, expected: Any) -> bool:
    if isinstance(stored, dt.datetime) and isinstance(expected, dt.datetime):
        return to_utc(stored) == to_utc(expected)
    if isinstance(expected, dt.date) and stored is not None:
        return str(stored)[:10] == expected.isoformat()
    return bool(stored == expected)


def verify_records(engine: Engine) -> RecordsReport:
    """Replay the event log and compare every ticket, rating, rectification and case with it."""
    report = RecordsReport()
    with reading(engine) as session:
        ratings: dict[int, dict[str, Any]] = {}
        rectifications: dict[int, dict[str, Any]] = {}
        cases: dict[str, dict[str, Any]] = {}
        _check_tickets(session, report, ratings, rectifications, cases)
        _check_rows(session, report, "rating", R, R.c.id, ratings)
        _check_rows(session, report, "rectification", X, X.c.id, rectifications)
        _check_rows(session, report, "service_case", C, C.c.case_number, cases)
    return report


def _events(session: Session) -> Iterator[tuple[int, Any]]:
    """Every event about a ticket, by ticket then in the order written."""
    rows = session.execute(
        select(E.c.ticket_id, E.c.kind, E.c.at, E.c.window, E.c.clerk_code, E.c.data)
        .where(E.c.ticket_id.is_not(None))
        .order_by(E.c.ticket_id, E.c.seq)
        .execution_options(yield_per=_BATCH)
    )
    for row in rows:
        yield int(row.ticket_id), row


def _check_tickets(
    session: Session,
    report: RecordsReport,
    ratings: dict[int, dict[str, Any]],
    rectifications: dict[int, dict[str, Any]],
    cases: dict[str, dict[str, Any]],
) -> None:
    births: dict[int, dict[str, Any]] = {}
    """Tickets made by a transfer: their first state, from the old ticket's event."""
    events = _events(session)
    pending = next(events, None)
    tickets = session.execute(
        select(T.c.id, *(T.c[name] for name in TICKET_FIELDS))
        .order_by(T.c.id)
        .execution_options(yield_per=_BATCH)
    ).mappings()
    checked = 0
    for ticket in tickets:
        while pending is not None and pending[0] < ticket["id"]:  # events of a ticket not there
            report.add("ticket", f"{pending[0]}", "row", None, words.line("audit_in_events"))
            pending = next(events, None)
        state = births.pop(ticket["id"], None)
        while pending is not None and pending[0] == ticket["id"]:
            state = _step(state, pending[1], births, ratings, rectifications, cases)
            pending = next(events, None)
        checked += 1
        key = f"{ticket['id']} {ticket['number']}"
        if state is None:
            report.add(
                "ticket", key, "row", words.line("audit_stored"), words.line("audit_no_event")
            )
            continue
        for name in TICKET_FIELDS:
            if name in state and not _same(ticket[name], state[name]):
                report.add("ticket", key, name, ticket[name], state[name])
    while pending is not None:
        report.add("ticket", f"{pending[0]}", "row", None, words.line("audit_in_events"))
        pending = next(events, None)
    report.checked["ticket"] = checked


def _step(
    state: dict[str, Any] | None,
    event: Any,
    births: dict[int, dict[str, Any]],
    ratings: dict[int, dict[str, Any]],
    rectifications: dict[int, dict[str, Any]],
    cases: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    """A ticket's state after one more of its events (None: not issued yet)."""
    kind, at = event.kind, event.at
    data = json.loads(event.data) if kind not in ("called", "started", "finished") else {}
    if kind == "issued":
        return _new(
            data.get("number"), at, priority=data.get("priority"), item_code=data.get("item")
        )
    if kind == "checked_in":
        return _new(data.get("number"), at, priority="appointment")
    if state is None:
        state = {}  # a ticket whose birth is not in the log: its later steps are still checked
    if kind == "called":
        state.update(status="called", called_at=at, started_at=None)
        state.update(window=event.window, clerk_code=event.clerk_code)
    elif kind == "recalled":
        state["recalls"] = data.get("recalls")
    elif kind == "missed":
        state.update(misses=data.get("misses"), status="void" if data.get("void") else "missed")
    elif kind == "requeued":
        state.update(status="waiting", called_at=None, window=None, clerk_code=None)
    elif kind == "started":
        state.update(status="serving", started_at=at)
    elif kind in ("finished", "transferred"):
        began = state.get("started_at") or state.get("called_at")
        state.update(status="done" if kind == "finished" else "transferred", finished_at=at)
        state["started_at"] = began
        if kind == "transferred" and data.get("new_ticket_id") is not None:
            # Since the citizen kept their wait, the new ticket has the first one's issue time.
            issued = state.get("issued_at", at) if data.get("keeps_issued_at") else at
            births[int(data["new_ticket_id"])] = _new(data.get("new_number"), issued)
    elif kind == "cancelled":
        state.update(status="cancelled", finished_at=at)
    elif kind == "expired":  # closed at the day's end (models.queue.dayclose): the status it got
        state["status"] = data.get("status", "expired")
    else:
        _record_other(event, data, ratings, rectifications, cases)
    return state


def _new(number: str | None, at: dt.datetime, **known: Any) -> dict[str, Any]:
    """A ticket as issued: waiting, never called (``known``: priority and item, when said)."""
    return {
        "number": number, "status": "waiting", "issued_at": at, "called_at": None,
        "started_at": None, "finished_at": None, "window": None, "clerk_code": None,
        "recalls": 0, "misses": 0, **known,
    }  # fmt: skip


def _record_other(
    event: Any,
    data: dict[str, Any],
    ratings: dict[int, dict[str, Any]],
    rectifications: dict[int, dict[str, Any]],
    cases: dict[str, dict[str, Any]],
) -> None:
    """What a rating, rectification or case event says its row holds."""
    kind, at, ticket = event.kind, event.at, event.ticket_id
    if kind == "rated":
        ratings[int(data["rating"])] = {
            "ticket_id": ticket, "level": data.get("level"), "reason": data.get("reason"),
            "window": event.window, "rated_at": at,
        }  # fmt: skip
    elif kind == "rectification_opened":
        rectifications[int(data["rectification"])] = {
            "ticket_id": ticket, "rating_id": data.get("rating"), "opened_at": at,
            "due_date": dt.date.fromisoformat(data["due"]) if data.get("due") else None,
            "closed_at": None, "closed_by": None, "note": "",
        }  # fmt: skip
    elif kind == "rectification_closed":
        item = rectifications.setdefault(int(data["rectification"]), {})
        item.update(closed_at=at, closed_by=event.clerk_code, note=data.get("note", ""))
    elif kind == "case_opened":
        promised = data.get("promised")
        cases[str(data["case"])] = {
            "ticket_id": ticket, "item_code": data.get("item"), "accepted_at": at,
            "promised_date": dt.date.fromisoformat(promised) if promised else None,
            "state": "accepted" if promised else "done", "ready_at": None,
            "picked_up_at": None, "picked_up_window": None,
        }  # fmt: skip
    elif kind == "case_ready":
        cases.setdefault(str(data["case"]), {}).update(state="ready", ready_at=at)
    elif kind == "case_picked_up":
        cases.setdefault(str(data["case"]), {}).update(
            state="picked_up", picked_up_at=at, picked_up_window=event.window
        )


def _check_rows(
    session: Session,
    report: RecordsReport,
    name: str,
    table: Table,
    key: Any,
    expected: dict[Any, dict[str, Any]],
) -> None:
    """Compare a table's rows with what the events say each holds; rows no event made, and
    rows the events made that are gone, are differences too."""
    checked = 0
    for row in session.execute(select(table).execution_options(yield_per=_BATCH)).mappings():
        checked += 1
        wanted = expected.pop(row[key.name], None)
        if wanted is None:
            report.add(
                name, row[key.name], "row", words.line("audit_stored"), words.line("audit_no_event")
            )
            continue
        for column, value in wanted.items():
            if not _same(row[column], value):
                report.add(name, row[key.name], column, row[column], value)
    for missing in expected:
        report.add(name, missing, "row", words.line("audit_missing"), words.line("audit_in_events"))
    report.checked[name] = checked
