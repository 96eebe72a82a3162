"""The rating pad (好差评): a small touch screen facing the citizen at one window.

It waits until the window finishes a ticket, asks "请为 M023 的服务评价" with five large
buttons, asks for a reason (buttons, no typing) after 不满意 or 非常不满意, thanks the citizen,
and goes back to waiting. It runs unattended like the kiosk: no key quits it; staff press F12
and a clerk number and PIN. Every database call runs in a thread worker.

``python -m ratepad [--db URL] --window N`` is the same as ``mashangban rate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from models.timeutil import utcnow

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class RatePadSettings:
    """How one rating pad runs."""

    engine: Engine
    window: int
    """The window the pad faces the citizens of."""
    clock: Clock = utcnow
    poll_seconds: float = 0.5
    """How often the hall's change mark is read (a finished ticket shows within twice this)."""
    idle_seconds: float = 60.0
    """A question left untouched this long is dropped: the pad waits for the next ticket."""
    thanks_seconds: float = 5.0
    """How long the thank-you stays before the pad waits again."""


class RatePadApp(App[None]):
    """The rating pad. Create it with :func:`create_app`."""

    TITLE = "马上办 好差评"
    CSS_PATH = "ratepad.tcss"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        # Unattended: the usual quit keys do nothing; F12 asks for a staff PIN.
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("f12", "staff", show=False, priority=True),
    ]

    def __init__(self, settings: RatePadSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = settings.engine

    def get_default_screen(self) -> Screen[None]:
        from ratepad.screens import PadScreen

        return PadScreen(self.settings.window)

    def now(self) -> dt.datetime:
        """The pad's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def action_nothing(self) -> None:
        """A quit key pressed by a citizen: nothing happens."""

    def action_staff(self) -> None:
        """F12: the staff PIN dialog (which can quit the pad)."""
        from ratepad.screens import StaffQuitScreen

        if not isinstance(self.screen, StaffQuitScreen):
            self.push_screen(StaffQuitScreen())


def create_app(settings: RatePadSettings) -> RatePadApp:
    """The rating pad for these settings (the snapshot tests use this too)."""
    return RatePadApp(settings)
