"""The counter's login when keys come in one burst (a badge scanner, a fast typist, a paste of
keys over a slow link): the Tab or Enter between the clerk number and the PIN must move on
before the PIN's digits arrive, so the PIN lands in its masked field, never in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from counter.desk import DeskScreen
from counter.login import LoginScreen
from tests.conftest import PIN
from tests.support.counter_pilot import counter, drive
from tests.support.kiosk_pilot import on_screen


def burst(field: Input, keys: list[str]) -> None:
    """Queue every key on the field at once, as the app does when they are read in one go."""
    for key in keys:
        field.post_message(events.Key(key, key if len(key) == 1 else None))


@pytest.mark.parametrize("between", ["tab", "enter"])
def test_a_burst_of_clerk_number_and_pin_logs_in(engine: Engine, between: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_screen(pilot, LoginScreen)
        clerk = screen.query_one("#clerk", Input)
        assert screen.focused is clerk
        burst(clerk, [*"1001", between, *PIN, "enter"])
        await on_screen(pilot, DeskScreen)  # logged in: the PIN was the PIN field's

    drive(counter(engine, clerk=None), scenario)


def test_the_burst_never_shows_the_pin_in_the_clerk_field(engine: Engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_screen(pilot, LoginScreen)
        clerk, pin = screen.query_one("#clerk", Input), screen.query_one("#pin", Input)
        burst(clerk, [*"1001", "tab", *PIN])
        await pilot.pause()
        await pilot.pause()
        assert (clerk.value, pin.value) == ("1001", PIN)
        assert screen.focused is pin

    drive(counter(engine, clerk=None), scenario)
