"""The ticket kiosk: a touch-first Textual app that stands in the hall unattended.

Every database and printer call runs in a thread worker; the screens only show state. No key
quits it: staff press F12 and their PIN for the staff menu, which can quit.

Start-up draws the first screen before the database code is imported: the hall and its zones
come from the last run's snapshot (kiosk/snapshot.py), every zone disabled and saying 请稍候,
while a worker imports the models, connects and reads the hall; only then can a ticket be taken.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events, work
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from appkit.unattended import UnattendedApp
from kiosk import scan, snapshot
from kiosk.screens import INSTANT_QUEUE, ItemsScreen, KioskScreen, StartScreen, TicketScreen
from kiosk.settings import KioskSettings
from kiosk.staff import GreenPinScreen, StaffMenuScreen, StaffPinScreen
from models.errors import DatabaseError, MashangbanError
from models.text import Lang, kiosk
from models.textsafe import displayable, printable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from models.hall import HallSettings
    from models.views import menu
    from models.views.ticket import TicketView
    from printer.spooler import JobView

SLOW_ISSUE_S = 0.4
"""An issue taking longer than this is announced (正在取号…)."""
COMPACT_BELOW_LINES = 30
"""A terminal with fewer lines gets the compact layout (see kiosk.tcss)."""
RECONNECT_S = 5.0
"""Wait before trying the database again when it did not answer at start-up."""
REFUSED_AT_START = {
    "db_missing",
    "db_not_initialised",
    "db_outdated",
    "db_newer",
    "db_bad_url",
    "db_unsupported",
    "db_dir",
    "db_readonly",
    "unknown_kiosk",
    "unknown_printer",
}
"""Errors no retry mends (the database, a kiosk id or printer the hall file does not have):
the kiosk exits with the message (exit status 1)."""


class KioskApp(UnattendedApp[None]):
    """The kiosk. Create it with :func:`create_app`.

    Unattended: the usual quit keys do nothing; F12 asks for a staff PIN (the staff menu).
    Its workers report back with the messages below, handled on the UI thread.
    """

    class Connected(Message, bubble=False):
        """The database answered at start-up."""

        def __init__(self, engine: Engine, hall: HallSettings) -> None:
            super().__init__()
            self.engine = engine
            self.hall = hall

    class NotConnected(Message, bubble=False):
        """The database did not answer at start-up (or refused: the kiosk exits)."""

        def __init__(self, error: MashangbanError) -> None:
            super().__init__()
            self.error = error

    class Issued(Message, bubble=False):
        """A ticket was issued; its QR drawn (empty when it could not be)."""

        def __init__(self, view: TicketView, qr: str) -> None:
            super().__init__()
            self.view = view
            self.qr = qr

    class Refused(Message, bubble=False):
        """No ticket was issued: the refusal (None: a fault the citizen can only retry)."""

        def __init__(self, error: MashangbanError | None) -> None:
            super().__init__()
            self.error = error

    class Printed(Message, bubble=False):
        """A ticket's print ended: its job (None: it failed before a job was made)."""

        def __init__(self, token: str, job: JobView | None) -> None:
            super().__init__()
            self.token = token
            self.job = job

    TITLE = kiosk.zh("app_title")
    CSS_PATH = "kiosk.tcss"

    lang: reactive[Lang] = reactive("zh")
    """The language shown first."""
    green = reactive(False)
    """The next ticket is for the green channel (绿色通道)."""
    ready = reactive(False)
    """The database has answered: tickets can be taken (until then every button waits)."""

    def __init__(self, settings: KioskSettings) -> None:
        super().__init__()
        self.settings = settings
        self._engine: Engine | None = None
        self.issuing = False
        """True while a ticket is being issued: further taps are ignored."""
        self._slow: Timer | None = None
        """Says 正在取号… when issuing takes a while."""
        self._said_issuing = False
        self.last_token: str | None = None
        """The last ticket issued here (for the staff menu's reprint)."""
        self._ticket_screen: TicketScreen | None = None
        self.green_by: str | None = None
        """The clerk who confirmed the green channel (a hall with ``green_channel = "staff"``)."""
        self.green_guarded = False
        """The hall wants a staff PIN before the green channel (its file's ``green_channel``)."""
        self.refusal: MashangbanError | None = None
        """Why the kiosk exited at start-up (an uninitialised database …), for the caller."""
        self.snapshot = displayable(snapshot.load(settings.snapshot))
        """The last run's start screen, drawn until the database answers (None: no file)."""
        shot = self.snapshot
        self.hall_name = (shot.hall_zh, shot.hall_en) if shot else kiosk.pair("hall_name")
        self.idle_seconds = settings.idle_seconds or (shot.idle_seconds if shot else 30.0)
        self.public_url = ""
        """The hall server's public address: the QR on the screen opens the ticket's page."""
        self.scanned = scan.ScanBuffer()
        """What the code scanner is typing on a screen without a keypad (see :meth:`on_event`)."""

    @property
    def engine(self) -> Engine:
        """The database (once :attr:`ready`)."""
        if self._engine is None:
            raise RuntimeError("the kiosk has not connected to its database yet")
        return self._engine

    def get_default_screen(self) -> Screen[None]:
        return StartScreen()

    def on_mount(self) -> None:
        self._fit()
        self.call_after_refresh(self._connect)  # the first screen first, then the database

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Small terminals (80×24) get the compact layout: less padding, one-line buttons."""
        self.set_class(self.size.height < COMPACT_BELOW_LINES, "-compact")

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        """Import the database code, open and check the database, read the hall."""
        try:
            from models.db import make_engine, reading, resolve_url
            from models.hall import hall_config, hall_settings

            engine = self.settings.engine
            if engine is None:
                from models.schema import require_current

                engine = make_engine(resolve_url(self.settings.db), create=False)
                require_current(engine)
            with reading(engine) as session:
                hall = hall_settings(session)
                # A mistyped kiosk id or printer would fail every ticket's print: refuse now.
                hall_config(session).kiosk_printers(self.settings.kiosk_id, self.settings.printer)
            # What the first tap needs, imported now rather than during it.
        except MashangbanError as exc:
            self.post_message(self.NotConnected(exc))
            return
        except Exception as exc:  # a database that does not answer yet (PostgreSQL down …)
            self.post_message(self.NotConnected(DatabaseError("db_error", detail=str(exc))))
            return
        self.post_message(self.Connected(engine, hall))

    def on_kiosk_app_connected(self, message: Connected) -> None:
        engine, hall = message.engine, message.hall
        self._engine = engine
        self.hall_name = (printable(hall.name_zh), printable(hall.name_en))
        self.public_url = hall.public_url
        self.idle_seconds = self.settings.idle_seconds or hall.kiosk_idle_seconds
        self.green_guarded = hall.green_channel == "staff"
        self.ready = True
        # The objects alive after start-up stay alive all day: keep full collections from
        # walking them on every tap.
        self.call_after_refresh(gc.freeze)

    def on_kiosk_app_not_connected(self, message: NotConnected) -> None:
        exc = message.error
        if exc.key in REFUSED_AT_START:
            self.refusal = exc
            self.exit(return_code=1)
            return
        if isinstance(self.screen, KioskScreen):
            self.screen.show_error(f"{exc.zh}\n{exc.en}")
        self.set_timer(RECONNECT_S, self._connect)

    def reset_choices(self) -> None:
        """The green channel off and Chinese first: how the next citizen finds the kiosk."""
        self.green = False
        self.green_by = None
        self.lang = "zh"

    def staff_screen(self) -> StaffPinScreen | None:
        if not self.ready:
            return None  # staff wait for the database too
        place = f"kiosk {self.settings.kiosk_id or ''}".strip()
        return StaffPinScreen(
            engine=self.engine, place=place, idle_seconds=self.idle_seconds, lang=self.lang
        )

    def staff_unlocked(self, unlocked: bool | None) -> None:
        if unlocked:
            self.push_screen(StaffMenuScreen())

    def confirm_green(self) -> None:
        """The hall's staff confirm the green channel: their PIN, then it is on."""
        if not self.ready:
            return
        place = f"kiosk {self.settings.kiosk_id or ''}".strip()
        screen = GreenPinScreen(
            engine=self.engine, place=place, idle_seconds=self.idle_seconds, lang=self.lang
        )

        def confirmed(unlocked: bool | None) -> None:
            if unlocked and screen.clerk:
                self.green_by = screen.clerk
                self.green = True

        self.push_screen(screen, confirmed)

    def now(self) -> dt.datetime:
        """The kiosk's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    # ---- the code scanner ---------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """A booking's QR read by the scanner checks it in from the start, items and ticket
        screens (the keypad takes the scan as typing; the staff screens are left alone): the
        burst's characters go to the scan, never to a button, and its Enter checks the code in
        instead of pressing a focused button."""
        if isinstance(event, events.Key) and not event.is_forwarded and self._scan_key(event):
            return
        await super().on_event(event)

    def _scan_key(self, event: events.Key) -> bool:
        """True when the key was the scanner's (taken here, not passed on)."""
        screen = self.screen
        if not isinstance(screen, (StartScreen, ItemsScreen, TicketScreen)):
            return False  # the keypad types codes itself; staff have their own screens
        if scan.takes(event.character):
            self.scanned.add(event.character or "")
        elif event.key == "enter" and self.scanned.pending():
            self.scan_ended(screen, scan.booking_code(self.scanned.take()))
        else:
            return False
        screen.touch()
        return True

    def scan_ended(self, screen: KioskScreen, code: str) -> None:
        """A scan ended with Enter: check its code in, or say it is not a booking's."""
        if scan.is_code(code):
            self.check_in(code)
        else:
            screen.show_error(kiosk.both("scan_unknown", self.lang))

    # ---- issuing --------------------------------------------------------------------------
    def take(self, *, queue: str | None = None, item: str | None = None) -> None:
        """One tap, one ticket: ignored while another is being issued (or before the database
        has answered)."""
        if self.issuing or not self.ready:
            return
        self._issuing()
        self._take(queue, item, "green" if self.green else "normal", self.green_by)

    def check_in(self, code: str) -> None:
        """Check in an appointment code (ignored while a ticket is being issued)."""
        if self.issuing or not self.ready:
            return
        self._issuing()
        self._check_in(code)

    def _issuing(self) -> None:
        """A ticket is on its way; if it takes a while (a busy database), say so."""
        self.issuing = True
        self._slow = self.set_timer(SLOW_ISSUE_S, self._say_issuing)

    def _say_issuing(self) -> None:
        if self.issuing:
            self._said_issuing = True
            self.notify(kiosk.both("issuing", self.lang), timeout=3)

    def _issue_ended(self) -> None:
        self.issuing = False
        if self._slow is not None:
            self._slow.stop()
            self._slow = None
        if self._said_issuing:  # the notice is out of date: the ticket (or why not) is shown
            self._said_issuing = False
            self.clear_notifications()

    @work(thread=True, exclusive=True, group="issue", exit_on_error=False)
    def _take(
        self, queue: str | None, item: str | None, priority: str, green_by: str | None
    ) -> None:
        from models.queue.tickets import take_ticket

        self._issue(
            lambda: take_ticket(
                self.engine,
                queue=queue,
                item=item,
                priority=priority,
                now=self.now(),
                green_by=green_by if priority == "green" else None,
            )
        )

    @work(thread=True, exclusive=True, group="issue", exit_on_error=False)
    def _check_in(self, code: str) -> None:
        from models.queue import appointments  # imported on first use: a faster start

        self._issue(lambda: appointments.check_in(self.engine, code=code, now=self.now()))

    def _issue(self, operation: Callable[[], TicketView]) -> None:
        from models.db import retry_busy
        from printer.documents import ticket_qr
        from printer.preview import qr_blocks

        try:
            view = retry_busy(operation, attempts=5)
        except MashangbanError as exc:
            self.post_message(self.Refused(exc))
            return
        except Exception as exc:  # a fault, not a refusal: said kindly, and the next tap works
            self.log.error(f"issuing failed: {exc!r}")
            self.post_message(self.Refused(None))
            return
        try:
            qr = qr_blocks(ticket_qr(view.token, self.public_url))  # drawn here, off the UI thread
        except Exception as exc:  # the ticket exists: its number is shown, without the QR
            self.log.error(f"QR not drawn: {exc!r}")
            qr = ""
        self.post_message(self.Issued(view, qr))

    def on_kiosk_app_issued(self, message: Issued) -> None:
        view, qr = message.view, message.qr
        view = displayable(view)
        self._issue_ended()
        self.green = False
        self.green_by = None
        self.last_token = view.token
        screen = self.ticket_screen()
        screen.show(view, qr)
        if screen not in self.screen_stack:
            self.push_screen(screen)
        # Printing (python-escpos in a worker thread) starts once the number is on screen.
        self.call_after_refresh(self._print_ticket, view.token)

    def ticket_screen(self) -> TicketScreen:
        """The one ticket screen, kept (installed) for the day and reused for every ticket."""
        if self._ticket_screen is None:
            self._ticket_screen = TicketScreen()
            self.install_screen(self._ticket_screen, "ticket")
        return self._ticket_screen

    def on_kiosk_app_refused(self, message: Refused) -> None:
        """Say why no ticket was issued (None: a fault the citizen can only retry or report)."""
        exc = message.error
        self._issue_ended()
        if exc is None:
            text = kiosk.both("fault", self.lang)
        elif isinstance(exc, DatabaseError) and exc.key == "db_busy":
            text = kiosk.both("busy", self.lang)
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
        except Exception:  # any failure: the number stays on screen for staff to reprint
            job = None
        self.post_message(self.Printed(token, job))

    def on_kiosk_app_printed(self, message: Printed) -> None:
        token, job = message.token, message.job
        screen = self._ticket_screen
        if screen is not None and screen.view.token == token:  # not a later ticket's screen
            screen.print_state = job.state if job is not None else "failed"

    # ---- what the start screen shows ---------------------------------------------------
    def zones(self) -> list[menu.ZoneChoice]:
        """Zones with waiting counts (called from a worker); the snapshot follows them."""
        from models.supervision import witness
        from models.views import menu

        # What the screens show of the database is made displayable where it is read (here,
        # items and the ticket): a name stored with escape sequences shows them, not obeys.
        zones = displayable(menu.zones(self.engine, now=self.now()))
        witness.checkpoint_now_and_then(self.engine)  # the chain's head, outside the database
        shot = snapshot.Snapshot(
            hall_zh=self.hall_name[0],
            hall_en=self.hall_name[1],
            idle_seconds=self.idle_seconds,
            zones=tuple(snapshot.Zone(z.prefix, z.name_zh, z.name_en) for z in zones),
        )
        if shot != self.snapshot:
            snapshot.save(self.settings.snapshot, shot)
            self.snapshot = shot
        return zones

    def items(self) -> dict[str, list[menu.ItemChoice]]:
        """马上办 items by department (called from a worker)."""
        from models.views import menu

        return displayable(menu.items(self.engine, queue=INSTANT_QUEUE))


def create_app(settings: KioskSettings) -> KioskApp:
    """The kiosk app for these settings (the snapshot tests use this too)."""
    return KioskApp(settings)
