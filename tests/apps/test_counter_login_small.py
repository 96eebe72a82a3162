"""The counter's login at 80×24: a clerk locked out by wrong PINs reads the whole refusal, in
Chinese and in English, on the screen (not cut off below it)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Static

from counter.login import LoginScreen
from models.clerks import staff
from models.errors import Refused
from tests.conftest import PIN
from tests.support.counter_pilot import counter, drive, shows
from tests.support.kiosk_pilot import on_screen

WRONG = "000000"


def visible_text(pilot: Pilot[None]) -> str:
    """What the terminal shows, the box's borders dropped and wrapped lines joined."""
    strips = pilot.app.screen._compositor.render_strips()
    lines = (re.sub(r"[│╭╮╰╯─▔▁▊▎]", " ", strip.text).strip() for strip in strips)
    return re.sub(r"\s+", " ", " ".join(line for line in lines if line))


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_whole_lockout_message_is_on_screen(engine: Engine, size: tuple[int, int]) -> None:
    for _ in range(5):  # at the real clock: the app logs in at the real clock too
        with pytest.raises(Refused):
            staff.login(engine, window=18, clerk="1001", pin=WRONG)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_screen(pilot, LoginScreen)
        await pilot.press(*PIN, "enter")  # the right PIN: refused while locked
        await shows(pilot, "#login-error", "supervisor")
        await pilot.pause()
        error = screen.query_one("#login-error", Static)
        placed = screen.find_widget(error)
        assert placed.visible_region == placed.region  # not clipped by the screen's edge
        assert placed.region.bottom <= size[1]
        text = visible_text(pilot)
        assert "密码错误次数过多，已锁定至" in text and "请主管解锁" in text
        assert "clerk 1001: too many wrong PINs, locked until" in text
        assert "try again later or ask a supervisor to unlock it" in text

    drive(counter(engine, pin=None), scenario, size=size)
