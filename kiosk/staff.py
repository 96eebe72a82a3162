"""Staff at the kiosk: F12, then a clerk number and PIN, opens a menu that can also quit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from appkit.unattended import PinScreen
from kiosk.screens import KioskScreen
from models.text import Lang
from models.text import kiosk as kiosk_text

if TYPE_CHECKING:
    from sqlalchemy import Engine


class StaffPinScreen(PinScreen):
    """Clerk number and PIN; a wrong PIN is refused (and written to the event log).

    Left open and untouched, it closes itself: a kiosk is unattended.
    """

    def __init__(self, *, engine: Engine, place: str, idle_seconds: float, lang: Lang) -> None:
        super().__init__(engine=engine, place=place, idle_seconds=idle_seconds)
        self.lang = lang
        """The language shown first."""

    def prompt(self) -> str:
        return kiosk_text.both("staff_pin", self.lang)

    def buttons(self) -> ComposeResult:
        # One line each, side by side: the dialog fits 80×24 (返回 was below the screen).
        with Horizontal(id="staff-buttons-row"):
            ok = kiosk_text.one_line("ok", self.lang)
            yield Button(ok, id="staff-ok", variant="primary", classes="staff-submit")
            back = kiosk_text.one_line("back", self.lang)
            yield Button(back, id="staff-cancel", classes="staff-back")

    def refused(self, text: str) -> None:
        super().refused(f"[red]{text}[/red]")


class GreenPinScreen(StaffPinScreen):
    """A guide-desk clerk confirms the green channel for the citizen at the kiosk (a hall whose
    file says ``green_channel = "staff"``). Their clerk number goes with the ticket's event."""

    clerk = ""
    """The clerk number accepted (empty until a PIN is accepted)."""

    def prompt(self) -> str:
        who = kiosk_text.both("green_for", self.lang)
        return f"{who}\n{kiosk_text.both('green_staff', self.lang)}"

    def on_pin_screen_checked(self, message: PinScreen.Checked) -> None:
        # Runs before PinScreen's own handler, which closes the dialog when accepted.
        if message.refusal is None:
            self.clerk = self.query_one("#clerk", Input).value.strip()


class StaffMenuScreen(KioskScreen):
    """Reprint the last ticket, ask the printer, read paper warnings, or quit the kiosk.

    Like every screen but the start, it closes itself when left idle: a kiosk is unattended.
    Esc or 返回 closes it. The buttons have one-line labels, two to a row: at 80×24 all of them
    and the answer fit on the screen.
    """

    BINDINGS = [Binding("escape", "back", show=False)]

    class Done(Message, bubble=False):
        """A staff task ended: what to show."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        lang = self.kiosk.lang
        with Vertical(id="staff-menu"):
            yield Static(kiosk_text.one_line("staff_title", lang), id="staff-title")
            with Grid(id="staff-buttons"):
                yield Button(kiosk_text.one_line("reprint", lang), id="staff-reprint")
                yield Button(kiosk_text.one_line("printer_status", lang), id="staff-printer")
                yield Button(kiosk_text.one_line("warnings", lang), id="staff-warnings")
                yield Button(kiosk_text.one_line("back", lang), id="staff-back", variant="primary")
                yield Button(kiosk_text.one_line("quit", lang), id="staff-quit", variant="error")
            yield Static("", id="staff-output")

    @on(Button.Pressed, "#staff-reprint, #staff-printer, #staff-warnings")
    def run(self, event: Button.Pressed) -> None:
        self.staff_task(event.button.id or "")

    @work(thread=True, exclusive=True, exit_on_error=False)
    def staff_task(self, which: str) -> None:
        """Staff work in a worker; the answer lands in the output line."""
        from models.errors import MashangbanError
        from printer.care import describe_printer, kiosk_printer, recent_warnings, reprint_by_token

        kiosk = self.kiosk
        lang = kiosk.lang
        try:
            if which == "staff-reprint":
                if kiosk.last_token is None:
                    text = kiosk_text.both("nothing_to_reprint", lang)
                else:
                    job = reprint_by_token(
                        kiosk.engine, token=kiosk.last_token, printer=kiosk.settings.printer
                    )
                    text = kiosk_text.line(
                        "reprinted", number=job.number, printer=job.printer, state=job.state
                    )
            elif which == "staff-printer":
                name = kiosk_printer(
                    kiosk.engine, kiosk=kiosk.settings.kiosk_id, override=kiosk.settings.printer
                )
                zh, en = describe_printer(kiosk.engine, name)
                text = f"{name}: {zh} / {en}"
            else:
                text = "\n".join(recent_warnings(kiosk.engine)) or kiosk_text.both(
                    "no_warnings", lang
                )
        except MashangbanError as exc:
            text = f"{exc.zh}\n{exc.en}"
        self.post_message(self.Done(text))

    def on_staff_menu_screen_done(self, message: Done) -> None:
        self.query_one("#staff-output", Static).update(message.text)

    @on(Button.Pressed, "#staff-quit")
    def quit_kiosk(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#staff-back")
    def action_back(self) -> None:
        """Back to the citizen's screen."""
        if self.app.screen is self:
            self.app.pop_screen()
