"""Staff at the kiosk: F12, then a clerk number and PIN, opens a menu that can also quit."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from appkit.idle import IdleWatch
from kiosk.screens import KioskScreen
from kiosk.strings import both
from models.clerks.staff import verify_staff
from models.errors import MashangbanError
from printer.care import describe_printer, kiosk_printer, recent_warnings, reprint_by_token

if TYPE_CHECKING:
    from kiosk.app import KioskApp


class StaffPinScreen(ModalScreen[None]):
    """Clerk number and PIN; a wrong PIN is refused (and written to the event log).

    Left open and untouched, it closes itself: a kiosk is unattended.
    """

    def on_mount(self) -> None:
        self.idle = IdleWatch(self, cast("KioskApp", self.app).idle_seconds, self._idle_out)
        self.idle.start()

    def on_key(self) -> None:
        self.idle.touch()

    @on(Input.Changed)
    def typing(self) -> None:
        self.idle.touch()  # the inputs consume their key events; a change means typing

    def on_mouse_down(self) -> None:
        self.idle.touch()

    def _idle_out(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def compose(self) -> ComposeResult:
        lang = cast("KioskApp", self.app).lang
        with Vertical(id="staff-box"):
            yield Static(both("staff_pin", lang))
            yield Input(placeholder="工号 clerk", id="clerk")
            yield Input(placeholder="密码 PIN", password=True, id="pin")
            yield Static("", id="staff-error")
            yield Button(both("ok", lang), id="staff-ok", variant="primary")
            yield Button(both("back", lang), id="staff-cancel")

    @on(Input.Submitted, "#clerk")
    def next_field(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#staff-ok")
    def submit(self) -> None:
        self.check(self.query_one("#clerk", Input).value, self.query_one("#pin", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def check(self, clerk: str, pin: str) -> None:
        """Verify the PIN in a worker."""
        kiosk = cast("KioskApp", self.app)
        place = f"kiosk {kiosk.settings.kiosk_id or ''}".strip()
        try:
            verify_staff(kiosk.engine, clerk=clerk, pin=pin, place=place)
        except MashangbanError as exc:
            self.app.call_from_thread(self.refused, f"{exc.zh}\n{exc.en}")
            return
        self.app.call_from_thread(self.unlocked)

    def refused(self, text: str) -> None:
        self.query_one("#staff-error", Static).update(f"[red]{text}[/red]")
        self.query_one("#pin", Input).value = ""

    def unlocked(self) -> None:
        self.app.pop_screen()
        self.app.push_screen(StaffMenuScreen())

    @on(Button.Pressed, "#staff-cancel")
    def cancel(self) -> None:
        self.app.pop_screen()


class StaffMenuScreen(KioskScreen):
    """Reprint the last ticket, ask the printer, read paper warnings, or quit the kiosk.

    Like every screen but the start, it closes itself when left idle: a kiosk is unattended.
    """

    def compose(self) -> ComposeResult:
        lang = cast("KioskApp", self.app).lang
        with Vertical(id="staff-menu"):
            yield Static(both("staff_title", lang), id="staff-title")
            yield Button(both("reprint", lang), id="staff-reprint")
            yield Button(both("printer_status", lang), id="staff-printer")
            yield Button(both("warnings", lang), id="staff-warnings")
            yield Button(both("quit", lang), id="staff-quit", variant="error")
            yield Button(both("back", lang), id="staff-back")
            yield Static("", id="staff-output")

    @on(Button.Pressed, "#staff-reprint, #staff-printer, #staff-warnings")
    def run(self, event: Button.Pressed) -> None:
        self.staff_task(event.button.id or "")

    @work(thread=True, exclusive=True, exit_on_error=False)
    def staff_task(self, which: str) -> None:
        """Staff work in a worker; the answer lands in the output line."""
        kiosk = cast("KioskApp", self.app)
        lang = kiosk.lang
        try:
            if which == "staff-reprint":
                if kiosk.last_token is None:
                    text = both("nothing_to_reprint", lang)
                else:
                    job = reprint_by_token(
                        kiosk.engine, token=kiosk.last_token, printer=kiosk.settings.printer
                    )
                    text = f"{job.number} 补打 REPRINT → {job.printer}: {job.state}"
            elif which == "staff-printer":
                name = kiosk_printer(
                    kiosk.engine, kiosk=kiosk.settings.kiosk_id, override=kiosk.settings.printer
                )
                zh, en = describe_printer(kiosk.engine, name)
                text = f"{name}: {zh} / {en}"
            else:
                text = "\n".join(recent_warnings(kiosk.engine)) or both("no_warnings", lang)
        except MashangbanError as exc:
            text = f"{exc.zh}\n{exc.en}"
        self.app.call_from_thread(self.query_one("#staff-output", Static).update, text)

    @on(Button.Pressed, "#staff-quit")
    def quit_kiosk(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#staff-back")
    def back(self) -> None:
        self.app.pop_screen()
