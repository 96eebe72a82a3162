"""The hall manager's live monitor (全程监管): queues, windows and alarms, live within a second.

The shared change watch (appkit/watch.py) reads the newest event's number twice a second and
re-reads the hall when it moved (and every few seconds anyway: waits and services grow with the
clock alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich import box
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, VerticalScroll
from textual.widgets import Footer, Static

from appkit.database import app_engine
from appkit.watch import ChangeWatch
from models.text import monitor
from models.text.words import word
from models.textsafe import displayable, printable
from models.timeutil import utcnow
from models.views.monitor import MonitorState, monitor_state
from models.views.status import QueueState, WindowState

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class MonitorSettings:
    """How the monitor runs."""

    db: str | None = None
    """The database path or URL (None: MASHANGBAN_DB or the default file)."""
    engine: Engine | None = None
    """The database, when the caller has opened it already (the command, tests)."""
    clock: Clock = utcnow
    poll_seconds: float = 0.5
    reread_seconds: float = 10.0
    """Re-read at least this often (waits grow with no event)."""


STACK_BELOW = 130
"""Narrower than this, the windows stand below the queues instead of beside them."""


def _table(title: str, caption: str | None = None) -> Table:
    """A monitor table: a header rule and no frame, so every column keeps its width."""
    return Table(
        title=title,
        caption=caption,
        expand=True,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
    )


def queues_table(state: MonitorState) -> Table:
    """Every queue: waiting, issued, the longest wait against its limit, the next numbers."""
    table = _table(monitor.line("queues_title"))
    table.add_column(monitor.zh("col_zone"), no_wrap=True, overflow="ellipsis")
    for key in ("col_waiting", "col_issued", "col_longest"):
        header = monitor.zh(key)
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header) * 2)
    table.add_column(
        monitor.zh("col_next"), no_wrap=True, overflow="ellipsis", min_width=4, ratio=1
    )
    for queue in state.status.queues:
        table.add_row(  # stored text as Text: shown as typed, never read as markup
            Text(f"{queue.prefix} {queue.name_zh}"),
            str(queue.waiting),
            str(queue.issued),
            _longest(queue),
            Text(" ".join(queue.next)),
        )
    return table


def _longest(queue: QueueState) -> Text:
    text = Text(f"{queue.longest_wait_minutes}/{queue.wait_limit_minutes}")
    if queue.waiting and queue.longest_wait_minutes > queue.wait_limit_minutes:
        text.stylize("bold red")
    return text


def number_ranges(numbers: list[int]) -> str:
    """Window numbers as short runs: 1–4 6–17 19."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return " ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def windows_table(state: MonitorState, now: dt.datetime) -> Table:
    """Every open window: its clerk (number and name) and what it is doing, for how long; the
    closed ones in one line below (a hall opens a few of its windows at a time)."""
    closed = [w.number for w in state.status.windows if w.state == "closed"]
    table = _table(
        monitor.line("windows_title"),
        monitor.line("closed_windows", windows=number_ranges(closed)) if closed else None,
    )
    table.add_column(monitor.zh("col_window"), justify="right", no_wrap=True, min_width=2)
    table.add_column(monitor.zh("col_serves"), no_wrap=True, overflow="ellipsis")
    table.add_column(monitor.zh("col_clerk"), no_wrap=True, overflow="ellipsis", min_width=8)
    table.add_column(
        monitor.zh("col_state"), no_wrap=True, overflow="ellipsis", min_width=8, ratio=1
    )
    for window in state.status.windows:
        if window.state == "closed":
            continue
        clerk = " ".join(part for part in (window.clerk, window.clerk_name) if part)
        table.add_row(
            str(window.number),
            Text(f"{window.label_zh} {''.join(window.queues)}"),
            Text(clerk or "—"),
            _window_state(window, now),
        )
    if len(closed) == len(state.status.windows):
        table.add_row("", Text(monitor.line("no_window_open"), "dim"), "", "")
    return table


