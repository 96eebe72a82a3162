"""What the citizen sees on the rating pad: the question about a finished ticket at 80×24.

Everything on screen is fixed: the clock (NOW), the database (the template hall, one ticket
served here). Update the SVG under tests/apps/__snapshots__/ with
``pytest tests/apps/test_ratepad_snapshots.py --snapshot-update`` and look at it before committing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from models.db import make_engine
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from ratepad.app import RatePadSettings, create_app
from ratepad.screens import PadScreen
from tests.conftest import NOW, open_window
from tests.support.kiosk_pilot import until


@pytest.fixture
def hall(sqlite_url: str) -> Iterator[Engine]:
    """Window 18 has just finished M001 (an instant 马上办 item)."""
    engine = make_engine(sqlite_url)
    open_window(engine, 18)
    take_ticket(engine, item="M05", now=NOW)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    yield engine
    engine.dispose()


def test_the_question(snap_compare, hall) -> None:
    async def asked(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, PadScreen)
        await until(pilot, lambda: screen.pane == "asking", "the question")
        await pilot.pause()

    app = create_app(
        RatePadSettings(
            engine=hall, window=18, clock=lambda: NOW, poll_seconds=3600, idle_seconds=3600
        )
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=asked)
