"""Cases (办件): a service accepted at a window with a promise of time (限时办结).

The counter opens a case when it finishes a ticket for an item with promised working days;
the receipt (受理回执) prints its number, promised date and pickup code.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models.db import reading, retry_conflicts, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import find_ticket, get_item
from models.queue.ticketrows import T, TicketRow, fetch
from models.tables import Case, ChainHead, ServiceItem, TicketStatus
from models.timeutil import local, resolve_now
from models.workdays import add_workdays


@dataclass(frozen=True)
class CaseView:
    """A case as printed on the receipt and shown to staff."""

    case_number: str
    number: str
    """The ticket it came from."""
    item: str
    item_zh: str
    item_en: str
    window: int
    clerk: str | None
    accepted_at: dt.datetime
    """Local time."""
    promised_date: dt.date | None
    provisional: bool
    pickup_code: str
    """Empty for an instant item (handed over at the window)."""
    state: str
    """accepted, ready or picked_up (promised items); done (an instant item's 办结单)."""


@retry_conflicts
def open_case(engine: Engine, *, ticket_number: str, now: dt.datetime | None = None) -> CaseView:
    """The case of a ticket served (or being served) at a window today, opened if need be.

    Finishing a ticket for an item with promised working days opens its case already (see
    :func:`open_case_at_finish`); this returns that case. For an instant item it opens a case
    that is done at once (the 办结单 printed on request). Refused when the ticket has no item or
    has not reached a window.
    """
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        day = local(moment, settings.timezone).date()
        ticket = find_ticket(session, ticket_number, day, lock=True)
        if ticket.item_code is None or ticket.window is None:
            raise Refused("case_needs_item", number=ticket.number)
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE):
            raise Refused("case_needs_item", number=ticket.number)
        existing = session.exec(select(Case).where(Case.ticket_id == ticket.id)).first()
        if existing is not None:
            return case_view(session, existing, settings.timezone)
        case = _open(session, ticket, get_item(session, ticket.item_code), moment, day)
        return case_view(session, case, settings.timezone)


def open_case_at_finish(
    session: Session, ticket: TicketRow, moment: dt.datetime, tz: str
) -> Case | None:
    """Open the case of a ticket being finished when its item promises working days (限时办结).

    Runs inside the finishing write transaction, so a finished ticket never lacks its case.
    """
    if ticket.item_code is None or ticket.window is None:
        return None
    item = get_item(session, ticket.item_code)
    if not item.promised_days:
        return None
    return _open(session, ticket, item, moment, local(moment, tz).date())


PICKUP_CODE_DAYS = 730
"""A new pickup code is one no case of the last two years has: an old receipt's code (its
case long picked up) must not collect a new citizen's result."""


def _free_pickup_code(session: Session, moment: dt.datetime) -> str:
    """Six random digits that no case waiting to be picked up, nor any of the last
    :data:`PICKUP_CODE_DAYS` days, has (a code names one case)."""
    since = moment - dt.timedelta(days=PICKUP_CODE_DAYS)
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        taken = session.exec(
            select(Case.id).where(
                Case.pickup_code == code,
                col(Case.state).in_(["accepted", "ready"]) | (col(Case.accepted_at) >= since),
            )
        ).first()
        if taken is None:
            return code


def _open(
    session: Session, ticket: TicketRow, item: ServiceItem, moment: dt.datetime, day: dt.date
) -> Case:
    """Number, date and store a new case for a ticket, and write its event."""
    promised, provisional = (None, False)
    if item.promised_days:
        promised, provisional = add_workdays(day, item.promised_days)
    # Numbers are per day and counted: take the chain head's lock first (every writer takes
    # it before committing), so two windows opening cases at once never count alike.
    session.execute(select(ChainHead.seq).where(ChainHead.id == 1).with_for_update())
    count = session.execute(
        select(func.count())
        .select_from(Case)
        .where(col(Case.case_number).startswith(f"{day:%Y%m%d}-"))
    ).scalar_one()
    case = Case(
        case_number=f"{day:%Y%m%d}-{count + 1:04d}",
        ticket_id=ticket.id,
        item_code=item.code,
        window=ticket.window or 0,
        clerk_code=ticket.clerk_code,
        accepted_at=moment,
        promised_date=promised,
        provisional=provisional,
        # An instant item is done at the window and handed over: nothing to pick up later, so
        # no pickup code (its 办结单 says so).
        pickup_code=_free_pickup_code(session, moment) if item.promised_days else "",
        state="accepted" if item.promised_days else "done",
    )
    session.add(case)
    session.flush()
    append_event(
        session,
        kind="case_opened",
        ticket_id=ticket.id,
        window=ticket.window,
        clerk_code=ticket.clerk_code,
        at=moment,
        data={
            "case": case.case_number,
            "item": item.code,
            "promised": promised.isoformat() if promised else None,
        },
    )
    return case


def case_for_ticket(engine: Engine, *, ticket_id: int) -> CaseView:
    """The newest case opened for a ticket. NotFound when there is none."""
    with reading(engine) as session:
        case = session.exec(
            select(Case).where(Case.ticket_id == ticket_id).order_by(col(Case.id).desc())
        ).first()
        if case is None:
            raise NotFound("no_case")
        return case_view(session, case, hall_settings(session).timezone)


def case_by_id(session: Session, case_id: int, tz: str) -> CaseView:
    """A case known to exist (print jobs refer to it)."""
    case = session.get(Case, case_id)
    assert case is not None, f"print job refers to case {case_id}"
    return case_view(session, case, tz)


def case_view(session: Session, case: Case, tz: str) -> CaseView:
    """A stored case as staff see it (local times)."""
    item = get_item(session, case.item_code)
    ticket = fetch(session, T.c.id == case.ticket_id)
    return CaseView(
        case_number=case.case_number,
        number=ticket.number if ticket else "?",
        item=item.code,
        item_zh=item.name_zh,
        item_en=item.name_en,
        window=case.window,
        clerk=case.clerk_code,
        accepted_at=local(case.accepted_at, tz),
        promised_date=case.promised_date,
        provisional=case.provisional,
        pickup_code=case.pickup_code,
        state=case.state,
    )