def _window_state(window: WindowState, now: dt.datetime) -> Text:
    minutes = None
    if window.since:
        minutes = int((now - dt.datetime.fromisoformat(window.since)).total_seconds() // 60)
    state_zh = word("window", window.state)
    if window.state in ("called", "serving"):
        if window.pause_reason:  # the clerk paused with a citizen at the window: none after
            shown = monitor.zh(
                "at_window_then_paused",
                state_zh=state_zh,
                ticket=window.ticket,
                minutes=minutes,
                reason=word("pause", window.pause_reason),
            )
            return Text(shown, "bold yellow")
        shown = monitor.zh("at_window", state_zh=state_zh, ticket=window.ticket, minutes=minutes)
        return Text(shown, "bold green")
    if window.state == "paused":
        reason = word("pause", window.pause_reason or "")
        shown = monitor.zh("paused", state_zh=state_zh, reason=reason, minutes=minutes)
        return Text(shown, "bold yellow")
    return Text(state_zh, "dim" if window.state == "closed" else "")


def alarms_panel(state: MonitorState) -> Text:
    """The alarms, one a line, worst kinds first; or a calm line."""
    if not state.alarms:
        return Text(monitor.line("no_alarms"), "green")
    text = Text()
    for alarm in state.alarms:
        style = "bold magenta" if alarm.kind == "rating" else "bold red"
        text.append(f"▲ {monitor.zh(f'alarm_{alarm.kind}')} ", style)
        text.append(alarm.detail + "\n")
    text.rstrip()
    return text


def summary_line(state: MonitorState, width: int = 0) -> Text:
    """The day in a line: served, ratings, bad ratings, open rectifications, today's bookings
    (checked in of booked, no-shows; when there are any), alarms. When
    ``width`` is too narrow for one line, it breaks between the figures, never inside one."""
    waiting = sum(q.waiting for q in state.status.queues)
    parts = [
        Text(state.status.now[11:16], "bold"),
        Text(monitor.line("summary_waiting", n=waiting)),
        Text(monitor.line("summary_served", n=state.served_today)),
        Text(monitor.line("summary_rated", n=state.rated_today)),
        Text(monitor.line("summary_bad", n=state.bad_today)),
        Text(monitor.line("summary_open", n=state.open_rectifications)),
    ]
    if state.bookings_today:  # a day with no bookings (or a hall taking none) says nothing
        parts.append(
            Text(
                monitor.line(
                    "summary_bookings",
                    checked=state.checked_in_today,
                    booked=state.bookings_today,
                    missed=state.no_shows_today,
                )
            )
        )
    parts += [
        Text(
            monitor.line("summary_alarms", n=len(state.alarms)),
            "bold red" if state.alarms else "green",
        ),
    ]
    line = Text(no_wrap=True)
    used = 0
    for index, part in enumerate(parts):
        sep = "" if index == 0 else ("  " if index == 1 else " · ")
        if width and used and used + len(sep) + part.cell_len > width:
            line.append("\n")
            used, sep = 0, ""
        line.append(sep)
        line.append_text(part)
        used += len(sep) + part.cell_len
    return line


class MonitorApp(App[None]):
    """The manager's monitor. Create it with :func:`create_app`."""

    TITLE = monitor.line("app_title")
    ENABLE_COMMAND_PALETTE = False  # its commands are in English only; nothing here needs it
    CSS = """
    #summary { height: auto; padding: 0 1; background: $primary-darken-2; }
    #tables { height: 1fr; layout: horizontal; overflow: hidden hidden; }
    #queues { width: 3fr; padding: 0 1; }
    #windows { width: 2fr; padding: 0 1; }
    #tables.-stacked { layout: vertical; overflow-y: auto; }
    #tables.-stacked > VerticalScroll { width: 1fr; height: auto; }
    #tables.-stacked > #windows { margin-top: 1; }
    #alarms-box { height: auto; max-height: 40%; border: round $error; padding: 0 1; }
    """
    BINDINGS = [
        ("q", "quit", monitor.line("quit")),
        # ctrl+c quits too, with no English-only "press ctrl+q" note (Textual's default).
        Binding("ctrl+c", "quit", show=False, priority=True),
    ]

    def __init__(self, settings: MonitorSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = app_engine(settings.engine, settings.db)
        """The hall's database."""
        self.state: MonitorState | None = None
        """The hall as last read."""
        self.changes = ChangeWatch(
            self,
            engine=self.engine,
            seconds=settings.poll_seconds,
            read=self._read,
            key=self._period,
        )
        """Re-reads the hall when its change mark moves (and every reread_seconds)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        with ScrollableContainer(id="tables"):  # focused: ↑ ↓ PgUp PgDn scroll a narrow screen
            with VerticalScroll(id="queues"):
                yield Static("", id="queue-table")
            with VerticalScroll(id="windows"):
                yield Static("", id="window-table")
        with VerticalScroll(id="alarms-box"):
            yield Static("", id="alarms")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#alarms-box").border_title = monitor.line("alarms")
        self._fit(self.size.width)
        self.query_one("#tables").focus()
        self.changes.start()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)
        if self.state is not None:
            self._summary(self.state, event.size.width)

    def _fit(self, width: int) -> None:
        """Queues and windows side by side on a wide screen, one above the other on a narrow one."""
        self.query_one("#tables").set_class(width < STACK_BELOW, "-stacked")

    def _summary(self, state: MonitorState, width: int | None = None) -> None:
        width = self.size.width if width is None else width
        self.query_one("#summary", Static).update(summary_line(state, max(1, width - 2)))

    def _read(self) -> tuple[MonitorState, dt.datetime]:
        """The hall now (in the watch's worker)."""
        now = self.settings.clock()
        return monitor_state(self.engine, now=now), now

    def _period(self) -> int:
        """Which stretch of ``reread_seconds`` the clock is in: a new one re-reads anyway."""
        return int(self.settings.clock().timestamp() // self.settings.reread_seconds)

    def on_change_watch_failed(self, message: ChangeWatch.Failed) -> None:
        # Shown in the summary line; the next poll tries again.
        error = monitor.line("db_trouble", error=printable(message.error))
        self.query_one("#summary", Static).update(Text(error, "bold red"))

    def on_change_watch_read(
        self, message: ChangeWatch.Read[tuple[MonitorState, dt.datetime]]
    ) -> None:
        state, now = message.value
        state = displayable(state)  # stored names shown, never obeyed: escapes made visible
        self.state = state
        self._summary(state)
        self.query_one("#queue-table", Static).update(queues_table(state))
        self.query_one("#window-table", Static).update(windows_table(state, now))
        self.query_one("#alarms", Static).update(alarms_panel(state))


def create_app(settings: MonitorSettings) -> MonitorApp:
    """The monitor app for these settings (the snapshot tests use this too)."""
    return MonitorApp(settings)
