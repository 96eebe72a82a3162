"""What the hall sees: the board at a small terminal's 80×24 and a TV's 160×45 and 200×50.

Everything on screen is fixed: the clock (NOW), the database (the template hall with calls,
a recall and a no-show made here, before the board starts, so nothing flashes), and the voice
(a fake engine). Update the SVGs under tests/apps/__snapshots__/ with
``pytest tests/apps/test_board_snapshots.py --snapshot-update`` and look at them before committing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from models.db import make_engine
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, recall
from models.queue.tickets import take_ticket
from tests.conftest import NOW, open_window
from tests.support.board_pilot import FakeVoice, board
from tests.support.kiosk_pilot import until

SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (160, 45), (200, 50)], ids=lambda size: f"{size[0]}x{size[1]}"
)


@pytest.fixture
def hall(sqlite_url: str) -> Iterator[Engine]:
    """A busy morning: nine calls at five windows, one no-show, one recall, tickets waiting."""
    engine = make_engine(sqlite_url)
    for queue in "MMMMMMAAABBCDF":
        take_ticket(engine, queue=queue, now=NOW)
    for window, clerk in ((18, "1001"), (19, "1002"), (1, "1003")):
        open_window(engine, window, clerk)
    call_next(engine, window=18, now=NOW)
    mark_no_show(engine, window=18, now=NOW)  # M001 过号
    for window in (18, 19, 1):
        call_next(engine, window=window, now=NOW)
        finish(engine, window=window, now=NOW)
    call_next(engine, window=1, now=NOW)
    call_next(engine, window=19, now=NOW)
    call_next(engine, window=18, now=NOW)
    recall(engine, window=18, now=NOW)  # the newest: M005 to window 18, again
    yield engine
    engine.dispose()


async def shown(pilot: Pilot[None]) -> None:
    app = pilot.app
    await until(pilot, lambda: getattr(app, "state", None), "the board's state")
    await pilot.pause()


@SIZES
def test_busy_board(snap_compare, hall, size) -> None:
    assert snap_compare(board(hall, voice=FakeVoice()), terminal_size=size, run_before=shown)


def test_zone_board(snap_compare, hall) -> None:
    app = board(hall, voice=FakeVoice(), queues=("A", "B"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown)


def test_empty_board(snap_compare, sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    try:
        app = board(engine, voice=FakeVoice(), mute=True)
        assert snap_compare(app, terminal_size=(80, 24), run_before=shown)
    finally:
        engine.dispose()
