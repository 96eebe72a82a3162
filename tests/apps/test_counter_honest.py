"""Honest counts at the counter, at 80×24: a citizen is served only when the clerk said they
came, the rating pad asks the served citizen before the next is called, a no-show leaves the
board, leaving the window asks about its citizen, dimmed keys open nothing.

Each test drives the counter with Pilot as a clerk would (keys), the board and the rating pad
through the core or their own Pilot; waits poll, never sleep a fixed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from textual.pilot import Pilot

from counter.asks import CameDialog, QuitDialog
from counter.desk import DeskScreen
from counter.dialogs import PauseDialog
from counter.login import LoginScreen
from models.db import make_engine, reading
from models.queue.calling import call_next
from models.queue.serving import mark_no_show, requeue
from models.queue.tickets import take_ticket
from models.reports.report import report
from models.supervision.ratings import ratable_ticket, rate
from models.tables import Ticket
from models.views.window import window_view
from tests.conftest import NOW, open_window
from tests.support.board_pilot import board, newest, screen_text
from tests.support.counter_pilot import counter, drive, log_in, press, shown, shows, the_desk
from tests.support.kiosk_pilot import on_screen, until

SIZE = (80, 24)


def take(engine: Engine, *queues: str) -> None:
    for queue in queues:
        take_ticket(engine, queue=queue, now=NOW)


def stored(engine: Engine, number: str) -> Ticket:
    with reading(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        session.expunge(ticket)
        return ticket


# ---- came / did not come ---------------------------------------------------------------------


def test_next_on_a_called_citizen_who_did_not_come_is_a_no_show_not_served(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")  # M001 called, never started
        await pilot.press("n")
        dialog = await on_screen(pilot, CameDialog)
        assert "M001" in shown(pilot, ".dialog-title") and "did the citizen come" in shown(
            pilot, ".dialog-title"
        )
        message = await press(pilot, "m")  # did not come
        assert not dialog.is_attached
        assert "M001 过号" in message and "已呼叫 M002" in message
        assert stored(engine, "M001").status == "missed"
        today = shown(pilot, "#today")
        assert "办结 served 0" in today and "过号 no-shows 1" in today

    drive(counter(engine), scenario, SIZE)
    total = report(engine, start=NOW.date(), end=NOW.date(), now=NOW).total
    assert (total.served, total.no_shows) == (0, 1)


def test_finish_on_a_called_citizen_asks_and_came_is_served(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        assert "M001 已办结" in await press(pilot, "f", "s")  # s: came
        assert "办结 served 1" in shown(pilot, "#today")
        await press(pilot, "n")
        assert "M002 过号" in await press(pilot, "f", "m")  # m: did not come
        today = shown(pilot, "#today")
        assert "办结 served 1" in today and "过号 no-shows 1" in today
        # Esc goes back: nothing done, and the next key reaches the desk.
        take(engine, "M")
        await press(pilot, "n")
        await pilot.press("f")
        await on_screen(pilot, CameDialog)
        await pilot.press("escape")
        await on_screen(pilot, DeskScreen)
        assert stored(engine, "M003").status == "called"
        assert "M003 开始办理" in await press(pilot, "s")

    drive(counter(engine), scenario, SIZE)


def test_a_started_citizen_is_finished_without_a_question(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await press(pilot, "s")
        assert "已呼叫 M002" in await press(pilot, "n")
        assert stored(engine, "M001").status == "done"

    drive(counter(engine), scenario, SIZE)


def test_a_miss_that_voids_a_green_ticket_at_another_window_is_said(engine) -> None:
    take_ticket(engine, queue="M", priority="green", now=NOW)
    open_window(engine, 19, clerk="1002")
    call_next(engine, window=19, now=NOW)
    mark_no_show(engine, window=19, now=NOW)  # first miss at window 19
    requeue(engine, number="M001", now=NOW)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        message = await press(pilot, "m")  # the second miss, here at window 18
        assert "M001 第 2 次过号，已作废" in message and "void" in message
        assert the_desk(pilot).query_one("#message").has_class("message-warning")
        assert stored(engine, "M001").status == "void"

    drive(counter(engine), scenario, SIZE)


# ---- the rating reaches the served citizen ---------------------------------------------------


def test_next_after_service_waits_for_the_rating_then_calls(engine) -> None:
    take(engine, "M", "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        await press(pilot, "n")
        await press(pilot, "s")
        message = await press(pilot, "n")  # M001 served: finish, the pad asks
        assert "M001 已办结，请市民评价" in message and "n: now" in message
        assert desk.view.current is None and stored(engine, "M002").status == "waiting"
        asked = ratable_ticket(engine, window=18, now=NOW)
        assert asked is not None and asked.number == "M001"
        before = desk.actions_done
        await asyncio.to_thread(rate, engine, window=18, level=5, now=NOW)  # the citizen rates
        await until(pilot, lambda: desk.actions_done > before, "the call after the rating")
        await shows(pilot, "#message", "已呼叫 M002")
        assert "M001 已评价" in shown(pilot, "#message")
        # Served again; this time the clerk does not wait: n again calls at once.
        await press(pilot, "s")
        assert "请市民评价" in await press(pilot, "n")
        assert "已呼叫 M003" in await press(pilot, "n")
        assert ratable_ticket(engine, window=18, now=NOW) is None  # not the new citizen's

    drive(counter(engine, rating_wait_seconds=60), scenario, SIZE)


def test_an_unanswered_rating_calls_the_next_after_the_wait(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        await press(pilot, "n")
        await press(pilot, "s")
        before = desk.actions_done
        await press(pilot, "n")
        await until(pilot, lambda: desk.actions_done > before + 1, "the call after the wait")
        assert "已呼叫 M002" in shown(pilot, "#message")

    drive(counter(engine, rating_wait_seconds=0.5), scenario, SIZE)


# ---- the board ---------------------------------------------------------------------------------


def test_a_no_show_leaves_the_boards_big_line(engine) -> None:
    take(engine, "M", "M")
    shown_board = board(engine)
    desk_app = counter(engine)

    async def main() -> None:
        async with desk_app.run_test(size=SIZE) as clerk, shown_board.run_test(size=SIZE) as tv:
            await log_in(clerk)
            await press(clerk, "n")
            await until(tv, lambda: newest(shown_board) == ("M001", 18, False), "M001 called")
            await press(clerk, "m")  # M001 did not come
            await until(tv, lambda: newest(shown_board) is None, "M001 off the big line")
            assert "M001" in screen_text(shown_board)  # on the missed line
            await press(clerk, "n")
            await until(tv, lambda: newest(shown_board) == ("M002", 18, False), "M002 called")

    asyncio.run(main())


# ---- leaving the window ----------------------------------------------------------------------


def test_ctrl_q_asks_in_both_languages_n_stays_y_quits(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("ctrl+q")
        await on_screen(pilot, QuitDialog)
        assert "退出柜台？ Quit the counter?" in shown(pilot, ".dialog-title")
        await pilot.press("n")
        await on_screen(pilot, DeskScreen)
        await pilot.press("ctrl+c")
        await on_screen(pilot, QuitDialog)
        await pilot.press("escape")
        await on_screen(pilot, DeskScreen)
        await pilot.press("ctrl+c")
        await on_screen(pilot, QuitDialog)
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the counter quits")

    app = counter(engine)
    drive(app, scenario, SIZE)


def test_quitting_with_a_called_citizen_puts_them_back_first_in_line(engine) -> None:
    take(engine, "M", "M")
    app = counter(engine)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("ctrl+c")
        await on_screen(pilot, QuitDialog)
        warn = shown(pilot, ".ask-warn")
        assert "M001 已叫号" in warn and "M001 has been called" in warn
        await pilot.press("r")
        await until(pilot, lambda: not app.is_running, "the counter quits")

    drive(app, scenario, SIZE)
    assert stored(engine, "M001").status == "waiting"
    assert window_view(engine, window=18, now=NOW).queues[0].next[:2] == ["M001", "M002"]


def test_quitting_with_a_called_citizen_can_mark_a_no_show(engine) -> None:
    take(engine, "M")
    app = counter(engine)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("ctrl+q")
        await on_screen(pilot, QuitDialog)
        await pilot.press("m")
        await until(pilot, lambda: not app.is_running, "the counter quits")

    drive(app, scenario, SIZE)
    assert stored(engine, "M001").status == "missed"


def test_logging_out_while_serving_asks_and_keep_leaves_the_citizen_at_the_window(
    engine,
) -> None:
    take(engine, "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await press(pilot, "s")
        await pilot.press("l")
        await on_screen(pilot, QuitDialog)
        assert "签退？ Log out?" in shown(pilot, ".dialog-title")
        assert "M001 正在办理" in shown(pilot, ".ask-warn")
        await pilot.press("m")  # no no-show for a citizen being served: nothing happens
        assert isinstance(pilot.app.screen, QuitDialog)
        await pilot.press("k")
        await on_screen(pilot, LoginScreen)

    drive(counter(engine), scenario, SIZE)
    assert stored(engine, "M001").status == "serving"
    assert window_view(engine, window=18, now=NOW).clerk is None


def test_quit_on_the_login_screen_asks_too(engine) -> None:
    app = counter(engine)

    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+c")
        await on_screen(pilot, QuitDialog)
        await pilot.press("n")
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+q")
        await on_screen(pilot, QuitDialog)
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the counter quits")

    drive(app, scenario, SIZE)


# ---- dimmed keys, a pause ---------------------------------------------------------------------


def test_dimmed_call_and_requeue_keys_open_nothing_and_swallow_no_keys(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("q")  # nothing missed: dimmed
        await shows(pilot, "#message", "没有可重排的过号")
        assert isinstance(pilot.app.screen, DeskScreen)  # no dialog opened
        assert "已呼叫 M001" in await press(pilot, "n")  # the next key is the desk's
        await pilot.press("c")  # a citizen at the window: dimmed
        await shows(pilot, "#message", "M001 还在窗口")
        assert "开始办理" in await press(pilot, "s")

    drive(counter(engine), scenario, SIZE)


def test_a_paused_desk_says_how_to_resume_in_both_languages(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("p")
        await on_screen(pilot, PauseDialog)
        await pilot.press("down")
        message = await press(pilot, "enter")  # meeting, the second reason
        assert "已暂停：会议 Paused: meeting" in message
        top = shown(pilot, "#top")
        assert "暂停中：会议" in top and "Paused: meeting" in top and "Paused: 会议" not in top
        current = shown(pilot, "#current")
        assert "按 p 恢复叫号" in current and "press p to resume" in current
        assert "按 n 叫下一位" not in current
        await pilot.press("c")
        await shows(pilot, "#message", "按 p 恢复叫号")

    drive(counter(engine), scenario, SIZE)


# ---- snapshots at 80×24 -----------------------------------------------------------------------


@pytest.fixture
def hall(sqlite_url: str) -> Iterator[Engine]:
    """Window 18 (马上办) with two walk-ins waiting."""
    engine = make_engine(sqlite_url)
    take(engine, "M", "M")
    yield engine
    engine.dispose()


def test_snapshot_the_came_question(snap_compare, hall) -> None:
    async def asked(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("n")
        await on_screen(pilot, CameDialog)

    app = counter(hall, poll_seconds=3600)
    assert snap_compare(app, terminal_size=SIZE, run_before=asked)


def test_snapshot_the_quit_dialog_with_a_called_citizen(snap_compare, hall) -> None:
    async def asked(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("ctrl+q")
        await on_screen(pilot, QuitDialog)

    app = counter(hall, poll_seconds=3600)
    assert snap_compare(app, terminal_size=SIZE, run_before=asked)
