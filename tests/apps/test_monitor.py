"""The manager's monitor: the alarms counted by hand, and the app live within a second.

The limits come from the default hall file (read, not assumed, where a figure depends on them):
queue M lets a citizen wait 30 minutes, item M05 takes 5; case D01 promises 5 working days.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlmodel import select
from textual.pilot import Pilot

from models.clerks.staff import pause
from models.db import reading, writing
from models.lookup import get_item, get_queue
from models.queue.calling import call_next
from models.queue.serving import finish, start
from models.queue.tickets import take_ticket
from models.tables import Rating, Ticket
from models.views.monitor import monitor_state
from monitor.app import MonitorApp, MonitorSettings, create_app
from tests.conftest import CST, NOW, open_window
from tests.support.counter_pilot import Clock, shown, shows
from tests.support.kiosk_pilot import until

MIN = dt.timedelta(minutes=1)


def limits(engine) -> tuple[int, int]:
    with reading(engine) as session:
        return get_queue(session, "M").wait_limit_minutes, get_item(session, "M05").service_minutes


def test_waits_and_services_past_their_limits_raise_alarms(engine) -> None:
    wait_limit, service_limit = limits(engine)
    take_ticket(engine, queue="M", now=NOW)  # M001: will wait too long
    take_ticket(engine, item="M05", now=NOW + 10 * MIN)  # M002: called and served too long
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW + 11 * MIN)  # takes M001 (waited 11)
    start(engine, window=18, now=NOW + 11 * MIN)
    finish(engine, window=18, now=NOW + 12 * MIN)
    take_ticket(engine, queue="M", now=NOW + 12 * MIN)  # M003 waits from 10:12
    call_next(engine, window=18, now=NOW + 13 * MIN)  # M002
    start(engine, window=18, now=NOW + 13 * MIN)
    at = NOW + (12 + wait_limit + 3) * MIN  # M003 has waited limit + 3
    state = monitor_state(engine, now=at)
    kinds = {(a.kind, a.subject): a.minutes for a in state.alarms}
    assert kinds[("wait", "M003")] == 3
    served = (at - (NOW + 13 * MIN)) // MIN  # M002 in service since 10:13
    assert kinds[("service", "M002")] == served - service_limit
    assert len(state.alarms) == 2
    assert state.served_today == 1
    windows = {w.number: w for w in state.status.windows}
    assert windows[18].state == "serving" and windows[18].ticket == "M002"


def test_no_alarm_at_the_limit_itself(engine) -> None:
    wait_limit, _ = limits(engine)
    take_ticket(engine, queue="M", now=NOW)
    assert monitor_state(engine, now=NOW + wait_limit * MIN).alarms == []


def test_overdue_cases_and_bad_ratings_today_raise_alarms(engine) -> None:
    take_ticket(engine, item="D01", now=NOW)
    open_window(engine, 13)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)  # case promised 2026-12-02
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18, clerk="1002")
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    with writing(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == "M001")).one()
        session.add(
            Rating(ticket_id=ticket.id, window=18, level=1, reason="等候时间长", rated_at=NOW)
        )
    late = dt.datetime(2026, 12, 4, 9, 0, tzinfo=CST)
    at_late = {(a.kind, a.subject): a for a in monitor_state(engine, now=late).alarms}
    assert at_late[("case", "20261125-0001")].minutes == 2  # two days past 12-02
    same_day = {(a.kind, a.subject): a for a in monitor_state(engine, now=NOW + MIN).alarms}
    assert "等候时间长" in same_day[("rating", "M001")].detail
    assert ("case", "20261125-0001") not in same_day
    assert monitor_state(engine, now=NOW + MIN).bad_today == 1


def monitor_app(engine, clock) -> MonitorApp:
    return create_app(MonitorSettings(engine=engine, clock=clock, poll_seconds=0.2))


def test_the_monitor_shows_changes_within_a_second_and_its_alarms(engine) -> None:
    clock = Clock()
    open_window(engine, 18)
    pause(engine, window=18, reason="meeting", now=NOW)

    async def main() -> None:
        async with monitor_app(engine, clock).run_test(size=(140, 40)) as pilot:
            await shows(pilot, "#window-table", "暂停：会议")
            await shows(pilot, "#alarms", "无告警")
            take_ticket(engine, queue="M", now=NOW)
            await shows(pilot, "#summary", "等候 waiting 1", timeout=2.0)
            clock.advance(minutes=45)  # past M's 30-minute limit; the monitor re-reads alone
            text = await shows(pilot, "#alarms", "超时等候", timeout=11)
            assert "M001" in text
            assert "告警 alarms 1" in shown(pilot, "#summary")

    asyncio.run(main())


async def _settle(pilot: Pilot[None]) -> None:
    await shows(pilot, "#alarms", "M001")


def busy_morning(engine) -> None:
    """M001 waits past its limit; A001 at window 1 (王芳); window 18 (李明) on a break."""
    take_ticket(engine, queue="M", now=NOW - 45 * MIN)
    take_ticket(engine, queue="A", now=NOW - 5 * MIN)
    open_window(engine, 1)
    open_window(engine, 18, clerk="1002")
    call_next(engine, window=1, now=NOW)
    pause(engine, window=18, reason="break", now=NOW - 7 * MIN)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_monitor_snapshot(snap_compare, lite, size) -> None:
    busy_morning(lite)
    app = monitor_app(lite, Clock())
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def screen_rows(app: MonitorApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def test_at_80x24_every_column_shows_and_each_window_names_its_clerk(lite) -> None:
    busy_morning(lite)
    app = monitor_app(lite, Clock())

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(pilot)
            await pilot.pause()
            rows = screen_rows(app)
            text = "\n".join(rows)
            # Every column has a heading on screen (they used to be squeezed to nothing).
            for heading in ("等候", "已取", "最长/限", "下一个", "窗", "业务", "工作人员", "状态"):
                assert f" {heading} " in text, heading
            # A window's row: its number, what it serves, its clerk by number and name, its state.
            one = next(row for row in rows if row.lstrip().startswith("1 "))
            assert "不动产登记 A" in one and "1001 王芳" in one and "已叫号 A001" in one
            eighteen = next(row for row in rows if row.lstrip().startswith("18 "))
            assert "1002 李明" in eighteen and "暂停：休息" in eighteen
            # Queue M: its name, its figures and its next number on one row, nothing cut.
            m_row = next(row for row in rows if row.lstrip().startswith("M 马上办"))
            assert m_row.split()[2:6] == ["1", "1", "45/30", "M001"]
            assert "…" not in text
            # The closed windows in one line, and the alarms still on screen.
            assert "未开 closed: 2–17 19–21" in text
            assert "超时等候" in text

    asyncio.run(main())


def test_ctrl_c_quits_the_monitor_without_an_english_only_note(lite) -> None:
    app = monitor_app(lite, Clock())

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, "#alarms", "无告警")
            await pilot.press("ctrl+c")
            await until(pilot, lambda: not app.is_running, "the monitor to quit")
            assert not app._notifications  # Textual's "Press ctrl+q to quit the app" is gone

    asyncio.run(main())


def test_at_80x24_with_many_alarms_the_windows_are_a_page_down_away(lite) -> None:
    busy_morning(lite)
    for queue in "BCDEM":  # five more citizens, waiting 70 minutes (past every limit but E's 90)
        take_ticket(lite, queue=queue, now=NOW - 70 * MIN)
    app = monitor_app(lite, Clock())

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, "#alarms", "D001")
            await pilot.pause()
            assert not any("1002 李明" in row for row in screen_rows(app))  # below the fold
            await pilot.press("pagedown")  # the tables have the focus from the start
            await until(
                pilot,
                lambda: any("1002 李明" in row for row in screen_rows(app)),
                "window 18's row on screen",
            )
            assert any("超时等候" in row for row in screen_rows(app))  # the alarms stay put

    asyncio.run(main())
