"""The rating pad (好差评): a small touch screen facing the citizen at one window.

It waits until the window finishes a ticket, asks "请为 M023 的服务评价" with five large
buttons, asks for a reason (buttons, no typing) after 不满意 or 非常不满意, thanks the citizen,
and goes back to waiting. It runs unattended like the kiosk: no key quits it; staff press F12
and a clerk number and PIN. Every database call runs in a thread worker.

``python -m ratepad [--db URL] --window N`` is the same as ``mashangban rate``.
"""

from __future__ import annotations

import datetime as dt

from textual.screen import Screen

from appkit.database import app_engine
from appkit.unattended import UnattendedApp
from models.text import ratepad
from ratepad.screens import PadScreen, StaffQuitScreen
from ratepad.settings import RatePadSettings


class RatePadApp(UnattendedApp[None]):
    """The rating pad. Create it with :func:`create_app`.

    Unattended: the usual quit keys do nothing; F12 asks for a staff PIN, which quits.
    """

    TITLE = ratepad.line("app_title")
    CSS_PATH = "ratepad.tcss"

    def __init__(self, settings: RatePadSettings) -> None:
        super().__init__()
        self.settings = settings
        self.engine = app_engine(settings.engine, settings.db)

    def get_default_screen(self) -> Screen[None]:
        return PadScreen(self.settings, self.engine)

    def now(self) -> dt.datetime:
        """The pad's clock (fixed in tests and snapshots)."""
        return self.settings.clock()

    def staff_screen(self) -> StaffQuitScreen:
        return StaffQuitScreen(
            engine=self.engine,
            place=f"ratepad {self.settings.window}",
            idle_seconds=self.settings.idle_seconds,
        )

    def staff_unlocked(self, unlocked: bool | None) -> None:
        if unlocked:
            self.exit()


def create_app(settings: RatePadSettings) -> RatePadApp:
    """The rating pad for these settings (the snapshot tests use this too)."""
    return RatePadApp(settings)
