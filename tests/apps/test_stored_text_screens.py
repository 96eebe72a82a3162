"""Names written straight into the database (past the checks at the door) reach the screens of
the counter, the board and the kiosk as text: their escape sequences (clear the screen, set the
terminal's title, ring the bell) show, they do not act, and Rich markup in them shows as typed.

What a screen sends to the terminal is read back from Textual's compositor: every text segment
of a full repaint, outside the escape codes Textual makes itself for colours and moves.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Engine, text
from textual.pilot import Pilot

from counter.dialogs import TransferDialog
from kiosk.screens import ItemsScreen, TicketScreen
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from monitor.app import MonitorSettings
from monitor.app import create_app as create_monitor
from tests.conftest import NOW, open_window
from tests.support.board_pilot import FakeVoice, board
from tests.support.counter_pilot import counter, drive, log_in, press, shown, shows
from tests.support.kiosk_pilot import kiosk, on_screen, tap, until
from tests.support.kiosk_pilot import shows as kiosk_shows

ATTACK = "\x1b[2J\x1b]0;pwned\x07\x9b31m"
"""Clear the screen, set the terminal's title, ring the bell, an 8-bit CSI."""
MARKUP = "[blink]闪[/blink][link=http://evil.example]点[/link]"
"""Rich/Textual markup that would blink, or hide a link, if it were read as markup."""
HOSTILE = f"王{ATTACK}{MARKUP}"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def poison(engine: Engine, *statements: str) -> None:
    """Write the hostile text straight into tables, as someone with the database could."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"v": HOSTILE})


def on_the_terminal(pilot: Pilot[Any]) -> tuple[str, list[Any]]:
    """The text a full repaint of the screen writes, and the styles it is written in."""
    update = pilot.app.screen._compositor.render_full_update()
    texts: list[str] = []
    styles: list[Any] = []
    for line in update.strips:
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue  # Textual's own cursor moves
                texts.append(segment.text)
                styles.append(segment.style)
    return "".join(texts), styles


def assert_inert(pilot: Pilot[Any], *expected: str) -> str:
    """No control character reaches the terminal, markup is not obeyed, the text shows."""
    screen, styles = on_the_terminal(pilot)
    assert not CONTROL.search(screen), CONTROL.findall(screen)
    assert not any(s is not None and (s.blink or s.link) for s in styles)
    for part in expected:
        assert part in screen, (part, screen)
    return screen


async def shown_inert(pilot: Pilot[Any], *expected: str) -> str:
    """Wait until the screen shows every expected text (a read's result is drawn a moment
    after it arrives), then :func:`assert_inert`."""
    await until(
        pilot,
        lambda: all(part in on_the_terminal(pilot)[0] for part in expected),
        f"the screen to show {expected}",
    )
    return assert_inert(pilot, *expected)


def test_the_counter_header_and_panels_show_a_poisoned_name_as_text(engine: Engine) -> None:
    take_ticket(engine, queue="M", now=NOW)
    poison(
        engine,
        "UPDATE clerk SET name = :v WHERE code = '1001'",
        'UPDATE "window" SET label_zh = :v WHERE number = 18',
        "UPDATE queue SET name_zh = :v WHERE prefix = 'M'",
    )

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("n")  # call M001: its zone's name is in the current panel
        await shows(pilot, "#current", "M001")
        assert "\\x1b[2J" in shown(pilot, "#top") and "[blink]" in shown(pilot, "#top")
        assert_inert(pilot, "\\x1b]0;pwned\\x07", "[blink]闪[/blink]")

    drive(counter(engine), scenario)


def test_the_transfer_dialog_lists_a_poisoned_zone_as_text(engine: Engine) -> None:
    take_ticket(engine, queue="M", now=NOW)
    poison(engine, "UPDATE queue SET name_en = :v WHERE prefix = 'A'")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        # The long name wraps in the list after "http://": both halves show as typed.
        await shown_inert(
            pilot, "[blink]闪[/blink]", "[link=http://", "evil.example]点[/link]", "\\x9b31m"
        )

    drive(counter(engine), scenario)


def test_the_board_shows_poisoned_zones_and_hall_names_as_text(engine: Engine) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=NOW)
    take_ticket(engine, queue="M", now=NOW)
    call_next(engine, window=18, now=NOW)
    poison(engine, "UPDATE queue SET name_zh = :v")
    with engine.begin() as conn:  # the hall's name, inside its stored settings
        settings = json.loads(conn.execute(text("SELECT settings FROM hall")).scalar_one())
        settings["name_en"] = HOSTILE
        conn.execute(text("UPDATE hall SET settings = :s"), {"s": json.dumps(settings)})

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: pilot.app.state is not None, "the board's first read")
        await shown_inert(pilot, "\\x1b]0;pwned\\x07", "[blink]闪[/blink]", "M001")

    drive(board(engine, voice=FakeVoice()), scenario, size=(160, 40))


def test_the_monitor_shows_a_poisoned_clerk_and_window_as_text(engine: Engine) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=NOW)
    poison(engine, 'UPDATE "window" SET label_zh = :v WHERE number = 18')
    poison(engine, "UPDATE queue SET name_zh = :v WHERE prefix = 'M'")

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: pilot.app.state is not None, "the monitor's first read")
        await shown_inert(pilot, "\\x1b[2J", "[blink]闪")

    app = create_monitor(MonitorSettings(engine=engine, clock=lambda: NOW, poll_seconds=0.2))
    drive(app, scenario, size=(200, 40))


def test_the_kiosk_shows_poisoned_zones_items_and_hall_as_text(engine: Engine) -> None:
    poison(engine, "UPDATE queue SET name_zh = :v WHERE prefix = 'M'")
    poison(engine, "UPDATE service_item SET name_zh = :v, department = :v WHERE code = 'M01'")
    with engine.begin() as conn:  # the hall's name, inside its stored settings
        settings = json.loads(conn.execute(text("SELECT settings FROM hall")).scalar_one())
        settings["name_zh"] = HOSTILE
        conn.execute(text("UPDATE hall SET settings = :s"), {"s": json.dumps(settings)})

    async def scenario(pilot: Pilot[None]) -> None:
        await kiosk_shows(pilot, "#zone-M", "[blink]闪")
        await kiosk_shows(pilot, "#hall", "[blink]闪")
        assert_inert(pilot, "\\x1b[2J")  # the start screen: zones and the hall's name
        await tap(pilot, "#items")
        items = await on_screen(pilot, ItemsScreen)
        await until(pilot, lambda: items.query(".department"), "the departments")
        await shown_inert(pilot, "\\x1b]0;pwned\\x07")
        await tap(pilot, "#item-M01")
        await on_screen(pilot, TicketScreen)
        await kiosk_shows(pilot, "#zone", "M001")
        assert_inert(pilot, "[blink]闪[/blink]")  # the ticket screen names its zone

    drive(kiosk(engine), scenario, size=(160, 50))


def test_displayable_escapes_every_text_of_a_read_model_and_keeps_the_rest() -> None:
    from models.textsafe import displayable
    from models.views.window import TransferWindow

    window = TransferWindow(18, f"M{ATTACK}", None)
    shown_window = displayable([window, (f"a{ATTACK}", 3), {"k": f"\x07{MARKUP}"}])
    assert shown_window[0] == TransferWindow(18, "M\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m", None)
    assert shown_window[1] == ("a\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m", 3)
    assert shown_window[2] == {"k": f"\\x07{MARKUP}"}  # markup is the screen's business
    plain = TransferWindow(1, "AB", "1001")
    assert displayable(plain) == plain
