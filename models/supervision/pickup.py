"""统一出件: cases move accepted → ready → picked up; overdue ones are flagged.

A case is overdue when its result is not ready and its promised date has passed (the hall
missed its promise). Ready cases wait at the pickup window (统一出件) for their pickup code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import reading, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import get_window
from models.supervision.cases import CaseView, case_view
from models.tables import Case
from models.text.words import word
from models.timeutil import business_date, from_local, local, resolve_now

OPEN_STATES = ("accepted", "ready")


@dataclass(frozen=True)
class CaseLine:
    """A case as the hall manager lists it."""

    case: CaseView
    overdue: bool
    """Not ready and past its promised date."""
    days_left: int | None
    """Calendar days until the promised date (negative: days late); None without a promise."""
    ready_at: dt.datetime | None
    picked_up_at: dt.datetime | None


def is_overdue(case: Case, today: dt.date) -> bool:
    """True when the result is not ready and the promised date has passed."""
    promised = case.promised_date
    return case.state == "accepted" and promised is not None and promised < today


def list_cases(
    engine: Engine,
    *,
    overdue: bool = False,
    state: str | None = None,
    open_only: bool = False,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[CaseLine]:
    """Cases by case number; only the overdue, one state, the open ones, or those accepted on
    the hall's dates ``start`` to ``end`` (either may be left open) when asked."""
    moment = resolve_now(now)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        today = business_date(moment, tz)
        query = select(Case).order_by(col(Case.case_number))
        if start is not None:
            query = query.where(col(Case.accepted_at) >= from_local(start, dt.time(0), tz))
        if end is not None:
            after = from_local(end + dt.timedelta(days=1), dt.time(0), tz)
            query = query.where(col(Case.accepted_at) < after)
        if state is not None:
            query = query.where(Case.state == state)
        if open_only or overdue:
            query = query.where(col(Case.state).in_(OPEN_STATES))
        if overdue:
            query = query.where(Case.state == "accepted", col(Case.promised_date) < today)
        return [_line(session, case, tz, today) for case in session.exec(query).all()]


def _line(session: Session, case: Case, tz: str, today: dt.date) -> CaseLine:
    return CaseLine(
        case=case_view(session, case, tz),
        overdue=is_overdue(case, today),
        days_left=(case.promised_date - today).days if case.promised_date else None,
        ready_at=local(case.ready_at, tz) if case.ready_at else None,
        picked_up_at=local(case.picked_up_at, tz) if case.picked_up_at else None,
    )


def mark_ready(engine: Engine, *, case_number: str, now: dt.datetime | None = None) -> CaseLine:
    """The result of an accepted case is ready for pickup. Refused in any other state."""
    moment = resolve_now(now)
    with writing(engine) as session:
        tz = hall_settings(session).timezone
        case = session.exec(
            select(Case).where(Case.case_number == case_number.strip()).with_for_update()
        ).first()
        if case is None:
            raise NotFound("unknown_case", case=case_number)
        if case.state != "accepted":
            state_zh = word("case", case.state)
            raise Refused(
                "case_not_accepted", case=case.case_number, state=case.state, state_zh=state_zh
            )
        case.state, case.ready_at = "ready", moment
        session.add(case)
        append_event(
            session,
            kind="case_ready",
            ticket_id=case.ticket_id,
            at=moment,
            data={"case": case.case_number, "late": is_overdue(case, business_date(moment, tz))},
        )
        return _line(session, case, tz, business_date(moment, tz))


def pickup(
    engine: Engine, *, code: str, window: int | None = None, now: dt.datetime | None = None
) -> CaseLine:
    """Hand a ready result over for its pickup code (at the 统一出件 window).

    A code that names no case, a case already picked up, and one not ready yet are refused.
    """
    moment = resolve_now(now)
    code = code.strip()
    if not code:  # instant items' cases have none: an empty code names nothing to collect
        raise Refused("pickup_unknown", code=code)
    with writing(engine) as session:
        tz = hall_settings(session).timezone
        if window is not None:
            get_window(session, window)  # an unknown window is refused, not stored on the case
        cases = session.exec(
            select(Case)
            .where(Case.pickup_code == code)
            .order_by(col(Case.id).desc())
            .with_for_update()
        ).all()
        waiting = [c for c in cases if c.state in OPEN_STATES]
        if not waiting:
            raise Refused("pickup_used" if cases else "pickup_unknown", code=code)
        case = waiting[0]
        if case.state != "ready":
            raise Refused("pickup_not_ready", case=case.case_number, promised=case.promised_date)
        case.state, case.picked_up_at, case.picked_up_window = "picked_up", moment, window
        session.add(case)
        append_event(
            session,
            kind="case_picked_up",
            ticket_id=case.ticket_id,
            window=window,
            at=moment,
            data={"case": case.case_number},
        )
        return _line(session, case, tz, business_date(moment, tz))
