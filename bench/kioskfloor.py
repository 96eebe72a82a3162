"""The kiosk benchmark's floors: minimal Textual apps, no database, no CSS file, no worker.

StartFloor is one Static (the cold start's floor). TapFloor is a start screen with one button,
#zone-M, whose press pushes a screen showing the next number in Statics (#number, #zone) with a
#done button back (the tap's floor), the way the kiosk's TicketScreen shows it.
"""

from __future__ import annotations

from typing import cast

from textual import on
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Static


class StartFloor(App[None]):
    """One Static."""

    def compose(self) -> ComposeResult:
        yield Static("马上办 取号机", id="hall")


class FloorStartScreen(Screen[None]):
    """A heading and one zone button."""

    def compose(self) -> ComposeResult:
        yield Static("马上办 取号机", id="hall")
        yield Button("M 马上办\nInstant service", id="zone-M", classes="zone")

    @on(Button.Pressed, "#zone-M")
    def zone_pressed(self) -> None:
        app = cast(TapFloor, self.app)
        app.issued += 1
        app.push_screen(FloorTicketScreen(f"M{app.issued:03d}"))


class FloorTicketScreen(Screen[None]):
    """The number, and a button back."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        yield Static(self.number, id="number")
        yield Static(f"[b]{self.number}[/b]  马上办 · Instant service", id="zone")
        yield Button("完成\nDone", id="done")

    @on(Button.Pressed, "#done")
    def done(self) -> None:
        self.app.pop_screen()


class TapFloor(App[None]):
    """A button that pushes a screen with a Static; numbers are counted in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.issued = 0

    def get_default_screen(self) -> Screen[None]:
        return FloorStartScreen()
