"""The counter: a keyboard-first Textual app for the clerk at one window.

The clerk logs in, then works with one key per action (the key bar lists them). Every database
and printer call runs in a thread worker; the screen re-reads the window whenever the hall's
change mark moves, so calls made elsewhere show within a second.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from textual.app import App
from textual.screen import Screen

from models.timeutil import utcnow

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class CounterSettings:
    """How one counter runs."""

    engine: Engine
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


class CounterApp(App[None]):
    """The counter. Create it with :func:`create_app`."""

    TITLE = "马上办 柜台"
    CSS_PATH = "counter.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, settings: CounterSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = settings.engine

    def on_mount(self) -> None:
        # What the desk and its receipts need, imported now rather than on a key press; then
        # keep full collections from walking the objects alive all day (the modules, the login
        # screen) on every press: they took 80-250 ms each, several times per 100 presses.
        import counter.desk  # noqa: F401
        import printer.receipts  # noqa: F401

        self.call_after_refresh(gc.freeze)

    def get_default_screen(self) -> Screen[None]:
        from counter.login import LoginScreen

        return LoginScreen()

    def now(self) -> dt.datetime:
        """The counter's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def logged_in(self, window: int) -> None:
        """The clerk is in: show the window's desk."""
        from counter.desk import DeskScreen

        self.push_screen(DeskScreen(window))

    def logged_out(self) -> None:
        """Back to the login screen (under the desk)."""
        self.pop_screen()


def create_app(settings: CounterSettings) -> CounterApp:
    """The counter app for these settings (the snapshot tests use this too)."""
    return CounterApp(settings)
