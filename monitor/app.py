"""The hall manager's live monitor (全程监管): queues, windows and alarms, live within a second.

The shared change watch (appkit/watch.py) reads the newest event's number twice a second and
re-reads the hall when it moved (and every few seconds anyway: waits and services grow with the
clock alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
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


def queues_table(state: MonitorState) -> Table:
    """Every queue: waiting, issued, the longest wait against its limit, the next numbers."""
    table = Table(
        title=monitor.line("queues_title"),
        expand=True,
        title_justify="left",
    )
    table.add_column(monitor.zh("col_zone"), no_wrap=True, overflow="ellipsis")
    for header in ("col_waiting", "col_issued", "col_longest"):
        table.add_column(monitor.zh(header), justify="right", no_wrap=True)
    table.add_column(monitor.zh("col_next"), no_wrap=True)
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


def windows_table(state: MonitorState, now: dt.datetime) -> Table:
    """Every window: its clerk and what it is doing, for how long."""
    table = Table(
        title=monitor.line("windows_title"),
        expand=True,
        title_justify="left",
    )
    for header in ("col_window", "col_serves", "col_clerk", "col_state"):
        table.add_column(monitor.zh(header), no_wrap=True)
    for window in state.status.windows:
        table.add_row(
            str(window.number),
            Text(f"{window.label_zh} {''.join(window.queues)}"),
            Text(window.clerk or "—"),
            _window_state(window, now),
        )
    return table


def _window_state(window: WindowState, now: dt.datetime) -> Text:
    minutes = None
    if window.since:
        minutes = int((now - dt.datetime.fromisoformat(window.since)).total_seconds() // 60)
    state_zh = word("window", window.state)
    if window.state in ("called", "serving"):
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


def summary_line(state: MonitorState) -> Text:
    """The day in one line: served, ratings, bad ratings, open rectifications, alarms."""
    waiting = sum(q.waiting for q in state.status.queues)
    line = Text(f"{state.status.now[11:16]}  ", "bold")
    line.append(
        monitor.line(
            "summary",
            waiting=waiting,
            served=state.served_today,
            rated=state.rated_today,
            bad=state.bad_today,
            open=state.open_rectifications,
        )
    )
    alarms = monitor.line("summary_alarms", n=len(state.alarms))
    line.append(alarms, "bold red" if state.alarms else "green")
    return line


class MonitorApp(App[None]):
    """The manager's monitor. Create it with :func:`create_app`."""

    TITLE = monitor.line("app_title")
    CSS = """
    #summary { height: 1; padding: 0 1; background: $primary-darken-2; }
    #tables { height: 1fr; }
    #queues { width: 3fr; }
    #windows { width: 2fr; }
    #alarms-box { height: auto; max-height: 40%; border: round $error; padding: 0 1; }
    """
    BINDINGS = [("q", "quit", monitor.line("quit"))]

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
        with Horizontal(id="tables"):
            with VerticalScroll(id="queues"):
                yield Static("", id="queue-table")
            with VerticalScroll(id="windows"):
                yield Static("", id="window-table")
        with VerticalScroll(id="alarms-box"):
            yield Static("", id="alarms")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#alarms-box").border_title = monitor.line("alarms")
        self.changes.start()

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
        self.query_one("#summary", Static).update(summary_line(state))
        self.query_one("#queue-table", Static).update(queues_table(state))
        self.query_one("#window-table", Static).update(windows_table(state, now))
        self.query_one("#alarms", Static).update(alarms_panel(state))


def create_app(settings: MonitorSettings) -> MonitorApp:
    """The monitor app for these settings (the snapshot tests use this too)."""
    return MonitorApp(settings)
