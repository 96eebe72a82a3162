"""The desk: the clerk's main screen at one window, one key per action.

This module composes the screen, draws it from the window's live view and binds the keys; what
the keys do lives in its parts (see counter/deskcore.py): counter/ticket_keys.py,
counter/flows.py and counter/printing.py.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from appkit.watch import ChangeWatch
from counter import messages, panels
from counter.flows import Flows
from counter.printing import Printing
from counter.ticket_keys import TicketKeys
from models.supervision.witness import checkpoint_now_and_then
from models.text import counter as ct
from models.text.counter import KEYS
from models.textsafe import displayable
from models.views.window import WindowView, window_view

_NOTHING = object()


class DeskScreen(TicketKeys, Flows, Printing):
    """The window's current ticket, its lines, today's figures and the key bar."""

    BINDINGS = [Binding(key, action, ct.zh(f"key_{action}"), show=False) for key, action in KEYS]

    Ran = messages.Ran
    ReceiptPrinted = messages.ReceiptPrinted
    SlipDue = messages.SlipDue
    LoggedOut = messages.LoggedOut

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self._drawn: dict[str, object] = {}
        """What each panel was last drawn from."""
        self.offline = False
        """The last poll could not read the database."""

    def compose(self) -> ComposeResult:
        yield Static("", id="top")
        with Horizontal(id="body"):
            with Vertical(id="current-box"):
                yield Static("", id="current")
                yield Static("", id="clock")
                with VerticalScroll(id="materials-scroll"):
                    yield Static("", id="materials")
            with Vertical(id="side"):
                yield Static("", id="lines")
                yield Static("", id="today")
        # What the clerk is told is plain text (names in it may hold "[" or escapes).
        yield Static("", id="receipt", markup=False)
        yield Static("", id="message", markup=False)
        yield Static("", id="keys")

    def on_mount(self) -> None:
        self.query_one("#current-box").border_title = ct.line("current")
        self.query_one("#lines").border_title = ct.line("lines")
        self.query_one("#today").border_title = ct.line("today")
        self.changes = ChangeWatch(
            self,
            engine=self.counter.engine,
            seconds=self.counter.settings.poll_seconds,
            read=self._read_view,
            key=self._minute_now,
            paused=lambda: self.busy,
            also=self._checkpoint,
        )
        """Re-reads the window when the hall's change mark moves (not while an action runs)."""
        self.set_interval(1.0, self._tick)
        self.busy = True
        self._run(lambda: "", before=None)
        self.changes.start()  # paused until the first view is in

    # ---- showing -------------------------------------------------------------------------
    def show(self, view: WindowView) -> None:
        """Draw a freshly read view of the window (only the parts that changed). Its stored
        names are made displayable here, once: escape sequences show, they do not act."""
        view = displayable(view)
        self.view = view
        self.changes.saw(view.mark)
        self._draw("#current", (view.current, view.paused), lambda: panels.current_panel(view))
        self._draw("#materials", view.current, lambda: panels.materials_panel(view))
        self._draw("#lines", (view.queues, view.missed), lambda: panels.lines_panel(view))
        self._draw("#today", (view.figures, view.last_finished), lambda: panels.today_panel(view))
        self._draw_keys()
        self._tick()
        self._rating_watch(view)

    def _draw(self, selector: str, data: object, render: Callable[[], RenderableType]) -> None:
        # Every redrawn panel costs the next frame layout and render time: skip equal data.
        if self._drawn.get(selector, _NOTHING) != data:
            self._drawn[selector] = data
            self.query_one(selector, Static).update(render())

    def on_resize(self) -> None:
        self._drawn.pop("#keys", None)
        self._draw_keys()

    def _draw_keys(self) -> None:
        width = max(self.size.width - 2, 20)
        data = (panels.available(self.view), width)
        self._draw("#keys", data, lambda: panels.key_bar(self.view, width))

    def _tick(self) -> None:
        """The time and the service clock, once a second (no database work)."""
        ticket = self.view.current if self.view else None
        clock = self.query_one("#clock", Static)
        now = self.counter.now()
        if self.view is not None:
            width = max(self.size.width - 2, 20)
            self.query_one("#top", Static).update(panels.top_line(self.view, now, width))
        level = ticket.clock_level(now) if ticket else "ok"
        clock.set_classes(f"clock-{level}")
        clock.update(panels.service_clock(ticket, now))
        clock.display = ticket is not None

    # ---- the live view -------------------------------------------------------------------
    def _read_view(self) -> WindowView:
        """The window now (in the watch's worker)."""
        return window_view(self.counter.engine, window=self.window, now=self.counter.now())

    def _minute_now(self) -> int:
        """Waits and pauses are counted in minutes: a new minute re-reads the window."""
        now = self.counter.now()
        return now.hour * 60 + now.minute

    def _checkpoint(self) -> None:
        checkpoint_now_and_then(self.counter.engine)  # the chain's head, outside the database

    def on_change_watch_read(self, message: ChangeWatch.Read[WindowView]) -> None:
        view = message.value
        if self.busy:
            self.changes.again()  # the action's own view comes next
            return
        if self.view is not None and view.mark < self.view.mark:
            return  # read before the last action's own view: older than what is shown
        self.show(view)

    def on_change_watch_failed(self, _message: ChangeWatch.Failed) -> None:
        self._online(False)

    def on_change_watch_back(self, _message: ChangeWatch.Back) -> None:
        self._online(True)

    def _online(self, online: bool) -> None:
        if online == self.offline:
            self.offline = not online  # the clerk must not trust a screen that has stopped moving
            self.say(
                ct.line("online") if online else ct.line("offline"),
                "information" if online else "error",
            )

    # ---- an action ended -----------------------------------------------------------------
    def on_desk_screen_ran(self, message: messages.Ran) -> None:
        if self._slow is not None:
            self._slow.stop()
        self.busy = False
        self.actions_done += 1
        if message.view is not None:
            self.show(message.view)
        if message.text:
            self.say(message.text, message.severity)
        self._rating_after(message)
        self._print_after(message.receipt_for)
