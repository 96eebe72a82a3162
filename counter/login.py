"""The login screen: window number, clerk number and PIN."""

from __future__ import annotations

from typing import cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from appkit.errors import describe
from counter.service import Counter
from models.clerks.staff import login
from models.db import retry_busy
from models.text import counter as ct
from models.textsafe import printable_lines


class Field(Input):
    """A login field that moves on at Tab or Enter at once, and hands on what is typed after.

    A badge scanner or a fast typist sends ``1001<Tab>246813`` in one burst: every key of it is
    queued to this field before the Tab would have moved the focus (a Tab or Enter bubbles up
    and is handled later), so the PIN would land here, in clear. Here the focus moves as the Tab
    or Enter is read, and the keys queued behind it go to the field that has the focus now.
    """

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not self and isinstance(focused, Input):
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("tab", "enter"):
            event.stop()
            event.prevent_default()
            self.screen.focus_next()
            return
        await super()._on_key(event)


class LoginScreen(Screen[None]):
    """Refuses a wrong PIN, a window held by another clerk, a clerk logged in elsewhere."""

    was_used = False
    """True once a clerk has logged in from here (the screen comes back after a logout)."""

    class LoggedIn(Message):
        """A clerk logged in at this window (the app shows the desk)."""

        def __init__(self, window: int) -> None:
            super().__init__()
            self.window = window

    class Refused(Message, bubble=False):
        """The login was refused: what to say."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    @property
    def counter(self) -> Counter:
        """The counter (the app, as its screens see it)."""
        return cast("Counter", self.app)

    def compose(self) -> ComposeResult:
        settings = self.counter.settings
        with Vertical(id="login"):
            yield Static(ct.line("title"), id="login-title")
            yield Label(ct.line("window"))
            yield Field(str(settings.window or ""), id="window", restrict=r"\d*", max_length=3)
            yield Label(ct.line("clerk"))
            yield Field(settings.clerk or "", id="clerk", max_length=16)
            yield Label(ct.line("pin"))
            yield Input(settings.pin or "", id="pin", password=True, restrict=r"\d*", max_length=12)
            yield Button(ct.line("login"), id="submit", variant="primary")
            yield Static("", id="login-error", markup=False)

    def on_mount(self) -> None:
        first_empty = next((w for w in self.query(Input) if not w.value), None)
        if first_empty is None and self.counter.settings.pin:
            self.submit()  # everything was given: log in at once
            return
        (first_empty or self.query_one("#pin", Input)).focus()

    def on_screen_resume(self) -> None:
        if not self.was_used:
            return
        # Back after a logout: a fresh form for the next clerk, with the window kept.
        self.query_one("#submit", Button).disabled = False
        self.query_one("#clerk", Input).value = ""
        self.query_one("#pin", Input).value = ""
        self.query_one("#login-error", Static).update(ct.line("logged_out"))
        self.query_one("#clerk", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self) -> None:
        self.submit()  # Enter in the other fields moves on (Field)

    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        """Check the form, then log in in a worker (the PIN hash is slow on purpose)."""
        window = self.query_one("#window", Input).value.strip()
        clerk = self.query_one("#clerk", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not window.isdigit():
            self._error(ct.line("bad_window"), "#window")
            return
        if not clerk:
            self._error(ct.line("bad_clerk"), "#clerk")
            return
        self.query_one("#login-error", Static).update(ct.line("login_busy"))
        self.query_one("#submit", Button).disabled = True
        self._login(int(window), clerk, pin)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _login(self, window: int, clerk: str, pin: str) -> None:
        engine = self.counter.engine
        try:
            retry_busy(lambda: login(engine, window=window, clerk=clerk, pin=pin), attempts=5)
        except Exception as exc:  # a refusal, or trouble: shown on the form, never a crash
            self.post_message(self.Refused(describe(exc)))
            return
        self.was_used = True
        self.post_message(self.LoggedIn(window))

    def on_login_screen_refused(self, message: Refused) -> None:
        text = message.text
        self.query_one("#submit", Button).disabled = False
        pin = self.query_one("#pin", Input)
        pin.value = ""
        self._error(text, "#pin")

    def _error(self, text: str, focus: str) -> None:
        self.query_one("#login-error", Static).update(printable_lines(text))
        self.query_one(focus, Input).focus()
