"""Driving the display board with Textual's Pilot: a board on a fixed clock with a fake voice.

The board reads the database in a thread worker and speaks in another thread, so tests wait
for what they expect with :func:`tests.support.kiosk_pilot.until` instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import Engine

from board.app import BoardApp, BoardSettings, create_app
from board.bigcall import BigCall
from tests.conftest import NOW


class FakeVoice:
    """A voice engine that writes down what it was asked to say."""

    name = "fake"

    def __init__(self) -> None:
        self.said: list[str] = []
        self._lock = threading.Lock()

    def speak(self, text: str) -> None:
        with self._lock:
            self.said.append(text)


def board(
    engine: Engine,
    *,
    voice: FakeVoice | None = None,
    at: dt.datetime = NOW,
    **settings: Any,
) -> BoardApp:
    """A board on this database, its clock stopped at ``at``, speaking into ``voice``."""
    settings.setdefault("poll_seconds", 0.1)
    settings.setdefault("chime", False)
    return create_app(
        BoardSettings(engine=engine, clock=lambda: at, voice=lambda: voice, **settings)
    )


def screen_text(app: BoardApp) -> str:
    """Everything on the screen as plain text, row by row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def newest(app: BoardApp) -> tuple[str, int, bool] | None:
    """The call shown large: number, window, recall."""
    call = app.query_one("#now", BigCall).call
    return (call.number, call.window, call.recall) if call else None
