"""The hall's display board: the newest call very large, recent calls, waiting counts, the
missed numbers, the hall's name and a clock, with each call spoken in Mandarin.

The shared change watch (appkit/watch.py) reads the newest event's number a few times a second
in a thread worker and the board's state only when it changed, so a call made at any counter
shows within a second while the idle board costs next to nothing. Speaking runs in the
announcer's own thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from appkit.database import app_engine
from appkit.watch import ChangeWatch
from board.bigcall import BigCall
from board.voice import Announcer, VoiceEngine, call_sentence, find_chime, find_engine
from models.db import reading
from models.hall import hall_settings
from models.text import board, words
from models.textsafe import displayable, printable
from models.timeutil import business_date, local, utcnow
from models.views.board import BoardCall, BoardState, board_state

Clock = Callable[[], dt.datetime]
CLOCK_FORMATS = ("clock_date", "clock_day", "clock_minutes", "clock_time")
"""The clock's forms (keys of models/text/board.py), longest first: the top line takes the
longest that leaves the hall's name whole."""
RECENT_READ = 20
"""Recent calls listed (as many as fit are shown)."""


@dataclass(frozen=True)
class BoardSettings:
    """How one board runs."""

    db: str | None = None
    """The database path or URL (None: MASHANGBAN_DB or the default file)."""
    engine: Engine | None = None
    """The database, when the caller has opened it already (the command, tests)."""
    queues: tuple[str, ...] | None = None
    """The zones shown (prefix letters, checked by the caller); None: every zone."""
    mute: bool = False
    clock: Clock = utcnow
    voice: Callable[[], VoiceEngine | None] = find_engine
    """Finds the voice engine (tests give a fake); returning None leaves the board silent."""
    chime: bool = True
    """A chime before each call, when a sound player is found."""
    poll_seconds: float = 0.4
    flash_seconds: float = 5.0
    """How long a new call flashes (0: never)."""


