"""The PIN lockout where clerks type their PINs: the kiosk's staff menu (F12), the rating pad's
F12 quit, and the counter's login form — each driven by Textual's Pilot.

The attack: the staff menu took guesses as fast as they could be typed, from any clerk
number, and the right PIN still opened it after hundreds of wrong ones.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from counter.login import LoginScreen
from kiosk.staff import StaffMenuScreen, StaffPinScreen
from ratepad.screens import StaffQuitScreen
from tests.apps.test_ratepad import pad
from tests.conftest import PIN, open_window
from tests.support import counter_pilot
from tests.support.kiosk_pilot import (
    connected,
    drive,
    events,
    kiosk,
    on_screen,
    shown,
    shows,
    tap,
    until,
)

WRONG = "000000"


async def try_pin(pilot: Pilot[Any], clerk: str, pin: str, submit: str) -> None:
    """Clear the form and its last answer, type a clerk number and PIN, submit."""
    screen = pilot.app.screen
    screen.query_one("#clerk", Input).value = ""
    screen.query_one("#staff-error", Static).update("")
    await tap(pilot, "#clerk")
    await pilot.press(*clerk, "enter", *pin)
    await tap(pilot, submit)


def test_the_kiosk_staff_menu_locks_after_five_wrong_pins_whatever_the_number(lite) -> None:
    app = kiosk(lite, kiosk_id="K1")

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        await pilot.press("f12")
        await on_screen(pilot, StaffPinScreen)
        for clerk in ("1001", "1002", "9999", "1003"):
            await try_pin(pilot, clerk, WRONG, "#staff-ok")
            await shows(pilot, "#staff-error", "工号或密码错误")
        await try_pin(pilot, "8888", WRONG, "#staff-ok")
        text = await shows(pilot, "#staff-error", "密码错误次数过多")
        assert "取号机 K1" in text and "kiosk K1: too many wrong PINs, locked until" in text
        # The right clerk number and PIN: still refused, saying until when.
        await try_pin(pilot, "1001", PIN, "#staff-ok")
        text = await shows(pilot, "#staff-error", "已锁定至")
        assert "ask a supervisor to unlock it" in text
        assert isinstance(app.screen, StaffPinScreen)
        assert not any(isinstance(s, StaffMenuScreen) for s in app.screen_stack)

    drive(app, scenario)
    assert len(events(lite, "staff_denied")) == 5
    assert events(lite, "staff_unlocked") == []
    (lock,) = events(lite, "pin_locked")
    assert (lock["kind"], lock["name"], lock["minutes"]) == ("place", "kiosk K1", 1)


def test_the_rating_pad_quit_locks_after_five_wrong_pins(engine) -> None:
    open_window(engine, 18)
    app = pad(engine)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.is_running, "the pad")
        await pilot.press("f12")
        await on_screen(pilot, StaffQuitScreen)
        for _ in range(4):
            await try_pin(pilot, "1002", WRONG, "#staff-quit")
            await shows(pilot, "#staff-error", "wrong clerk number or PIN")
        await try_pin(pilot, "1002", WRONG, "#staff-quit")
        await shows(pilot, "#staff-error", "已锁定至")
        await try_pin(pilot, "1002", PIN, "#staff-quit")
        text = await shows(pilot, "#staff-error", "已锁定至")
        assert "工号 1002" in text and "clerk 1002: too many wrong PINs" in text
        await pilot.app.workers.wait_for_complete()  # the PIN's check has ended
        await pilot.pause()
        assert app.is_running  # the right PIN did not quit the pad

    drive(app, scenario)


def test_the_counter_login_form_says_until_when(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        for n in range(1, 6):
            await pilot.press(*WRONG, "enter")
            await until(pilot, lambda n=n: len(events(engine, "login_failed")) == n, "a refusal")
            await until(pilot, lambda: not pilot.app.screen.query_one("#submit").disabled, "")
        text = await shows(pilot, "#login-error", "已锁定至")
        assert "locked until" in text
        pilot.app.screen.query_one("#login-error", Static).update("")
        await pilot.press(*PIN, "enter")  # the right PIN, while locked
        text = await shows(pilot, "#login-error", "已锁定至")
        assert "工号 1001" in text and "clerk 1001" in text
        assert isinstance(pilot.app.screen, LoginScreen)
        assert shown(pilot, "#login-error")

    counter_pilot.drive(counter_pilot.counter(engine), scenario)
