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
from models.text.words import word
from models.textsafe import displayable, printable
from models.timeutil import utcnow
from models.views.monitor import MonitorState, monitor_state
from models.views.status import QueueState, WindowState

Clock = Callable[[], dt.datetime]
STATE_ZH = {
    "idle": "空闲",
    "called": "已叫号",
    "serving": "办理中",
    "paused": "暂停",
    "closed": "未开",
}
ALARM_ZH = {
    "pin_lock": "密码锁定",
    "wait": "超时等候",
    "service": "超时办理",
    "case": "办件逾期",
    "rating": "差评",
}


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
        title="队列 Queues · 等候 waiting · 已取 issued · 最长/限 longest/limit (分 min)",
        expand=True,
        title_justify="left",
    )
    table.add_column("区", no_wrap=True, overflow="ellipsis")
    for header in ("等候", "已取", "最长/限"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("下一个", no_wrap=True)
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
        title="窗口 Windows · 业务 serves · 工号 clerk · 状态 state",
        expand=True,
        title_justify="left",
    )
    for header in ("窗", "业务", "工号", "状态"):
        table.add_column(header, no_wrap=True)
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
    words = STATE_ZH.get(window.state, window.state)
    if window.state in ("called", "serving"):
        return Text(f"{words} {window.ticket} · {minutes} 分", "bold green")
    if window.state == "paused":
        reason = word("pause", window.pause_reason or "")
        return Text(f"{words}：{reason} · {minutes} 分", "bold yellow")
    return Text(words, "dim" if window.state == "closed" else "")


def alarms_panel(state: MonitorState) -> Text:
    """The alarms, one a line, worst kinds first; or a calm line."""
    if not state.alarms:
        return Text("无告警 No alarms", "green")
    text = Text()
    for alarm in state.alarms:
        style = "bold magenta" if alarm.kind == "rating" else "bold red"
        text.append(f"▲ {ALARM_ZH[alarm.kind]} ", style)
        text.append(alarm.detail + "\n")
    text.rstrip()
    return text


def summary_line(state: MonitorState) -> Text:
    """The day in one line: served, ratings, bad ratings, open rectifications, alarms."""
    waiting = sum(q.waiting for q in state.status.queues)
    line = Text(f"{state.status.now[11:16]}  ", "bold")
    line.append(
        f"等候 waiting {waiting} · 办结 served {state.served_today} · "
        f"评价 rated {state.rated_today} · 差评 bad {state.bad_today} · "
        f"待整改 open rectifications {state.open_rectifications} · "
    )
    line.append(f"告警 alarms {len(state.alarms)}", "bold red" if state.alarms else "green")
    return line


class MonitorApp(App[None]):
    """The manager's monitor. Create it with :func:`create_app`."""

    TITLE = "马上办 监管 Monitor"
    CSS = """
    #summary { height: 1; padding: 0 1; background: $primary-darken-2; }
    #tables { height: 1fr; }
    #queues { width: 3fr; }
    #windows { width: 2fr; }
    #alarms-box { height: auto; max-height: 40%; border: round $error; padding: 0 1; }
    """
    BINDINGS = [("q", "quit", "退出 Quit")]

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
        self.query_one("#alarms-box").border_title = "告警 Alarms"
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
        error = f"数据库出错 database trouble: {printable(message.error)}"
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
