"""The ticket kiosk: a touch-first Textual app that stands in the hall unattended.

Every database and printer call runs in a thread worker; the screens only show state. No key
quits it: staff press F12 and their PIN for the staff menu, which can quit.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from kiosk.strings import Lang, both
from models import menu
from models.db import reading, retry_busy
from models.errors import DatabaseError, MashangbanError
from models.hall import hall_settings
from models.tickets import take_ticket
from models.timeutil import utcnow
from models.views import TicketView

if TYPE_CHECKING:
    from kiosk.screens import TicketScreen
    from printer.spooler import JobView

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class KioskSettings:
    """How one kiosk runs."""

    engine: Engine
    kiosk_id: str | None = None
    """Which [[kiosk]] of the hall file this is (its printer); the first by default."""
    printer: str | None = None
    """A printer to use instead of the kiosk's own."""
    clock: Clock = utcnow
    idle_seconds: float | None = None
    """Back to the start screen after this long untouched (default: the hall file's)."""
    refresh_seconds: float = 2.0


class KioskApp(App[None]):
    """The kiosk. Create it with :func:`create_app`."""

    TITLE = "马上办 取号机"
    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        # Unattended: the usual quit keys do nothing; F12 asks for a staff PIN.
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("f12", "staff", show=False, priority=True),
    ]

    lang: reactive[Lang] = reactive("zh")
    """The language shown first."""
    green = reactive(False)
    """The next ticket is for the green channel (绿色通道)."""

    def __init__(self, settings: KioskSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = settings.engine
        self.issuing = False
        """True while a ticket is being issued: further taps are ignored."""
        self.last_token: str | None = None
        """The last ticket issued here (for the staff menu's reprint)."""
        self._ticket_screen: TicketScreen | None = None
        with reading(self.engine) as session:
            hall = hall_settings(session)
        self.hall_name = (hall.name_zh, hall.name_en)
        self.idle_seconds = settings.idle_seconds or hall.kiosk_idle_seconds

    def get_default_screen(self) -> Screen[None]:
        from kiosk.screens import StartScreen

        return StartScreen()

    def on_mount(self) -> None:
        # The objects alive after start-up stay alive all day: keep full collections from
        # walking them on every tap.
        self.call_after_refresh(gc.freeze)

    def action_nothing(self) -> None:
        """Swallow a key that would quit an ordinary app."""

    def action_staff(self) -> None:
        from kiosk.staff import StaffPinScreen

        if not isinstance(self.screen, StaffPinScreen):
            self.push_screen(StaffPinScreen())

    def now(self) -> dt.datetime:
        """The kiosk's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    # ---- issuing --------------------------------------------------------------------------
    def take(self, *, queue: str | None = None, item: str | None = None) -> None:
        """One tap, one ticket: ignored while another is being issued."""
        if self.issuing:
            return
        self.issuing = True
        self._take(queue, item, "green" if self.green else "normal")

    def check_in(self, code: str) -> None:
        """Check in an appointment code (ignored while a ticket is being issued)."""
        if self.issuing:
            return
        self.issuing = True
        self._check_in(code)

    @work(thread=True, exclusive=True, group="issue", exit_on_error=False)
    def _take(self, queue: str | None, item: str | None, priority: str) -> None:
        self._issue(
            lambda: take_ticket(
                self.engine, queue=queue, item=item, priority=priority, now=self.now()
            )
        )

    @work(thread=True, exclusive=True, group="issue", exit_on_error=False)
    def _check_in(self, code: str) -> None:
        from models import appointments  # imported on first use: a faster start

        self._issue(lambda: appointments.check_in(self.engine, code=code, now=self.now()))

    def _issue(self, operation: Callable[[], TicketView]) -> None:
        from printer.documents import ticket_qr
        from printer.preview import qr_blocks

        try:
            view = retry_busy(operation, attempts=5)
        except MashangbanError as exc:
            self.call_from_thread(self._refused, exc)
            return
        qr = qr_blocks(ticket_qr(view.token))  # drawn here, off the UI thread
        self.call_from_thread(self._issued, view, qr)

    def _issued(self, view: TicketView, qr: str) -> None:
        self.issuing = False
        self.green = False
        self.last_token = view.token
        screen = self.ticket_screen()
        screen.show(view, qr)
        if screen not in self.screen_stack:
            self.push_screen(screen)
        # Printing (python-escpos in a worker thread) starts once the number is on screen.
        self.call_after_refresh(self._print_ticket, view.token)

    def ticket_screen(self) -> TicketScreen:
        """The one ticket screen, kept (installed) for the day and reused for every ticket."""
        from kiosk.screens import TicketScreen

        if self._ticket_screen is None:
            self._ticket_screen = TicketScreen()
            self.install_screen(self._ticket_screen, "ticket")
        return self._ticket_screen

    def _refused(self, exc: MashangbanError) -> None:
        self.issuing = False
        from kiosk.screens import KioskScreen

        busy = isinstance(exc, DatabaseError) and exc.key == "db_busy"
        if busy:
            text = both("busy", self.lang)
        else:
            text = f"{exc.zh}\n{exc.en}" if self.lang == "zh" else f"{exc.en}\n{exc.zh}"
        if isinstance(self.screen, KioskScreen):
            self.screen.show_error(text)

    @work(thread=True, group="print", exit_on_error=False)
    def _print_ticket(self, token: str) -> None:
        from printer.spooler import print_ticket_at_kiosk  # python-escpos: not on the start path

        try:
            job: JobView | None = print_ticket_at_kiosk(
                self.engine,
                token=token,
                kiosk=self.settings.kiosk_id,
                printer=self.settings.printer,
            )
        except MashangbanError:
            job = None
        self.call_from_thread(self._printed, token, job)

    def _printed(self, token: str, job: JobView | None) -> None:
        screen = self._ticket_screen
        if screen is not None and screen.view.token == token:  # not a later ticket's screen
            screen.print_state = job.state if job is not None else "failed"

    # ---- what the start screen shows ---------------------------------------------------
    def zones(self) -> list[menu.ZoneChoice]:
        """Zones with waiting counts (called from a worker)."""
        return menu.zones(self.engine, now=self.now())

    def items(self) -> dict[str, list[menu.ItemChoice]]:
        """马上办 items by department (called from a worker)."""
        return menu.items(self.engine, queue="M")


def create_app(settings: KioskSettings) -> KioskApp:
    """The kiosk app for these settings (the snapshot tests use this too)."""
    return KioskApp(settings)
