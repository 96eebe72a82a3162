"""What the counter's screens ask of the counter: a protocol the app fulfils, so the screens
need not import the app (which imports them)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from counter.settings import CounterSettings


class Counter(Protocol):
    """The counter as its screens see it."""

    settings: CounterSettings
    engine: Engine

    def now(self) -> dt.datetime:
        """The counter's clock (fixed in tests and snapshots)."""
        ...
