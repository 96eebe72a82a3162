"""The desk: the clerk's main screen at one window, one key per action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from functools import partial
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
from counter.asks import CameDialog, QuitDialog
from counter.dialogs import NumberDialog, PauseDialog, TransferDialog
from counter.service import Counter
from models.clerks.staff import logout, pause, resume
from models.db import retry_busy
from models.errors import NothingWaiting
from models.queue.calling import call_next, call_number
from models.queue.serving import (
    finish,
    mark_no_show,
    put_back,
    recall,
    requeue,
    start,
    transfer,
)
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
        self.awaiting_rating: str | None = None
        """The number just finished by n while its citizen rates: the next is called when the
        rating is in, after the counter's rating wait, or when n is pressed again."""
        self._finishing: str | None = None
        """The number n is finishing (the rating wait starts when the finish stands)."""
        self._rating_timer: Timer | None = None

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
            if text.startswith("⚠"):  # a warning the operation gives (a ticket made void)
                severity = "warning"
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
        finishing, self._finishing = self._finishing, None
        last = view.last_finished if view is not None else None
        if (
            finishing is not None
            and severity != "error"
            and view is not None
            and view.current is None
            and last is not None
            and last.number == finishing
        ):
            self._wait_for_rating(finishing)
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
        """Call the next citizen. A ticket still at the window is closed first: one called
        and never started asks whether its citizen came; a served one is finished and the
        next is called once the citizen has rated it (see :meth:`_wait_for_rating`)."""
        if self.busy or self.view is None:
            return
        if self.awaiting_rating is not None:
            self._call_after_rating()  # n again: the clerk calls now
            return
        current = self.view.current
        if current is None:
            self._act(self._next_ticket)
        elif current.status == "called":
            self.app.push_screen(CameDialog(current.number), partial(self._next_after, current))
        else:
            self._next_after(current, "came")

    def _next_ticket(self) -> str:
        called = call_next(self.counter.engine, window=self.window, now=self.counter.now())
        return told(called, ct.line("called", number=called.number))

    def _next_after(self, current: CurrentTicket, answer: str | None) -> None:
        """n on a ticket at the window, once the clerk has said whether its citizen came."""
        if answer is None:
            return
        engine, window = self.counter.engine, self.window
        if answer == "not_came":

            def no_show_then_next() -> str:
                missed = finish(engine, window=window, came=False, now=self.counter.now())
                text = told(missed, _missed_text(missed))
                try:
                    return f"{text}\n{self._next_ticket()}"
                except NothingWaiting as exc:  # the no-show stands
                    return f"{text}\n{ct.line('nothing_waiting')} {exc.zh}"

            self._act(no_show_then_next)
            return
        if self.counter.settings.rating_wait_seconds <= 0:  # no rating pad: one transaction

            def finish_and_next() -> str:
                now = self.counter.now()
                called = call_next(engine, window=window, finish_current=True, now=now)
                return told(called, ct.line("called", number=called.number))

            self._act(finish_and_next)
            return

        def finish_served() -> str:
            done = finish(engine, window=window, came=True, now=self.counter.now())
            return told(done, ct.line("done", number=done.number))

        self._finishing = current.number
        self._act(finish_served)

    # ---- the rating between two citizens -------------------------------------------------
    def _wait_for_rating(self, number: str) -> None:
        """The ticket n finished stands: its citizen rates it on the pad before the next one
        is called (when the rating is in, after the counter's rating wait, or on n again)."""
        seconds = self.counter.settings.rating_wait_seconds
        self.awaiting_rating = number
        self._rating_timer = self.set_timer(seconds, self._call_after_rating)
        self.say(ct.line("rating_wait", number=number, seconds=f"{seconds:g}"))

    def _rating_watch(self, view: WindowView) -> None:
        """A fresh view while waiting for a rating: rated, call the next; someone called or
        a pause from elsewhere, stop waiting."""
        number = self.awaiting_rating
        if number is None:
            return
        if view.current is not None or view.paused is not None:
            self._drop_rating_wait()
            return
        last = view.last_finished
        if last is not None and last.number == number and last.rated:
            self.call_after_refresh(self._call_after_rating, True)

    def _call_after_rating(self, rated: bool = False) -> None:
        number = self.awaiting_rating
        if number is None:
            return
        if self.busy:  # an action runs (a receipt, say): call once it has ended
            if self._rating_timer is not None:
                self._rating_timer.stop()
            self._rating_timer = self.set_timer(0.2, partial(self._call_after_rating, rated))
            return
        self._drop_rating_wait()
        if rated:
            self._act(lambda: f"{ct.line('rating_given', number=number)}\n{self._next_ticket()}")
        else:
            self._act(self._next_ticket)

    def _drop_rating_wait(self) -> None:
        self.awaiting_rating = None
        if self._rating_timer is not None:
            self._rating_timer.stop()
            self._rating_timer = None

    def action_recall(self) -> None:
        """Call the current ticket again."""
        self._window_op(recall, lambda v: ct.line("recalled", number=v.number))

    def action_no_show(self) -> None:
        """The called citizen did not come."""
        self._window_op(mark_no_show, _missed_text)

    def action_start(self) -> None:
        """The citizen is here: the service clock starts."""
        self._window_op(start, lambda v: ct.line("started", number=v.number))

    def action_finish(self) -> None:
        """Service done (a case and its receipt for items with promised days). A ticket called
        and never started asks first whether its citizen came."""
        if self.busy or self.view is None:
            return
        current = self.view.current
        if current is not None and current.status == "called":
            self.app.push_screen(CameDialog(current.number), self._finish_as)
            return
        self._window_op(finish, lambda v: ct.line("done", number=v.number))

    def _finish_as(self, answer: str | None) -> None:
        if answer is None:
            return
        came = answer == "came"

        def run() -> str:
            now = self.counter.now()
            view = finish(self.counter.engine, window=self.window, came=came, now=now)
            return told(view, ct.line("done", number=view.number) if came else _missed_text(view))

        self._act(run)

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
        if self.busy or self.view is None or self._dimmed("call_number"):
            return
        suggestions = [n for line in self.view.queues for n in line.next]
        self.app.push_screen(NumberDialog(ct.line("call_title"), suggestions), self._call_number)

    def _call_number(self, number: str | None) -> None:
        if not number:
            return
        self._drop_rating_wait()  # the clerk calls a number of their own choice

        def run() -> str:
            called = call_number(
                self.counter.engine, window=self.window, number=number, now=self.counter.now()
            )
            return told(called, ct.line("called", number=called.number))

        self._act(run)

    def action_requeue(self) -> None:
        """Put a missed ticket back in line."""
        if self.busy or self.view is None or self._dimmed("requeue"):
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
            zh, en = panels.reason_text(reason), panels.reason_en(reason)
            return f"{ct.zh('paused_ok', reason=zh)} {ct.en('paused_ok', reason=en)}"

        self._drop_rating_wait()  # paused: nobody is called
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

    def _dimmed(self, action: str) -> bool:
        """True, and why said on the desk, when a dialog key is dimmed: it opens nothing (a
        dialog opened for nothing would swallow the next keys typed)."""
        assert self.view is not None
        if action in panels.available(self.view):
            return False
        current = self.view.current
        if action == "call_number" and current is not None:
            self.say(ct.line("call_busy", number=current.number), "warning")
        elif action == "call_number":
            self.say(ct.line("call_paused"), "warning")
        else:
            self.say(ct.line("requeue_none"), "warning")
        return True

    # ---- leaving the window --------------------------------------------------------------
    def action_logout(self) -> None:
        """Log out of the window and show the login; with a citizen at the window, ask first
        what becomes of them (back in line, no-show, or kept here)."""
        if self.busy:
            return
        current = self.view.current if self.view else None
        if current is None:
            self._leave("keep", logout=True)
            return
        self.app.push_screen(QuitDialog(current, logout=True), partial(self._leave, logout=True))

    def ask_quit(self) -> None:
        """ctrl+q / ctrl+c: ask before the counter quits (and about a citizen at the window)."""
        current = self.view.current if self.view else None
        self.app.push_screen(QuitDialog(current), partial(self._leave, logout=False))

    def _leave(self, answer: str | None, logout: bool) -> None:
        """Quit or log out once the clerk has answered (None: stay)."""
        if answer is None:
            return
        if self.busy:  # an action is ending: leave right after it
            self.set_timer(0.2, partial(self._leave, answer, logout))
            return
        self._drop_rating_wait()
        if answer in ("quit", "keep") and not logout:
            self.app.exit()
            return
        self.busy = True
        self._leaving({"requeue": put_back, "no_show": mark_no_show}.get(answer), logout)

    @work(thread=True, group="action", exit_on_error=False)
    def _leaving(self, op: Callable[..., TicketView] | None, logout_too: bool) -> None:
        engine, window = self.counter.engine, self.window
        try:
            if op is not None:
                retry_busy(lambda: op(engine, window=window, now=self.counter.now()), attempts=5)
            if logout_too:
                retry_busy(lambda: logout(engine, window=window), attempts=5)
        except Exception as exc:  # shown, and the desk stays usable
            view = None
            with suppress(Exception):  # the error above is the one to show
                view = window_view(engine, window=window, now=self.counter.now())
            self.post_message(self.Ran(view, describe(exc), "error"))
            return
        if logout_too:
            self.post_message(self.LoggedOut())
        else:
            self.app.call_from_thread(self.app.exit)


def told(view: TicketView, text: str) -> str:
    """What to tell the clerk, and once more that the clock is behind when it was."""
    if not view.clock_behind_s:
        return text
    zh, en = errors.pair("clock_behind", number=view.number, seconds=view.clock_behind_s)
    return f"{text}\n⚠ {zh} {en}"


def _missed_text(view: TicketView) -> str:
    """A no-show as the clerk is told it; a ticket made void by it is a warning (⚠ first)."""
    if view.status == "void":
        return ct.line("voided", number=view.number, n=view.misses)
    return ct.line("missed_one", number=view.number)


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
