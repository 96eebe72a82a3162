"""What the citizen's phone page shows for the token in their ticket's QR code.

The token is the ticket's random token (no personal data). The page follows the ticket through
transfers: a transferred ticket shows the number the citizen holds and the ticket it became.
Only today's tickets are shown; an unknown token, or one of another day, is not found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine

from models.db import reading
from models.errors import NotFound
from models.hall import hall_settings
from models.lookup import get_item
from models.queue import ticketrows
from models.tables import TicketStatus
from models.timeutil import business_date, resolve_now
from models.views.ticket import TicketView, view_ticket

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

    @property
    def transferred(self) -> bool:
        """The held ticket was sent on to another queue or window."""
        return self.now.token != self.held.token


def citizen_ticket(engine: Engine, token: str, *, now: dt.datetime | None = None) -> CitizenTicket:
    """Today's ticket with this token, followed through its transfers.

    Raises NotFound (``unknown_ticket``) for a malformed or unknown token or a ticket of
    another day: the page says the same for all, so a guess learns nothing.
    """
    if not TOKEN_RE.match(token):
        raise NotFound("unknown_ticket")
    moment = resolve_now(now)
    with reading(engine) as session:
        row = ticketrows.fetch(session, ticketrows.T.c.token == token)
        if row is None:
            raise NotFound("unknown_ticket")
        settings = hall_settings(session)
        if row.business_date != business_date(moment, settings.timezone):
            raise NotFound("unknown_ticket")
        held = view_ticket(session, row, settings=settings)
        current = row
        for _ in range(TRANSFERS_FOLLOWED):
            if current.status != TicketStatus.TRANSFERRED:
                break
            child = ticketrows.fetch(session, ticketrows.T.c.parent_id == current.id)
            if child is None:
                break
            current = child
        later = held if current.id == row.id else view_ticket(session, current, settings=settings)
        item = None
        if held.item is not None:
            with contextlib.suppress(NotFound):  # an item since removed from the hall file
                item = get_item(session, held.item)
    return CitizenTicket(
        held=held,
        now=later,
        hall_zh=settings.name_zh,
        hall_en=settings.name_en,
        item_zh=item.name_zh if item else None,
        item_en=item.name_en if item else None,
    )