class BoardApp(App[None]):
    """The display board. Create it with :func:`create_app`."""

    TITLE = board.zh("title")
    CSS_PATH = "board.tcss"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        # The public screen says nothing about keys: ctrl+c quits at once, like ctrl+q, with no
        # "press ctrl+q to quit" note (Textual's default, in English) shown to the hall.
        Binding("ctrl+c", "quit", show=False, priority=True),
    ]

    def __init__(self, settings: BoardSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = app_engine(settings.engine, settings.db)
        """The hall's database."""
        with reading(self.engine) as session:
            hall = hall_settings(session)
        self.timezone = hall.timezone
        self.hall_name = (hall.name_zh, hall.name_en)
        voice = None if settings.mute else settings.voice()
        chime = find_chime() if settings.chime and voice is not None else None
        self.announcer = Announcer(voice, mute=settings.mute, chime=chime)
        """Speaks the calls, one after another, in its own thread."""
        self.state: BoardState | None = None
        """What the board shows now."""
        self.announced: int | None = None
        """The newest call event spoken (or, at start, already on the board)."""
        self.offline = False
        """The database could not be read on the last poll."""
        self.clock_format = CLOCK_FORMATS[0]
        """How the clock is written: as long as the top line has room for."""
        self.changes = ChangeWatch(
            self,
            engine=self.engine,
            seconds=settings.poll_seconds,
            read=self._read_state,
            key=self._today,
        )
        """Reads the board's state when the hall's change mark moves."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(printable(" · ".join(self.hall_name)), id="hall", markup=False)
            yield Static("", id="voice")  # only when the board cannot read the hall
            yield Static(id="clock")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                now = Vertical(BigCall(id="now"), id="now-panel", classes="panel")
                now.border_title = board.line("now")
                yield now
                missed = Vertical(Static(id="missed"), id="missed-panel", classes="panel")
                missed.border_title = board.line("missed")
                yield missed
            with Vertical(id="right"):
                recent = Vertical(Static(id="recent"), id="recent-panel", classes="panel")
                recent.border_title = board.line("recent")
                yield recent
                waiting = Vertical(Static(id="waiting"), id="waiting-panel", classes="panel")
                waiting.border_title = board.line("waiting")
                yield waiting

    def on_mount(self) -> None:
        self._fit_top(self.size.width)
        self._tick()
        self.set_interval(1.0, self._tick)
        if self.announcer.engine is None and not self.settings.mute:
            self.notify("\n".join(board.pair("silent")), timeout=10)
        self.changes.start()

    def on_unmount(self) -> None:
        self.changes.stop()
        self.announcer.close()

    def now(self) -> dt.datetime:
        """The board's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_top(event.size.width)
        self._tick()

    def _fit_top(self, width: int) -> None:
        """The hall's name whole on the top line: a shorter clock first, then the name in
        Chinese alone (the hall reads it), and only then a cut name."""
        at = local(self.now(), self.timezone)
        offline = cell_len(board.line("offline")) + 2 if self.offline else 0
        names = [printable(" · ".join(self.hall_name)), printable(self.hall_name[0])]
        choice = (names[-1], CLOCK_FORMATS[-1])
        for name, form in ((n, f) for n in names for f in CLOCK_FORMATS):
            if cell_len(name) + 2 + offline + cell_len(self._clock_text(form, at)) + 2 <= width:
                choice = (name, form)
                break
        self.query_one("#hall", Static).update(choice[0])
        self.clock_format = choice[1]

    @staticmethod
    def _clock_text(form: str, at: dt.datetime) -> str:
        day = at.weekday()
        return board.zh(form, d=at, weekday_zh=words.zh(f"weekday_{day}"), weekday_en="")

    def _tick(self) -> None:
        at = local(self.now(), self.timezone)
        self.query_one("#clock", Static).update(self._clock_text(self.clock_format, at))

    # ---- the change watch -----------------------------------------------------------------
    def _read_state(self) -> BoardState:
        """The board's state (in the watch's worker)."""
        return board_state(self.engine, queues=self.settings.queues, now=self.now())

    def _today(self) -> dt.date:
        """The business date: a new one clears the board even with no event."""
        return business_date(self.now(), self.timezone)

    def on_change_watch_read(self, message: ChangeWatch.Read[BoardState]) -> None:
        self._show(message.value)

    def on_change_watch_failed(self, _message: ChangeWatch.Failed) -> None:
        if not self.offline:
            self._connection(True)

    def on_change_watch_back(self, _message: ChangeWatch.Back) -> None:
        self._connection(False)

    def _connection(self, offline: bool) -> None:
        self.offline = offline
        voice = self.query_one("#voice", Static)
        voice.set_class(offline, "-offline")
        voice.update(board.line("offline") if offline else "")
        self._fit_top(self.size.width)

    # ---- showing ------------------------------------------------------------------------
    def _show(self, state: BoardState) -> None:
        # Stored names and numbers are shown, never obeyed: escapes made visible here, once,
        # and every text below is a Rich Text (not markup).
        state = displayable(state)
        if self.offline:
            self._connection(False)
        self.state = state
        newest = state.newest
        fresh: list[BoardCall] = []
        if self.announced is None:  # at start: what is on the board was announced already
            self.announced = newest.seq if newest else 0
        else:
            fresh = state.after(self.announced)
        for call in fresh:
            self.announcer.announce(call_sentence(call.number, call.window, recall=call.recall))
            self.announced = call.seq
        title = board.line("now") + (
            f" · {board.line('recall')}" if newest and newest.recall else ""
        )
        self.query_one("#now-panel").border_title = title
        self.query_one("#now", BigCall).show(
            newest,
            flash_seconds=self.settings.flash_seconds if fresh else 0.0,
            called_today=state.called_today,
        )
        self.query_one("#recent", Static).update(self._recent(state))
        self.query_one("#waiting", Static).update(self._waiting(state))
        self.query_one("#missed", Static).update(
            Text("  ".join(state.missed))
            if state.missed
            else Text(board.line("no_missed"), style="dim")
        )

    def _recent(self, state: BoardState) -> Table | Text:
        calls = state.recent(RECENT_READ)
        if not calls:
            return Text(board.line("none_yet"), style="dim")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", style="dim", no_wrap=True)
        for call in calls:
            grid.add_row(
                Text(call.number), "→ " + board.zh("window", window=call.window), f"{call.at:%H:%M}"
            )
        return grid

    def _waiting(self, state: BoardState) -> Table:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        for queue in state.queues:
            grid.add_row(
                Text(queue.prefix), Text(queue.name_zh), board.zh("people", n=queue.waiting)
            )
        return grid


def create_app(settings: BoardSettings) -> BoardApp:
    """The board app for these settings (the snapshot tests use this too)."""
    return BoardApp(settings)
