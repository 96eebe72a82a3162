"""Apps that stand in the hall unattended (the kiosk, the rating pad): no key quits them; staff
press F12 and type their clerk number and PIN.

A wrong PIN is refused and written to the event log; too many lock the place or the clerk
(models/clerks/lockout.py, through ``verify_staff``). The PIN dialog closes itself when left
untouched: nobody may find it open. The database code is imported only when a PIN is checked,
so an app built on this base still draws its first screen before SQLAlchemy is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from appkit.idle import IdleWatch
from models.text import staff

if TYPE_CHECKING:
    from sqlalchemy import Engine

ReturnType = TypeVar("ReturnType")


class PinScreen(ModalScreen[bool]):
    """A clerk number and PIN; dismissed with True once ``verify_staff`` accepts them.

    Subclasses say what it asks (:meth:`prompt`) and add their buttons (:meth:`buttons`): the
    one that submits has the class ``staff-submit``, the one that goes back ``staff-back``.
    """

    class Checked(Message, bubble=False):
        """The PIN check ended: None when accepted, else what to say."""

        def __init__(self, refusal: str | None) -> None:
            super().__init__()
            self.refusal = refusal
            """Why the PIN was refused (None: accepted)."""

    def __init__(self, *, engine: Engine, place: str, idle_seconds: float) -> None:
        super().__init__()
        self.engine = engine
        """The database the PIN is checked against."""
        self.place = place
        """Where the PIN is typed, as the event log and the lockout name it (``kiosk K1``)."""
        self.idle = IdleWatch(self, idle_seconds, self._idle_out)
        """Closes the dialog when it is left untouched."""

    def prompt(self) -> str:
        """The line above the inputs."""
        raise NotImplementedError

    def buttons(self) -> ComposeResult:
        """The dialog's buttons (submit and back)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="staff-box"):
            yield Static(self.prompt())
            yield Input(placeholder=staff.line("clerk"), id="clerk")
            yield Input(placeholder=staff.line("pin"), password=True, id="pin")
            yield Static("", id="staff-error")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.idle.start()
        self.query_one("#clerk", Input).focus()

    def on_key(self) -> None:
        self.idle.touch()

    @on(Input.Changed)
    def typing(self) -> None:
        self.idle.touch()  # the inputs consume their key events; a change means typing

    def on_mouse_down(self) -> None:
        self.idle.touch()

    def _idle_out(self) -> None:
        if self.app.screen is self:
            self.dismiss(False)

    @on(Input.Submitted, "#clerk")
    def next_field(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, ".staff-submit")
    def submit(self) -> None:
        """Check what was typed (in a worker: the PIN hash is slow on purpose)."""
        self.idle.touch()
        self.check(self.query_one("#clerk", Input).value, self.query_one("#pin", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def check(self, clerk: str, pin: str) -> None:
        """Verify the PIN in a worker; the answer comes back as :class:`Checked`."""
        from appkit.errors import describe
        from models.clerks.staff import verify_staff

        try:
            verify_staff(self.engine, clerk=clerk, pin=pin, place=self.place)
        except Exception as exc:  # a refusal (or trouble): said in the dialog
            self.post_message(self.Checked(describe(exc)))
            return
        self.post_message(self.Checked(None))

    def on_pin_screen_checked(self, message: Checked) -> None:
        if message.refusal is None:
            self.dismiss(True)
        else:
            self.refused(message.refusal)

    def refused(self, text: str) -> None:
        """Say why, and clear the PIN."""
        self.query_one("#staff-error", Static).update(text)
        self.query_one("#pin", Input).value = ""

    @on(Button.Pressed, ".staff-back")
    def back(self) -> None:
        """Close without unlocking."""
        self.dismiss(False)


class UnattendedApp(App[ReturnType]):
    """An app no key quits: ctrl+q and ctrl+c do nothing; F12 opens the staff PIN dialog."""

    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("f12", "staff", show=False, priority=True),
    ]

    def action_nothing(self) -> None:
        """A quit key pressed by a citizen: nothing happens."""

    def action_staff(self) -> None:
        """F12: the staff PIN dialog (once; not while the app cannot check a PIN)."""
        if isinstance(self.screen, PinScreen):
            return
        screen = self.staff_screen()
        if screen is not None:
            self.push_screen(screen, self.staff_unlocked)

    def staff_screen(self) -> PinScreen | None:
        """The PIN dialog to show; None when staff must wait (no database yet)."""
        raise NotImplementedError

    def staff_unlocked(self, unlocked: bool | None) -> None:
        """The PIN dialog closed: ``unlocked`` when a clerk's PIN was accepted."""
        raise NotImplementedError
