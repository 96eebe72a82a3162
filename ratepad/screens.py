"""The rating pad's screens: waiting, the five levels, a reason, thanks; and F12 for staff.

One screen switches between its panes, so a question that times out or is answered never
leaves a stack of screens behind. Taps are the only input a citizen needs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.events import Key, MouseDown
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static

from appkit.errors import describe
from appkit.idle import IdleWatch
from appkit.unattended import PinScreen
from appkit.watch import ChangeWatch
from models.supervision.ratings import (
    BAD_LEVELS,
    RECTIFY_WORKDAYS,
    RatableTicket,
    RatingView,
    ratable_ticket,
)
from models.text import ratepad, words
from models.text.words import RATING_LEVELS
from ratepad.settings import RatePadSettings

if TYPE_CHECKING:
    from sqlalchemy import Engine


def level_label(level: int) -> str:
    """A level's button: stars, the Chinese, the English."""
    zh, en = ratepad.pair(f"level_{level}")
    return f"{'★' * level}\n{zh}\n{en}"


class PadScreen(Screen[None]):
    """Waiting → the question → (a reason) → thanks → waiting."""

    class Rated(Message, bubble=False):
        """A rating was stored (its view), or refused (what to say)."""

        def __init__(self, ticket: RatableTicket, result: RatingView | str) -> None:
            super().__init__()
            self.ticket = ticket
            """The ticket rated."""
            self.result = result
            """The stored rating, or why not."""

    def __init__(self, settings: RatePadSettings, engine: Engine) -> None:
        super().__init__()
        self.settings = settings
        """How the pad runs."""
        self.engine = engine
        """The hall's database."""
        self.window = settings.window
        """The window whose finished tickets the pad asks about."""
        self.asking: RatableTicket | None = None
        """The ticket on the question (or reason) pane."""
        self.pending_level: int | None = None
        """The level tapped before its reason."""
        self.passed: set[int] = set()
        """Tickets not to ask about again: rated here, or left unanswered until they timed out."""
        self.busy = False
        """True from a final tap until the rating is stored: further taps are ignored."""
        self.message = ""
        self.ratings_sent = 0
        """Ratings this pad has tried to store (tests wait on it)."""
        self.last: RatingView | None = None
        """The last rating stored here."""

    def now(self) -> dt.datetime:
        """The pad's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def compose(self) -> ComposeResult:
        yield Static(ratepad.line("title", window=self.window), id="title")
        with ContentSwitcher(initial="waiting", id="panes"):
            yield Static(ratepad.line("waiting"), id="waiting")
            with Vertical(id="asking"):
                yield Static("", id="prompt")
                with Horizontal(id="levels"):
                    for level in RATING_LEVELS:
                        yield Button(level_label(level), id=f"level-{level}", classes="level")
            with Vertical(id="reasons"):
                yield Static("", id="reason-prompt")
                with Grid(id="reason-grid"):
                    for i, key in enumerate(ratepad.REASONS):
                        yield Button(ratepad.line(key), id=f"reason-{i}", classes="reason")
                    yield Button(ratepad.line("back"), id="reason-back")
            yield Static("", id="thanks")
        yield Static("", id="message")

    def on_mount(self) -> None:
        settings = self.settings
        self.idle = IdleWatch(self, settings.idle_seconds, self._idle_out)
        """Drops a question left untouched."""
        self.changes = ChangeWatch(
            self,
            engine=self.engine,
            seconds=settings.poll_seconds,
            read=self._read,
            key=self._minute,
            paused=self._not_now,
        )
        """Looks for a finished ticket when the hall's change mark moves."""
        self.changes.start()

    @property
    def pane(self) -> str:
        """waiting, asking, reasons or thanks."""
        return self.query_one(ContentSwitcher).current or "waiting"

    def _show(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        if pane in ("asking", "reasons"):
            if not self.idle.running:
                self.idle.start()
            else:
                self.idle.touch()
        else:
            self.idle.stop()

    def say(self, text: str) -> None:
        """A line under the panes (errors; cleared when the pad waits again)."""
        self.message = text
        self.query_one("#message", Static).update(text)

    # ---- touches -----------------------------------------------------------------------
    def on_mouse_down(self, _event: MouseDown) -> None:
        self.idle.touch()

    def on_key(self, _event: Key) -> None:
        self.idle.touch()

    def _idle_out(self) -> None:
        if self.app.screen is not self:  # staff are at the pad
            self.idle.start()
            return
        if self.asking is not None:
            self.passed.add(self.asking.ticket_id)
        self.wait()

    def wait(self) -> None:
        """Back to waiting; look at once for a ticket to ask about."""
        self.asking, self.pending_level, self.busy = None, None, False
        self.say("")
        self._show("waiting")
        self.changes.again()

    @on(Button.Pressed, ".level")
    def level_tapped(self, event: Button.Pressed) -> None:
        self.idle.touch()
        if self.busy or self.asking is None or self.pane != "asking":
            return  # a second tap while the first is being stored, or a stale one
        level = int((event.button.id or "level-0").removeprefix("level-"))
        if level in BAD_LEVELS:
            self.pending_level = level
            zh, en = words.pair(f"rating_{level}")
            self.query_one("#reason-prompt", Static).update(
                ratepad.line("reason", level_zh=zh, level_en=en)
            )
            self._show("reasons")
            return
        self._send(level, "")

    @on(Button.Pressed, ".reason")
    def reason_tapped(self, event: Button.Pressed) -> None:
        self.idle.touch()
        if self.busy or self.pending_level is None or self.pane != "reasons":
            return
        index = int((event.button.id or "reason-0").removeprefix("reason-"))
        self._send(self.pending_level, ratepad.zh(ratepad.REASONS[index]))

    @on(Button.Pressed, "#reason-back")
    def reason_back(self) -> None:
        self.idle.touch()
        if not self.busy:
            self.pending_level = None
            self._show("asking")

    def _send(self, level: int, reason: str) -> None:
        assert self.asking is not None
        self.busy = True
        self.say(ratepad.line("sending"))
        self._rate(self.asking, level, reason)

    @work(thread=True, group="rate", exit_on_error=False)
    def _rate(self, ticket: RatableTicket, level: int, reason: str) -> None:
        from models.supervision.ratings import rate

        result: RatingView | str
        try:
            result = rate(
                self.engine, window=self.window, level=level, reason=reason, now=self.now()
            )
        except Exception as exc:  # shown on the pad, never a crash
            result = describe(exc)
        self.post_message(self.Rated(ticket, result))

    def on_pad_screen_rated(self, message: Rated) -> None:
        ticket, result = message.ticket, message.result
        self.ratings_sent += 1
        self.passed.add(ticket.ticket_id)
        self.asking, self.pending_level = None, None
        thanks = self.query_one("#thanks", Static)
        if isinstance(result, str):
            thanks.update("")
            self.say(result)
        else:
            self.last = result
            lines = [
                ratepad.line("thanks"),
                "",
                ratepad.line(
                    "rated",
                    number=result.number,
                    level_zh=result.level_zh,
                    level_en=result.level_en,
                ),
            ]
            if result.due_date is not None:
                due = f"{result.due_date:%Y-%m-%d}"
                lines += ["", ratepad.line("rectify", days=RECTIFY_WORKDAYS, due=due)]
            thanks.update("\n".join(lines))
            self.say("")
        self._show("thanks")
        self.set_timer(self.settings.thanks_seconds, self._thanked, name="thanks")

    def _thanked(self) -> None:
        if self.pane == "thanks":
            self.wait()

    # ---- what to ask about -------------------------------------------------------------
    def _not_now(self) -> bool:
        """No poll while a rating is stored, or on the reason and thank-you panes."""
        return self.busy or self.pane not in ("waiting", "asking")

    def _minute(self) -> dt.datetime:
        """Read again once a minute too: a new day ends the question."""
        return self.now().replace(second=0, microsecond=0)

    def _read(self) -> RatableTicket | None:
        """The ticket to ask about (in the watch's worker)."""
        return ratable_ticket(self.engine, window=self.window, now=self.now())

    def on_change_watch_failed(self, message: ChangeWatch.Failed) -> None:
        if not self._not_now():
            self.say(describe(message.error))  # the next poll tries again

    def on_change_watch_read(self, message: ChangeWatch.Read[RatableTicket | None]) -> None:
        if self._not_now():
            self.changes.again()  # not shown: read it again when the pad asks again
            return
        found = message.value
        if self.message:
            self.say("")  # the database answers again
        if found is None or found.ticket_id in self.passed:
            if self.pane == "asking":  # rated elsewhere, or the window moved on
                self._show("waiting")
                self.asking = None
            return
        if self.asking is not None and self.asking.ticket_id == found.ticket_id:
            return
        self.ask(found)

    def ask(self, ticket: RatableTicket) -> None:
        """Put the question about a ticket on the pad."""
        self.asking = ticket
        lines = [ratepad.line("prompt", number=ticket.number)]
        if ticket.item_zh:
            lines.append(f"{ticket.item_zh} {ticket.item_en or ''}".strip())
        self.query_one("#prompt", Static).update("\n".join(lines))
        if self.pane == "asking":
            self.idle.start()  # a new citizen: a full idle time
        self._show("asking")


class StaffQuitScreen(PinScreen):
    """F12: a clerk number and PIN quit the pad (a wrong PIN is refused and logged)."""

    def prompt(self) -> str:
        return ratepad.line("staff")

    def buttons(self) -> ComposeResult:
        with Horizontal(id="staff-buttons"):
            yield Button(
                ratepad.line("quit"), id="staff-quit", variant="error", classes="staff-submit"
            )
            yield Button(ratepad.line("back"), id="staff-back", classes="staff-back")
