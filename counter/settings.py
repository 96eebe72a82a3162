"""How one counter runs (its app and its screens both read these)."""

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
class CounterSettings:
    """How one counter runs."""

    db: str | None = None
    """The database path or URL (None: MASHANGBAN_DB or the default file)."""
    engine: Engine | None = None
    """The database, when the caller has opened it already (the command, tests)."""
    window: int | None = None
    """The window this terminal stands at (asked on the login screen when not given)."""
    clerk: str | None = None
    """The clerk number to fill in on the login screen."""
    pin: str | None = None
    """A PIN to log in with at once (the demo; ``MASHANGBAN_PIN``): with window and clerk
    given, the login screen submits itself; a wrong one is refused there as if typed."""
    clock: Clock = utcnow
    poll_seconds: float = 0.5
    """How often the hall's change mark is read (changes show within twice this)."""
    rating_wait_seconds: float = 20.0
    """After n finishes a served citizen, the next is called when the rating pad has their
    rating, after this many seconds, or on n again; 0: no pad here, n calls at once."""
