"""A clock set back must not put a ticket's steps out of order.

Hosts' clocks drift, and one set back (by hand, or a bad NTP server) would let a finish come
before its call: a negative service time that reports would average in. Every operation that
steps a ticket on therefore acts no earlier than the ticket's latest time: when the clock is
behind it, the step is clamped to that time (a duration of zero, not a negative one), and its
event says by how much the clock was behind (``"clock_behind_s": 42.0``), so the record shows
it and the desk or the command line can warn once. The step is not refused: the citizen at the
window must still be served while someone fixes the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from models.timeutil import to_utc

WARN_AFTER_S = 1.0
"""Behind by less than this (two hosts' clocks a few milliseconds apart) is clamped silently."""
AHEAD_TOLERANCE_S = 300.0
"""Ahead of the database's clock by more than this, a host's clock is taken to be wrong."""


class Timed(Protocol):
    """The times a ticket carries (a TicketRow or a Ticket)."""

    @property
    def issued_at(self) -> dt.datetime: ...
    @property
    def called_at(self) -> dt.datetime | None: ...
    @property
    def started_at(self) -> dt.datetime | None: ...
    @property
    def finished_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class StepTime:
    """When a step on a ticket happens, and how far behind the clock was."""

    at: dt.datetime
    """The time to store: the clock's, or the ticket's latest time when the clock is behind."""
    behind_s: float = 0.0
    """Seconds the clock was behind the ticket's latest time (0 when it was not)."""

    @property
    def warn(self) -> bool:
        """Whether to tell the clerk (behind by a second or more)."""
        return self.behind_s >= WARN_AFTER_S

    def data(self) -> dict[str, Any]:
        """What the step's event records about the clock (nothing when it was not behind)."""
        return {"clock_behind_s": round(self.behind_s, 3)} if self.behind_s > 0 else {}


def step_time(ticket: Timed, moment: dt.datetime) -> StepTime:
    """The time a step on ``ticket`` acts at: ``moment``, never before the ticket's latest time."""
    times = (ticket.issued_at, ticket.called_at, ticket.started_at, ticket.finished_at)
    latest = max((to_utc(t) for t in times if t is not None), default=None)
    moment = to_utc(moment)
    if latest is None or latest <= moment:
        return StepTime(moment)
    return StepTime(latest, (latest - moment).total_seconds())


def clock_ahead_s(moment: dt.datetime, reference: dt.datetime) -> float:
    """The mirror of a clock set back: how many seconds ``moment`` (this host's clock) is ahead
    of ``reference`` (the database's clock), or 0 when it is not ahead by more than
    :data:`AHEAD_TOLERANCE_S`. A clock ahead cannot reorder a ticket's steps, but it can make a
    host believe the day is over (models.queue.dayclose), so whatever acts on "the day is over"
    checks it first."""
    ahead = (to_utc(moment) - to_utc(reference)).total_seconds()
    return ahead if ahead > AHEAD_TOLERANCE_S else 0.0
