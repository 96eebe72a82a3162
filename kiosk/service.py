"""What the kiosk's screens ask of the kiosk: a protocol the app fulfils, so the screens need
not import the app (which imports them)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from models.text import Lang

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kiosk.settings import KioskSettings
    from kiosk.snapshot import Snapshot
    from models.views import menu


class Kiosk(Protocol):
    """The kiosk as its screens see it."""

    settings: KioskSettings
    lang: Lang
    """The language shown first."""
    green: bool
    """The next ticket is for the green channel (绿色通道)."""
    green_guarded: bool
    """The hall wants a staff PIN before the green channel."""
    ready: bool
    """The database has answered: tickets can be taken."""
    hall_name: tuple[str, str]
    idle_seconds: float
    snapshot: Snapshot | None
    last_token: str | None

    @property
    def engine(self) -> Engine:
        """The database (once ready)."""
        ...

    def take(self, *, queue: str | None = None, item: str | None = None) -> None:
        """One tap, one ticket."""
        ...

    def check_in(self, code: str) -> None:
        """Check in an appointment code."""
        ...

    def reset_choices(self) -> None:
        """The green channel off and Chinese first."""
        ...

    def confirm_green(self) -> None:
        """Ask staff to confirm the green channel (their PIN)."""
        ...

    def now(self) -> dt.datetime:
        """The kiosk's clock."""
        ...

    def zones(self) -> list[menu.ZoneChoice]:
        """Zones with waiting counts (from a worker)."""
        ...

    def items(self) -> dict[str, list[menu.ItemChoice]]:
        """马上办 items by department (from a worker)."""
        ...
