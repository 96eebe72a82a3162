"""The desk's flows that span more than one key or screen: n between two citizens (did the
called one come? the rating before the next one is called) and leaving the window (quit or log
out, asking first what becomes of a citizen still there).

The questions are the one-key modals of counter/asks.py; the rest runs in the desk's worker.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial

from textual import work

from appkit.errors import describe
from counter.asks import CameDialog, QuitDialog
from counter.deskcore import DeskCore, missed_text, told
from counter.messages import LoggedOut, Ran
from models.clerks.staff import logout
from models.db import retry_busy
from models.errors import NothingWaiting
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, put_back
from models.text import counter as ct
from models.views.ticket import TicketView
from models.views.window import CurrentTicket, WindowView, window_view


class Flows(DeskCore):
    """n, f and the ways out of the window (the desk screen's bindings name them)."""

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self._finishing: str | None = None
        """The number n is finishing (the rating wait starts when the finish stands)."""

    # ---- came, did not come --------------------------------------------------------------
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
                text = told(missed, missed_text(missed))
                try:
                    return f"{text}\n{self._next_ticket()}"
                except NothingWaiting as exc:  # the no-show stands
                    return f"{text}\n{ct.line('nothing_waiting')} · {exc.zh} {exc.en}"

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
            return told(view, ct.line("done", number=view.number) if came else missed_text(view))

        self._act(run)

    # ---- the rating between two citizens -------------------------------------------------
    def _rating_after(self, ran: Ran) -> None:
        """An action ended: the finish n started stands, so its citizen's rating is awaited."""
        finishing, self._finishing = self._finishing, None
        view = ran.view
        last = view.last_finished if view is not None else None
        if (
            finishing is not None
            and ran.severity != "error"
            and view is not None
            and view.current is None
            and last is not None
            and last.number == finishing
        ):
            self._wait_for_rating(finishing)

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
            self.post_message(Ran(view, describe(exc), "error"))
            return
        if logout_too:
            self.post_message(LoggedOut())
        else:
            self.app.call_from_thread(self.app.exit)
