"""What the citizen's phone page shows for the token in their ticket's QR code.

The token is the ticket's random token (no personal data). The page follows the ticket through
transfers: a transferred ticket shows the number the citizen holds and the ticket it became.
Only today's tickets are shown; an unknown token, or one of another day, is not found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from models.db import reading
from models.errors import NotFound
from models.hall import hall_settings
from models.notify.notices import left_numbers
from models.queue import ticketrows
from models.tables import TicketStatus
from models.timeutil import business_date, resolve_now
from models.views.ticket import TicketView, view_tickets

TOKEN_RE = re.compile(r"^[0-9a-f]{8,32}$")
"""What a ticket token looks like (models.queue.tickets makes 16 hex digits)."""
TRANSFERS_FOLLOWED = 5
"""How many transfers in a row the page follows (a citizen is rarely sent on more than twice)."""


@dataclass(frozen=True)
class CitizenTicket:
    """The ticket a token names, and where it stands now."""

    held: TicketView
    """The ticket whose QR code was scanned (the number the citizen holds)."""
    now: TicketView
    """The ticket it became through transfers (``held`` itself when never transferred)."""
    hall_zh: str
    hall_en: str
    item_zh: str | None = None
    """The service asked for, when the ticket was taken for one."""
    item_en: str | None = None
    near_ahead: int = 0
    """The hall's "your turn is near" threshold (people ahead); 0: no near notice."""
    left_number: str | None = None
    """The number left for text reminders, masked (138****1234), or None."""

    @property
    def transferred(self) -> bool:
        """The held ticket was sent on to another queue or window."""
        return self.now.token != self.held.token


def citizen_ticket(engine: Engine, token: str, *, now: dt.datetime | None = None) -> CitizenTicket:
    """Today's ticket with this token, followed through its transfers.

    Raises NotFound (``unknown_ticket``) for a malformed or unknown token or a ticket of
    another day: the page says the same for all, so a guess learns nothing.
    """
    found = citizen_tickets(engine, [token], now=now).get(token)
    if found is None:
        raise NotFound("unknown_ticket")
    return found


def citizen_tickets(
    engine: Engine, tokens: Iterable[str], *, now: dt.datetime | None = None
) -> dict[str, CitizenTicket]:
    """Today's tickets with these tokens (as :func:`citizen_ticket`), read together in one
    transaction: what a thousand phone pages show after a change costs a few queries, not a
    thousand. Tokens that name no ticket of today are left out."""
    wanted = sorted({t for t in tokens if TOKEN_RE.match(t)})
    if not wanted:
        return {}
    moment = resolve_now(now)
    with reading(engine) as session:
        settings = hall_settings(session)
        today = business_date(moment, settings.timezone)
        held = [
            row
            for row in ticketrows.fetch_all(session, ticketrows.T.c.token.in_(wanted))
            if row.business_date == today
        ]
        # Follow transfers, a generation of children at a time.
        later = {row.id: row for row in held}
        for _ in range(TRANSFERS_FOLLOWED):
            moved = {
                row.id: key for key, row in later.items() if row.status == TicketStatus.TRANSFERRED
            }
            if not moved:
                break
            children = ticketrows.fetch_all(session, ticketrows.T.c.parent_id.in_(moved))
            if not children:
                break
            for child in children:
                later[moved[child.parent_id]] = child  # type: ignore[index]
        rows = {row.id: row for row in [*held, *later.values()]}
        described = view_tickets(session, list(rows.values()), settings=settings)
        views = dict(zip(rows, described, strict=True))
        numbers = left_numbers(session, [later[row.id].id for row in held])
    out = {}
    for row in held:
        view = views[row.id]
        out[row.token] = CitizenTicket(
            held=view,
            now=views[later[row.id].id],
            hall_zh=settings.name_zh,
            hall_en=settings.name_en,
            item_zh=view.item_name_zh,
            item_en=view.item_name_en,
            near_ahead=settings.notify_near_ahead,
            left_number=numbers.get(later[row.id].id),
        )
    return out
