"""What the parts of the desk share: the window's state, telling the clerk, and running one
action at a time in a worker that reports back with a :class:`~counter.messages.Ran`.

The desk screen (counter/desk.py) is made of this and the parts built on it: the keys that
change a ticket (counter/ticket_keys.py), the flows between two citizens and out of the window
(counter/flows.py) and the printing (counter/printing.py). None of them imports the App module:
they reach the counter through :attr:`DeskCore.counter` and report with typed messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from textual import work
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from appkit.errors import describe
from counter.messages import Ran
from counter.service import Counter
from models.db import retry_busy
from models.errors import NothingWaiting
from models.text import counter as ct
from models.text import errors
from models.textsafe import printable_lines
from models.views.ticket import TicketView
from models.views.window import CurrentTicket, WindowView, window_view

Operation = Callable[[], str]
"""An action's work (run in a worker); returns what to tell the clerk."""


class DeskCore(Screen[None]):
    """The desk's shared state and its one-action-at-a-time worker."""

    def __init__(self, window: int) -> None:
        super().__init__()
        self.window = window
        """The window this counter stands at."""
        self.view: WindowView | None = None
        """The window as last read."""
        self.busy = False
        """True while an action runs: further keys are ignored (one key, one action)."""
        self._slow: Timer | None = None
        """Shows "…" when an action takes a while."""
        self.actions_done = 0
        """Actions ended so far (tests and benchmarks wait on it)."""
        self.said: tuple[str, str] = ("", "information")
        """What the message line tells the clerk now, and how (its severity)."""
        self.awaiting_rating: str | None = None
        """The number just finished by n while its citizen rates: the next is called when the
        rating is in, after the counter's rating wait, or when n is pressed again."""
        self._rating_timer: Timer | None = None
        """Calls the next citizen when the rating wait is over."""

    @property
    def counter(self) -> Counter:
        """The counter (the app, as its screens see it)."""
        return cast("Counter", self.app)

    def say(self, text: str, severity: str = "information") -> None:
        """Tell the clerk what happened (a line above the keys, kept until the next action)."""
        self.said = (text, severity)
        message = self.query_one("#message", Static)
        message.set_classes(f"message-{severity}")
        message.update(printable_lines(text))

    # ---- one action at a time ------------------------------------------------------------
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
            text, severity = f"{ct.line('nothing_waiting')}\n{exc.zh} {exc.en}", "warning"
        except Exception as exc:  # shown to the clerk, never a crash
            text, severity = describe(exc), "error"
        receipt_for = None
        try:
            view = window_view(engine, window=window, now=self.counter.now())
            if finished_with_case(before, view):
                assert before is not None
                receipt_for = before.number
        except Exception as exc:  # the view could not be read: say so, keep the keys alive
            text, severity = f"{text}\n{describe(exc)}".strip(), "error"
        finally:
            self.post_message(Ran(view, text, severity, receipt_for))

    def _window_op(self, op: Callable[..., TicketView], describe: Callable[..., str]) -> None:
        """Run a core operation on the ticket at this window; ``describe`` says what it did."""

        def run() -> str:
            view = op(self.counter.engine, window=self.window, now=self.counter.now())
            return told(view, describe(view))

        self._act(run)

    def _drop_rating_wait(self) -> None:
        """Stop waiting for a rating (someone is called, the window pauses or is left)."""
        self.awaiting_rating = None
        if self._rating_timer is not None:
            self._rating_timer.stop()
            self._rating_timer = None


def told(view: TicketView, text: str) -> str:
    """What to tell the clerk, and once more that the clock is behind when it was."""
    if not view.clock_behind_s:
        return text
    zh, en = errors.pair("clock_behind", number=view.number, seconds=view.clock_behind_s)
    return f"{text}\n⚠ {zh} {en}"


def missed_text(view: TicketView) -> str:
    """A no-show as the clerk is told it; a ticket made void by it is a warning (⚠ first)."""
    if view.status == "void":
        return ct.line("voided", number=view.number, n=view.misses)
    return ct.line("missed_one", number=view.number)


def finished_with_case(before: CurrentTicket | None, view: WindowView) -> bool:
    """True when the action just finished a ticket whose item promises working days."""
    if before is None or not before.promised_days or view.last_finished is None:
        return False
    still_here = view.current is not None and view.current.number == before.number
    return view.last_finished.number == before.number and not still_here
