"""Today's counts for the IT person's metrics (the hall server's /metrics): calls per window and
print jobs by state. Queue counts come from :mod:`models.views.status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, Table, func, select

from models.db import reading
from models.events import E
from models.hall import hall_settings
from models.tables import PrintJob
from models.timeutil import business_date, from_local, resolve_now

J: Table = PrintJob.__table__  # type: ignore[attr-defined]
CALL_KINDS = ("called", "recalled")


@dataclass(frozen=True)
class DayCounts:
    """Counts since the start of today's business date."""

    calls_by_window: dict[int, int]
    """Calls and recalls made at each window today."""
    print_jobs_by_state: dict[str, int]
    """Print jobs queued today, by state (pending, sent, done, uncertain, failed)."""


def day_counts(engine: Engine, *, now: dt.datetime | None = None) -> DayCounts:
    """Read today's counts in one read transaction (the event index on window, kind, time)."""
    moment = resolve_now(now)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        start = from_local(business_date(moment, tz), dt.time(0), tz)
        calls = session.execute(
            select(E.c.window, func.count())
            .where(E.c.kind.in_(CALL_KINDS), E.c.at >= start, E.c.window.is_not(None))
            .group_by(E.c.window)
        ).all()
        jobs = session.execute(
            select(J.c.state, func.count()).where(J.c.created_at >= start).group_by(J.c.state)
        ).all()
    return DayCounts(
        calls_by_window={int(w): int(n) for w, n in calls},
        print_jobs_by_state={str(s): int(n) for s, n in jobs},
    )
