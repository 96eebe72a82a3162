"""The kiosk's staff side and its unattended safety, driven by Textual's Pilot.

F12 and a clerk PIN open the staff menu (printer status, paper warnings, reprint, quit); a wrong
PIN is refused and logged; the usual quit keys and the command palette do nothing; a ticket
whose printer is out of paper stays on screen and staff reprint it once the paper is back.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from kiosk.screens import StartScreen
from kiosk.staff import StaffMenuScreen, StaffPinScreen
from printer.spooler import list_jobs
from tests.conftest import PIN
from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakePrinter
from tests.support.kiosk_pilot import (
    connected,
    drive,
    events,
    kiosk,
    kiosk_prints_on,
    on_screen,
    printed,
    shown,
    shows,
    staff_login,
    tap,
    until,
    walk_in,
)


def test_paper_out_keeps_the_number_on_screen_and_staff_reprint_it(lite) -> None:
    with FakePrinter() as printer:
        kiosk_prints_on(lite, printer)
        printer.paper = "out"
        app = kiosk(lite, kiosk_id="K1")

        async def scenario(pilot: Pilot[None]) -> None:
            screen = await walk_in(pilot, "M")
            assert await printed(pilot, screen) == "failed"
            assert shown(pilot, "#print-state").startswith("打印失败，请记下号码或拍照")
            assert "M001" in shown(pilot, "#zone") and "█" in shown(pilot, "#number")
            job = list_jobs(lite)[0]
            assert (job.number, job.state, job.reprint) == ("M001", "failed", False)
            assert "paper out" in job.last_error
            printer.paper = "ok"
            await staff_login(pilot, "1001", PIN)
            await on_screen(pilot, StaffMenuScreen)
            await tap(pilot, "#staff-printer")
            await shows(pilot, "#staff-output", "kiosk-net: 就绪 / ready")
            await tap(pilot, "#staff-warnings")
            warnings = await shows(pilot, "#staff-output", "kiosk-net: ")
            assert "paper out" in warnings
            await tap(pilot, "#staff-reprint")
            await shows(pilot, "#staff-output", "M001 补打 REPRINT → kiosk-net: done")

        drive(app, scenario)
        lines = [line.text for line in decode(printer.printed()).lines]
    assert lines[0] == "补打 REPRINT" and lines.count("M001") == 1
    newest = list_jobs(lite)[0]
    assert (newest.number, newest.state, newest.reprint) == ("M001", "done", True)


def test_staff_menu_with_the_right_pin_shows_the_printer_and_quits(lite) -> None:
    app = kiosk(lite, kiosk_id="K1")

    async def scenario(pilot: Pilot[None]) -> None:
        await staff_login(pilot, "1001", PIN)
        await on_screen(pilot, StaffMenuScreen)
        await tap(pilot, "#staff-reprint")
        await shows(pilot, "#staff-output", "还没有出过票")
        await tap(pilot, "#staff-printer")
        output = await shows(pilot, "#staff-output", "kiosk-preview: ")
        # The preview printer says what it is (it used to read "status unknown (no reply)").
        assert output == (
            "kiosk-preview: 预览打印机：不出纸，票面显示在屏幕上 / "
            "preview printer — on screen, no paper"
        )
        await tap(pilot, "#staff-quit")
        await until(pilot, lambda: not app.is_running, "the app to exit")

    drive(app, scenario)
    assert app.return_code == 0
    assert events(lite, "staff_unlocked") == [{"place": "kiosk K1", "clerk": "1001"}]


def test_a_staff_menu_left_open_closes_itself(lite) -> None:
    """The kiosk is unattended: a staff menu left open goes back to the start screen."""
    app = kiosk(lite, idle_seconds=2)  # time enough to type the PIN, even on a busy machine

    async def scenario(pilot: Pilot[None]) -> None:
        await walk_in(pilot, "A")
        await staff_login(pilot, "1001", PIN)
        await on_screen(pilot, StaffMenuScreen)
        await on_screen(pilot, StartScreen)
        assert len(app.screen_stack) == 1

    drive(app, scenario)


def test_a_pin_dialog_left_open_closes_itself(lite) -> None:
    """F12 pressed and walked away from: the citizen gets the start screen back."""
    app = kiosk(lite, idle_seconds=1)

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        await pilot.press("f12")
        await on_screen(pilot, StaffPinScreen)
        await on_screen(pilot, StartScreen)

    drive(app, scenario)


@pytest.mark.parametrize("clerk", ["1001", "9999"])
def test_a_wrong_pin_is_refused_and_logged(lite, clerk) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await staff_login(pilot, clerk, "1357")
        await shows(pilot, "#staff-error", "工号或密码错误\nwrong clerk number or PIN")
        assert isinstance(app.screen, StaffPinScreen)
        assert app.screen.query_one("#pin").value == ""  # type: ignore[attr-defined]
        await tap(pilot, "#staff-cancel")
        await on_screen(pilot, StartScreen)

    drive(app, scenario)
    assert events(lite, "staff_denied") == [{"place": "kiosk", "clerk": clerk}]
    assert events(lite, "staff_unlocked") == []


def test_quit_keys_and_the_command_palette_do_nothing(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-A", "人等候")
        for key in ("ctrl+q", "ctrl+c", "escape", "ctrl+p"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.is_running, key
            assert [type(s) for s in app.screen_stack] == [StartScreen], key
            assert not any(isinstance(s, CommandPalette) for s in app.screen_stack), key
        await pilot.press("f12")  # the staff key still works
        await on_screen(pilot, StaffPinScreen)
        await pilot.press("f12")  # and does not stack a second PIN dialog
        assert len(app.screen_stack) == 2

    drive(app, scenario)
