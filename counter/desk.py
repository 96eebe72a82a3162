"""The desk: the clerk's main screen at one window, one key per action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.console import RenderableType
from sqlalchemy import Engine
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from appkit.errors import describe
from appkit.watch import ChangeWatch
from counter import panels
from counter.dialogs import NumberDialog, PauseDialog, TransferDialog
from counter.service import Counter
from models.clerks.staff import logout, pause, resume
from models.db import retry_busy
from models.errors import NothingWaiting
from models.queue.calling import call_next, call_number
from models.queue.serving import finish, mark_no_show, recall, requeue, start, transfer
from models.supervision.witness import checkpoint_now_and_then
from models.text import counter as ct
from models.text import errors
from models.text.counter import KEYS
from models.textsafe import displayable, printable_lines
from models.views.ticket import TicketView
from models.views.window import CurrentTicket, WindowView, window_view

if TYPE_CHECKING:
    from printer.receipts import ReceiptPrint

_NOTHING = object()
Operation = Callable[[], str]
"""An action's work (run in a worker); returns what to tell the clerk."""


class DeskScreen(Screen[None]):
    """The window's current ticket, its lines, today's figures and the key bar."""

    BINDINGS = [Binding(key, action, ct.zh(f"key_{action}"), show=False) for key, action in KEYS]

    class Ran(Message, bubble=False):
        """An action ended: the window read after it (None: not read), what to tell the
        clerk, and the number whose case receipt to print (None: none)."""

        def __init__(
            self,
            view: WindowView | None,
            text: str,
            severity: str,
            receipt_for: str | None = None,
        ) -> None:
            super().__init__()
            self.view = view
            self.text = text
            self.severity = severity
            self.receipt_for = receipt_for

    class ReceiptPrinted(Message, bubble=False):
        """A case receipt was printed (or not): what to say, and whether it failed."""

        def __init__(self, text: str, bad: bool) -> None:
            super().__init__()
            self.text = text
            self.bad = bad

    class LoggedOut(Message):
        """The clerk logged out of the window (the app shows the login again)."""

    def __init__(self, window: int) -> None:
        super().__init__()
        self.window = window
        """The window this counter stands at."""
        self.view: WindowView | None = None
        """The window as last read."""
        self.busy = False
        """True while an action runs: further keys are ignored (one key, one action)."""
        self._drawn: dict[str, object] = {}
        """What each panel was last drawn from."""
        self._slow: Timer | None = None
        """Shows "…" when an action takes a while."""
        self.actions_done = 0
        """Actions ended so far (tests and benchmarks wait on it)."""
        self.receipts_done = 0
        """Receipts and transfer slips printed (or failed) so far."""
        self.offline = False
        """The last poll could not read the database."""

    @property
    def counter(self) -> Counter:
        """The counter (the app, as its screens see it)."""
        return cast("Counter", self.app)

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
        self._draw("#current", view.current, lambda: panels.current_panel(view))
        self._draw("#materials", view.current, lambda: panels.materials_panel(view))
        self._draw("#lines", (view.queues, view.missed), lambda: panels.lines_panel(view))
        self._draw("#today", (view.figures, view.last_finished), lambda: panels.today_panel(view))
        self._draw_keys()
        self._tick()

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
            self.query_one("#top", Static).update(panels.top_line(self.view, now))
        level = ticket.clock_level(now) if ticket else "ok"
        clock.set_classes(f"clock-{level}")
        clock.update(panels.service_clock(ticket, now))
        clock.display = ticket is not None

    def say(self, text: str, severity: str = "information") -> None:
        """Tell the clerk what happened (a line above the keys, kept until the next action)."""
        message = self.query_one("#message", Static)
        message.set_classes(f"message-{severity}")
        message.update(printable_lines(text))

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

    # ---- actions -------------------------------------------------------------------------
    def _act(self, operation: Operation) -> None:
        if self.busy:
            return
        self.busy = True
        # "…" only when an action takes a while: drawing it at once costs every key a frame.
        self._slow = self.set_timer(0.15, lambda: self.say("…"))
        self._run(operation, before=self.view.current if self.view else None)

    @work(thread=True, group="action", exit_on_error=False)
    def _run(self, operation: Operation, before: CurrentTicket | None) -> None:
        engine, window = self.counter.engine, self.window
        text, severity, view = "", "information", None
        try:
            text = retry_busy(operation, attempts=5)
        except NothingWaiting as exc:
            text, severity = f"{ct.line('nothing_waiting')}\n{exc.zh}", "warning"
        except Exception as exc:  # shown to the clerk, never a crash
            text, severity = describe(exc), "error"
        receipt_for = None
        try:
            view = window_view(engine, window=window, now=self.counter.now())
            if _finished_with_case(before, view):
                assert before is not None
                receipt_for = before.number
        except Exception as exc:  # the view could not be read: say so, keep the keys alive
            text, severity = f"{text}\n{describe(exc)}".strip(), "error"
        finally:
            self.post_message(self.Ran(view, text, severity, receipt_for))

    def on_desk_screen_ran(self, message: Ran) -> None:
        view, text, severity = message.view, message.text, message.severity
        receipt_for = message.receipt_for
        if self._slow is not None:
            self._slow.stop()
        self.busy = False
        self.actions_done += 1
        if view is not None:
            self.show(view)
        if text:
            self.say(text, severity)
        if receipt_for is not None:
            # Printed once the new number is on screen (rendering ESC/POS holds the GIL), in
            # its own worker: the clerk's next key does not wait for the printer.
            self.call_after_refresh(self._print_receipt_of, receipt_for)

    @work(thread=True, group="receipt", exit_on_error=False)
    def _print_receipt_of(self, number: str) -> None:
        text, bad = _print_receipt(self.counter.engine, self.window, number, self.counter.now())
        self.post_message(self.ReceiptPrinted(text, bad))

    def on_desk_screen_receipt_printed(self, message: ReceiptPrinted) -> None:
        text, bad = message.text, message.bad
        receipt = self.query_one("#receipt", Static)
        receipt.set_classes("message-error" if bad else "message-information")
        receipt.update(printable_lines(text))
        receipt.display = True
        self.receipts_done += 1

    def action_next(self) -> None:
        """Finish the current ticket (if any) and call the next: one transaction."""

        def next_ticket() -> str:
            called = call_next(
                self.counter.engine,
                window=self.window,
                finish_current=True,
                now=self.counter.now(),
            )
            return told(called, ct.line("called", number=called.number))

        self._act(next_ticket)

    def action_recall(self) -> None:
        """Call the current ticket again."""
        self._window_op(recall, lambda v: ct.line("recalled", number=v.number))

    def action_no_show(self) -> None:
        """The called citizen did not come."""
        self._window_op(
            mark_no_show,
            lambda v: (
                ct.line("voided", number=v.number, n=v.misses)
                if v.status == "void"
                else ct.line("missed_one", number=v.number)
            ),
        )

    def action_start(self) -> None:
        """The citizen is here: the service clock starts."""
        self._window_op(start, lambda v: ct.line("started", number=v.number))

    def action_finish(self) -> None:
        """Service done (a case and its receipt for items with promised days)."""
        self._window_op(finish, lambda v: ct.line("done", number=v.number))

    def _window_op(self, op: Callable[..., TicketView], describe: Callable[..., str]) -> None:
        def run() -> str:
            view = op(self.counter.engine, window=self.window, now=self.counter.now())
            return told(view, describe(view))

        self._act(run)

    def action_transfer(self) -> None:
        """Send the citizen to another zone or window (a dialog asks where)."""
        if self.busy or self.view is None:
            return
        number = self.view.current.number if self.view.current else "—"
        dialog = TransferDialog(number, self.view.transfer_queues, self.view.transfer_windows)
        self.app.push_screen(dialog, self._transfer_to)

    def _transfer_to(self, target: tuple[str | None, int | None] | None) -> None:
        if target is None:
            return
        to_queue, to_window = target

        def run() -> str:
            new = transfer(
                self.counter.engine,
                window=self.window,
                to_queue=to_queue,
                to_window=to_window,
                now=self.counter.now(),
            )
            return told(new, self._transferred(new))

        self._act(run)

    class SlipDue(Message, bubble=False):
        """A transfer gave the citizen a new number: its slip is to print at this window."""

        def __init__(self, token: str, number: str) -> None:
            super().__init__()
            self.token = token
            self.number = number

    def _transferred(self, new: TicketView) -> str:
        """What the clerk is told of a transfer (in the action's worker); a new number's slip
        is sent to this window's printer next, in a worker of its own (as receipts are)."""
        if new.window is not None:
            place = ct.pair("place_window", window=new.window)
        else:
            place = ct.pair("place_zone", prefix=new.queue)
        where = {"place_zh": place[0], "place_en": place[1], "number": new.number}
        if new.number == new.transferred_from:  # the hall's transfer_number = "keep"
            return ct.line("transferred_kept", **where)
        self.post_message(self.SlipDue(new.token, new.number))
        return ct.line("transferred_new", old=new.transferred_from, **where)

    def on_desk_screen_slip_due(self, message: SlipDue) -> None:
        self._print_slip(message.token, message.number)

    @work(thread=True, group="receipt", exit_on_error=False)
    def _print_slip(self, token: str, number: str) -> None:
        from printer.receipts import print_transfer_slip

        try:
            job = print_transfer_slip(self.counter.engine, window=self.window, token=token)
        except Exception as exc:  # said on the receipt line; the new ticket stands
            text, bad = f"{ct.line('slip_not_sent', number=number)}\n{describe(exc)}", True
        else:
            bad = job.state != "done"
            if bad:
                text = ct.line("slip_failed", number=number, state=job.state)
            else:
                text = ct.line("slip_printed", number=number)
        self.post_message(self.ReceiptPrinted(text, bad))

    def action_call_number(self) -> None:
        """Call a given number (typed, or picked from the next in line)."""
        if self.busy or self.view is None:
            return
        suggestions = [n for line in self.view.queues for n in line.next]
        self.app.push_screen(NumberDialog(ct.line("call_title"), suggestions), self._call_number)

    def _call_number(self, number: str | None) -> None:
        if not number:
            return

        def run() -> str:
            called = call_number(
                self.counter.engine, window=self.window, number=number, now=self.counter.now()
            )
            return told(called, ct.line("called", number=called.number))

        self._act(run)

    def action_requeue(self) -> None:
        """Put a missed ticket back in line."""
        if self.busy or self.view is None:
            return
        self.app.push_screen(
            NumberDialog(ct.line("requeue_title"), self.view.missed), self._requeue
        )

    def _requeue(self, number: str | None) -> None:
        if not number:
            return

        def run() -> str:
            back = requeue(self.counter.engine, number=number, now=self.counter.now())
            return told(back, ct.line("requeued", number=back.number))

        self._act(run)

    def action_pause(self) -> None:
        """Pause with a reason (a dialog asks which), or resume when paused."""
        if self.busy or self.view is None:
            return
        if self.view.paused is not None:

            def run() -> str:
                resume(self.counter.engine, window=self.window, now=self.counter.now())
                return ct.line("resumed")

            self._act(run)
            return
        self.app.push_screen(PauseDialog(), self._pause)

    def _pause(self, reason: str | None) -> None:
        if not reason:
            return

        def run() -> str:
            pause(self.counter.engine, window=self.window, reason=reason, now=self.counter.now())
            return ct.line("paused_ok", reason=panels.reason_text(reason))

        self._act(run)

    def action_receipt(self) -> None:
        """Print the receipt of the ticket finished last (a 办结单 for an instant item)."""

        def run() -> str:
            from printer.receipts import print_last_receipt

            printed = print_last_receipt(
                self.counter.engine, window=self.window, now=self.counter.now()
            )
            return _receipt_text(printed)

        self._act(run)

    def action_reprint(self) -> None:
        """Print this window's newest receipt again, marked 补打."""

        def run() -> str:
            from printer.receipts import reprint_receipt

            job = reprint_receipt(self.counter.engine, window=self.window)
            return ct.line("reprinted", state=job.state)

        self._act(run)

    def action_logout(self) -> None:
        """Log out of the window (its current ticket stays as it is) and show the login."""
        if self.busy:
            return
        self.busy = True
        self._logout()

    @work(thread=True, group="action", exit_on_error=False)
    def _logout(self) -> None:
        try:
            retry_busy(lambda: logout(self.counter.engine, window=self.window), attempts=5)
        except Exception as exc:  # shown, and the desk stays usable
            self.post_message(self.Ran(None, describe(exc), "error"))
            return
        self.post_message(self.LoggedOut())


