"""``mashangban status`` and the monitor's hall at a glance: what each queue issued, and each
window's state and pause in words, as a hall manager reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app, output
from models.clerks.staff import logout, pause
from models.queue.calling import call_next
from models.queue.serving import transfer
from models.queue.tickets import take_ticket
from models.reports.report import issued_per
from models.views.status import WindowState, hall_status
from monitor.app import _window_state
from tests.conftest import NOW, open_window

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    monkeypatch.setattr(output.console, "width", 200)  # whole cells on one line, to read back


def status_out(db: str) -> str:
    result = runner.invoke(app, ["--db", db, "status"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def row_of(out: str, start: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(start))


def window(engine: Engine, number: int) -> WindowState:
    return next(w for w in hall_status(engine, now=NOW).windows if w.number == number)


def test_issued_counts_a_transferred_citizen_once_in_the_zone_first_taken(
    db_url: str, engine: Engine
) -> None:
    take_ticket(engine, queue="M", now=NOW)  # M001
    take_ticket(engine, queue="C", now=NOW)  # C001
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    transfer(engine, window=18, to_queue="C", now=NOW)  # M001 now waits in C (C002 skipped)
    take_ticket(engine, queue="C", now=NOW)  # C003
    issued = {q.prefix: q.issued for q in hall_status(engine, now=NOW).queues}
    assert (issued["M"], issued["C"]) == (1, 2)  # three citizens, as the report counts them
    assert sum(issued.values()) == sum(
        n for _, n in issued_per(engine, start=NOW.date(), end=NOW.date(), unit="day")
    )
    out = status_out(db_url)
    assert row_of(out, "C 民生事务").split()[2:4] == ["3", "2"]  # 3 waiting, 2 issued here
    assert row_of(out, "M 马上办").split()[2:4] == ["0", "1"]


def test_status_says_a_pause_reason_in_words(db_url: str, engine: Engine) -> None:
    open_window(engine, 18)
    pause(engine, window=18, reason="meeting", now=NOW)
    eighteen = row_of(status_out(db_url), "18 ")
    assert "暂停（会议） paused (meeting)" in eighteen
    assert "（meeting）" not in eighteen
    result = runner.invoke(app, ["--db", db_url, "call", "--window", "18"])
    assert result.exit_code != 0 and "18 号窗口暂停中（会议）" in result.stderr + result.stdout
    assert "window 18 is paused (meeting)" in result.stderr + result.stdout


def test_a_window_paused_with_a_citizen_at_it_says_it_calls_nobody_after(
    db_url: str, engine: Engine
) -> None:
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    pause(engine, window=18, reason="break", now=NOW + dt.timedelta(minutes=1))
    shown = window(engine, 18)
    assert (shown.state, shown.ticket, shown.pause_reason) == ("called", "M001", "break")
    eighteen = row_of(status_out(db_url), "18 ")
    assert "已叫号，之后暂停（休息） called, then paused (break)" in eighteen and "M001" in eighteen
    monitor_text = _window_state(
        shown, dt.datetime.fromisoformat(shown.since or "") + dt.timedelta(minutes=2)
    ).plain
    assert monitor_text == "已叫号 M001 · 2 分 · 之后暂停：休息"


def test_a_window_left_paused_at_logout_shows_closed(db_url: str, engine: Engine) -> None:
    open_window(engine, 18)
    pause(engine, window=18, reason="meeting", now=NOW)
    logout(engine, window=18)
    shown = window(engine, 18)
    assert (shown.state, shown.pause_reason, shown.since) == ("closed", None, None)
    eighteen = row_of(status_out(db_url), "18 ")
    assert "未开 closed" in eighteen and "暂停" not in eighteen
