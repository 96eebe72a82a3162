"""How one rating pad runs (its app and its screens both read these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class RatePadSettings:
    """How one rating pad runs."""

    window: int
    """The window the pad faces the citizens of."""
    db: str | None = None
    """The database path or URL (None: MASHANGBAN_DB or the default file)."""
    engine: Engine | None = None
    """The database, when the caller has opened it already (the command, tests)."""
    clock: Clock = utcnow
    poll_seconds: float = 0.5
    """How often the hall's change mark is read (a finished ticket shows within twice this)."""
    idle_seconds: float = 60.0
    """A question left untouched this long is dropped: the pad waits for the next ticket."""
    thanks_seconds: float = 5.0
    """How long the thank-you stays before the pad waits again."""