def told(view: TicketView, text: str) -> str:
    """What to tell the clerk, and once more that the clock is behind when it was."""
    if not view.clock_behind_s:
        return text
    zh, en = errors.pair("clock_behind", number=view.number, seconds=view.clock_behind_s)
    return f"{text}\n⚠ {zh} {en}"


def _finished_with_case(before: CurrentTicket | None, view: WindowView) -> bool:
    """True when the action just finished a ticket whose item promises working days."""
    if before is None or not before.promised_days or view.last_finished is None:
        return False
    still_here = view.current is not None and view.current.number == before.number
    return view.last_finished.number == before.number and not still_here


def _print_receipt(engine: Engine, window: int, number: str, now: dt.datetime) -> tuple[str, bool]:
    """Print the case receipt of a ticket just finished; (what to say, whether it failed)."""
    from printer.receipts import print_ticket_receipt

    try:
        printed = print_ticket_receipt(engine, window=window, number=number, now=now)
    except Exception as exc:  # said on the receipt line; the case stands, e reprints
        return f"{ct.line('receipt_not_sent', number=number)}\n{describe(exc)}", True
    return _receipt_text(printed), printed.job.state != "done"


def _receipt_text(printed: ReceiptPrint) -> str:
    case = printed.case
    title = ct.zh("receipt_title" if case.promised_date else "completed_title")
    if printed.job.state != "done":
        return ct.line("receipt_failed", number=case.number, state=printed.job.state)
    if not case.pickup_code:  # an instant item's 办结单: handed over, nothing to collect
        return ct.line("receipt_instant", number=case.number, case=case.case_number)
    return ct.line(
        "receipt", number=case.number, title=title, case=case.case_number, code=case.pickup_code
    )
