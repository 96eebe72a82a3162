"""The rating pad as a citizen uses it, driven by Textual's Pilot on a fixed clock.

Taps on the five levels, the reason after a bad one, thanks, time-outs back to waiting, double
taps, refusals shown on the pad, the quit keys and F12. Waits poll for results, never sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Button

from models.db import reading
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.ratings import rate
from models.tables import Event, Rating, Rectification
from ratepad.app import RatePadApp, RatePadSettings, create_app
from ratepad.screens import PadScreen, StaffQuitScreen
from tests.conftest import NOW, PIN, open_window
from tests.support.kiosk_pilot import on_screen, polled, shown, tap, until
from tests.support.waiting import WAIT_S

SIZE = (100, 30)


def pad(engine: Engine, **settings: Any) -> RatePadApp:
    """A pad at window 18, clock stopped at NOW, polling fast."""
    values: dict[str, Any] = {"poll_seconds": 0.05, "thanks_seconds": 1.0, **settings}
    return create_app(RatePadSettings(engine=engine, window=18, clock=lambda: NOW, **values))


def drive(app: RatePadApp, scenario: Callable[[Pilot[None]], Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await scenario(pilot)

    asyncio.run(main())


def serve(engine: Engine, item: str | None = "M05") -> str:
    """A citizen served and finished at window 18: the number."""
    if item:
        take_ticket(engine, item=item, now=NOW)
    else:
        take_ticket(engine, queue="M", now=NOW)
    number = call_next(engine, window=18, now=NOW).number
    finish(engine, window=18, now=NOW)
    return number


def ratings(engine: Engine) -> list[tuple[int, str]]:
    with reading(engine) as session:
        rows = session.exec(select(Rating).order_by(col(Rating.id))).all()
        return [(r.level, r.reason) for r in rows]


async def pane(pilot: Pilot[Any], name: str, timeout: float = WAIT_S) -> PadScreen:
    """Wait until the pad shows this pane (waiting, asking, reasons or thanks)."""
    screen = await on_screen(pilot, PadScreen)
    await until(pilot, lambda: screen.pane == name, f"the {name} pane", timeout)
    await pilot.pause()
    return screen


@pytest.fixture
def hall(engine: Engine) -> Engine:
    open_window(engine, 18)
    return engine


def test_very_satisfied_thanks_and_waits_again(hall) -> None:
    serve(hall)  # M001, an instant item

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await pane(pilot, "asking")
        prompt = shown(pilot, "#prompt")
        assert "请为 M001 的服务评价" in prompt and "Please rate the service for M001" in prompt
        assert "抵押登记信息查询 Mortgage registration enquiry" in prompt
        assert "非常满意" in shown(pilot, "#level-5") and "satisfied" in shown(pilot, "#level-5")
        await tap(pilot, "#level-5")
        await pane(pilot, "thanks")
        thanks = shown(pilot, "#thanks")
        assert "谢谢您的评价" in thanks and "M001 · 非常满意 Very satisfied" in thanks
        assert "整改" not in thanks
        await pane(pilot, "waiting")
        await polled(pilot, screen.changes)  # the rated ticket is not asked about again
        assert screen.pane == "waiting"

    drive(pad(hall), scenario)
    assert ratings(hall) == [(5, "")]


def test_very_dissatisfied_asks_a_reason_and_opens_a_rectification(hall) -> None:
    serve(hall)

    async def scenario(pilot: Pilot[None]) -> None:
        await pane(pilot, "asking")
        await tap(pilot, "#level-1")
        await pane(pilot, "reasons")
        assert "非常不满意" in shown(pilot, "#reason-prompt")
        await tap(pilot, "#reason-back")  # changed their mind: the levels again
        await pane(pilot, "asking")
        await tap(pilot, "#level-2")
        await pane(pilot, "reasons")
        assert "等候时间长" in shown(pilot, "#reason-0") and "Attitude" in shown(pilot, "#reason-1")
        await tap(pilot, "#reason-1")  # 态度不好
        await pane(pilot, "thanks")
        thanks = shown(pilot, "#thanks")
        assert "15 个工作日内整改（2026-12-16 前）" in thanks and "by 2026-12-16" in thanks
        await pane(pilot, "waiting")

    drive(pad(hall), scenario)
    assert ratings(hall) == [(2, "态度不好")]
    with reading(hall) as session:
        [item] = session.exec(select(Rectification)).all()
    assert (item.reason, item.due_date, item.window) == ("态度不好", dt.date(2026, 12, 16), 18)


def test_nothing_to_rate_waits_and_a_finished_ticket_shows_up(hall) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await pane(pilot, "waiting")
        assert "欢迎评价" in shown(pilot, "#waiting")
        await polled(pilot, screen.changes)
        assert screen.pane == "waiting" and screen.asking is None
        await asyncio.to_thread(serve, hall, None)  # the clerk finishes M001 meanwhile
        await pane(pilot, "asking")
        assert "M001" in shown(pilot, "#prompt")

    drive(pad(hall), scenario)


def test_an_unanswered_question_times_out_and_is_not_asked_again(hall) -> None:
    serve(hall)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await pane(pilot, "asking")
        await pane(pilot, "waiting")  # nobody tapped within the idle time
        await polled(pilot, screen.changes)  # and the question is not asked again
        assert screen.pane == "waiting"
        # A reason screen left alone goes back to waiting too, and rates nothing.
        await asyncio.to_thread(serve, hall)
        await pane(pilot, "asking")
        assert "M002" in shown(pilot, "#prompt")
        await tap(pilot, "#level-1")
        await pane(pilot, "reasons")
        await pane(pilot, "waiting")

    # A short idle time in real seconds (the pad's own timer; tests/unit/test_idle.py has its
    # timing on a driven clock); the waits for it are WAIT_S long, so a busy machine only
    # makes the test slower (it had a 5 s deadline and failed once under load).
    drive(pad(hall, idle_seconds=1.5), scenario)
    assert ratings(hall) == []


def test_a_double_tap_is_one_rating(hall) -> None:
    serve(hall)
    serve(hall)  # M002: the one asked about

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await pane(pilot, "asking")
        # Three quick taps on different buttons, all before the first one is stored …
        for level in (4, 3, 5):
            screen.query_one(f"#level-{level}", Button).press()
        await pilot.click("#level-4")  # … and the same button twice
        await pane(pilot, "thanks")
        assert "M002 · 满意" in shown(pilot, "#thanks")
        await pane(pilot, "waiting")
        assert screen.ratings_sent == 1

    drive(pad(hall), scenario)
    assert ratings(hall) == [(4, "")]


def test_a_refusal_is_shown_on_the_pad(hall) -> None:
    serve(hall)

    async def scenario(pilot: Pilot[None]) -> None:
        await pane(pilot, "asking")
        # Rated meanwhile elsewhere; the pad has not polled again (its poll is an hour).
        await asyncio.to_thread(rate, hall, window=18, level=3, now=NOW)
        await tap(pilot, "#level-5")
        await until(pilot, lambda: "已经评价过了" in shown(pilot, "#message"), "the refusal")
        assert "already been rated" in shown(pilot, "#message")
        await pane(pilot, "waiting")

    drive(pad(hall, poll_seconds=3600), scenario)
    assert ratings(hall) == [(3, "")]


def test_quit_keys_do_nothing_and_staff_quit_with_f12_and_a_pin(hall) -> None:
    app = pad(hall)

    async def scenario(pilot: Pilot[None]) -> None:
        await pane(pilot, "waiting")
        for key in ("ctrl+q", "ctrl+c", "escape", "ctrl+p"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.is_running and [type(s) for s in app.screen_stack] == [PadScreen], key
        await pilot.press("f12")
        await on_screen(pilot, StaffQuitScreen)
        await tap(pilot, "#clerk")
        await pilot.press(*"1002", "enter", *"1357", "enter")
        await until(pilot, lambda: "wrong clerk number or PIN" in shown(pilot, "#staff-error"), "")
        await pilot.press(*PIN, "enter")
        await until(pilot, lambda: not app.is_running, "the pad to quit")

    drive(app, scenario)
    with reading(hall) as session:
        kinds = session.exec(
            select(Event.kind, Event.data).where(col(Event.kind).like("staff_%"))
        ).all()
    assert [(k, json.loads(d)["place"]) for k, d in kinds] == [
        ("staff_denied", "ratepad 18"),
        ("staff_unlocked", "ratepad 18"),
    ]


def test_the_rate_command_refuses_an_unknown_window(sqlite_url) -> None:
    from typer.testing import CliRunner

    from mashangban import app

    result = CliRunner().invoke(app, ["--db", sqlite_url, "rate", "--window", "99"])
    assert result.exit_code == 1 and "没有这个窗口：99" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_python_m_ratepad_is_the_same_command(sqlite_url) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ratepad", "--db", sqlite_url, "--window", "99"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "unknown window: 99" in done.stderr
