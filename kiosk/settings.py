"""How one kiosk runs (its app and its screens both read these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from models.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class KioskSettings:
    """How one kiosk runs."""

    db: str | None = None
    """The database path or URL (None: MASHANGBAN_DB or the default file), opened and
    checked by a worker after the first screen is drawn."""
    engine: Engine | None = None
    """The database, when the caller has opened it already (tests, ``mashangban kiosk``)."""
    kiosk_id: str | None = None
    """Which [[kiosk]] of the hall file this is (its printer); the first by default."""
    printer: str | None = None
    """A printer to use instead of the kiosk's own."""
    clock: Clock = utcnow
    idle_seconds: float | None = None
    """Back to the start screen after this long untouched (default: the hall file's)."""
    refresh_seconds: float = 2.0
    snapshot: Path | None = None
    """The start screen's snapshot file (see kiosk/snapshot.py); None: none kept."""
