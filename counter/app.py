"""The counter: a keyboard-first Textual app for the clerk at one window.

The clerk logs in, then works with one key per action (the key bar lists them). Every database
and printer call runs in a thread worker; the screen re-reads the window whenever the hall's
change mark moves, so calls made elsewhere show within a second.
"""

from __future__ import annotations

import datetime as dt
import gc

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from appkit.database import app_engine
from counter.asks import QuitDialog
from counter.desk import DeskScreen
from counter.login import LoginScreen
from counter.messages import LoggedOut
from counter.settings import CounterSettings
from models.text import counter as ct


class CounterApp(App[None]):
    """The counter. Create it with :func:`create_app`."""

    TITLE = ct.zh("title")
    CSS_PATH = "counter.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        # Textual's own quit note is English only and says nothing of the citizen at the window.
        Binding("ctrl+q", "ask_quit", show=False, priority=True),
        Binding("ctrl+c", "ask_quit", show=False, priority=True),
    ]

    def __init__(self, settings: CounterSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = app_engine(settings.engine, settings.db)
        """The hall's database."""

    def on_mount(self) -> None:
        # What the receipts need, imported now rather than on a key press; then keep full
        # collections from walking the objects alive all day (the modules, the login screen)
        # on every press: they took 80-250 ms each, several times per 100 presses.
        import printer.receipts  # noqa: F401

        self.call_after_refresh(gc.freeze)

    def get_default_screen(self) -> Screen[None]:
        return LoginScreen()

    def now(self) -> dt.datetime:
        """The counter's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def action_ask_quit(self) -> None:
        """Ask before quitting: y quits, n or Esc stays (the desk asks about its citizen too)."""
        if isinstance(self.screen, QuitDialog):
            return
        desk = next((s for s in reversed(self.screen_stack) if isinstance(s, DeskScreen)), None)
        if desk is not None:
            desk.ask_quit()
            return
        self.push_screen(QuitDialog(None), lambda answer: self.exit() if answer else None)

    def on_login_screen_logged_in(self, message: LoginScreen.LoggedIn) -> None:
        """The clerk is in: show the window's desk."""
        self.push_screen(DeskScreen(message.window))

    def on_desk_screen_logged_out(self, _message: LoggedOut) -> None:
        """Back to the login screen (under the desk)."""
        self.pop_screen()


def create_app(settings: CounterSettings) -> CounterApp:
    """The counter app for these settings (the snapshot tests use this too)."""
    return CounterApp(settings)
