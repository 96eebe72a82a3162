"""The kiosk's code scanner (it types like a keyboard, ending with Enter) at 80×24: a booking's
QR, ``MSB:B:<code>``, or the bare code checks the booking in from the start screen without the
check-in button, and on the keypad as before; the burst presses no zone button, and its Enter
never presses the focused one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.pilot import Pilot

from kiosk.scan import GAP_S, ScanBuffer, booking_code, is_code
from kiosk.screens import CheckinScreen, StartScreen, TicketScreen
from models.queue.appointments import import_appointments
from tests.conftest import NOW
from tests.support.kiosk_pilot import (
    drive,
    kiosk,
    on_screen,
    shown,
    shows,
    tap,
    ticket_count,
    until,
)

SMALL = (80, 24)
QR = "MSB:B:K7Q2M9"


def booked(engine: Engine, tmp_path: Path) -> None:
    """A booking K7Q2M9 for 马上办 M05 at 10:00 on NOW's day (check-in is open at NOW)."""
    path = tmp_path / "bookings.csv"
    path.write_text(
        "code,queue,item,date,start,end,name\nK7Q2M9,M,M05,2026-11-25,10:00,10:30,张三丰\n",
        encoding="utf-8",
    )
    import_appointments(engine, path, now=NOW)


def notices(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def test_a_booking_code_is_read_from_the_qr_or_bare() -> None:
    assert booking_code("MSB:B:K7Q2M9") == "K7Q2M9"
    assert booking_code("msb:b:k7q2m9\n") == "K7Q2M9"
    assert booking_code("k7q2m9") == "K7Q2M9"
    assert booking_code("MSB:T:3f9c0a7d") == "MSB:T:3F9C0A7D"  # a ticket's QR: not a code
    assert is_code("K7Q2M9") and not is_code("MSB:T:3F9C0A7D") and not is_code("K7Q")


def test_a_pause_starts_the_scan_afresh() -> None:
    now = [100.0]
    buffer = ScanBuffer(clock=lambda: now[0])
    for char in "ZZ":
        buffer.add(char)
    now[0] += GAP_S + 0.1  # a stray key a while ago is not the start of this scan
    assert not buffer.pending()
    for char in QR:
        buffer.add(char)
        now[0] += 0.005
    assert buffer.pending() and buffer.take() == QR
    assert not buffer.pending()


def test_a_scan_on_the_start_screen_checks_the_booking_in(lite: Engine, tmp_path: Path) -> None:
    """No check-in button first; and the focused zone button does not take the scan's Enter."""
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-M", "人等候")
        app.set_focus(app.screen.query_one("#zone-A"))  # Enter would take an A ticket
        await pilot.pause()
        await pilot.press(*QR, "enter")
        ticket = await on_screen(pilot, TicketScreen)
        assert (ticket.view.number, ticket.view.priority) == ("M001", "appointment")
        assert ticket.view.item == "M05"
        assert shown(pilot, "#priority").startswith("预约签到")

    drive(app, scenario, size=SMALL)
    assert ticket_count(lite) == 1  # the booking's ticket alone: no zone pressed


def test_the_letters_of_a_scan_press_no_zone_button(lite: Engine) -> None:
    """M, S, B, K, Q … are not zone keys: an unknown code is refused, and nothing is issued."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-M", "人等候")
        await pilot.press(*QR)
        await pilot.pause(0.2)
        assert isinstance(app.screen, StartScreen) and ticket_count(lite) == 0
        await pilot.press("enter")
        said = await until(pilot, lambda: notices(app), "the refusal")
        assert said == ["预约码无效：K7Q2M9\nunknown appointment code: K7Q2M9"]
        assert isinstance(app.screen, StartScreen)

    drive(app, scenario, size=SMALL)
    assert ticket_count(lite) == 0


def test_a_ticket_qr_scanned_is_not_taken_for_a_booking(lite: Engine) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-M", "人等候")
        await pilot.press(*"MSB:T:3f9c0a7d51b2e846", "enter")
        said = await until(pilot, lambda: notices(app), "the refusal")
        assert said[0].startswith("这不是预约二维码")
        assert "Not a booking's QR code" in said[0]

    drive(app, scenario, size=SMALL)
    assert ticket_count(lite) == 0


def test_enter_alone_still_presses_the_focused_button(lite: Engine) -> None:
    """Only an Enter that ends a scan is the scanner's."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-A", "人等候")
        app.set_focus(app.screen.query_one("#zone-A"))
        await pilot.pause()
        await pilot.press("enter")
        ticket = await on_screen(pilot, TicketScreen)
        assert ticket.view.number == "A001"

    drive(app, scenario, size=SMALL)


def test_a_scan_on_the_keypad_checks_the_booking_in(lite: Engine, tmp_path: Path) -> None:
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*QR)
        assert shown(pilot, "#code") == QR  # the colons are kept while it is typed
        await pilot.press("enter")
        ticket = await on_screen(pilot, TicketScreen)
        assert (ticket.view.number, ticket.view.priority) == ("M001", "appointment")

    drive(app, scenario, size=SMALL)
    assert ticket_count(lite) == 1


def test_a_scan_refused_on_the_keypad_shows_the_code_alone(lite: Engine) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*QR, "enter")
        await shows(pilot, "#checkin-error", "预约码无效：K7Q2M9\n")
        assert shown(pilot, "#code") == "K7Q2M9"
        await pilot.press(*QR, "enter")  # the next scan starts afresh, not on the refused one
        await shows(pilot, "#checkin-error", "预约码无效：K7Q2M9\n")
        assert shown(pilot, "#code") == "K7Q2M9"

    drive(app, scenario, size=SMALL)


def test_a_scan_while_the_last_ticket_is_shown_checks_the_next_booking_in(
    lite: Engine, tmp_path: Path
) -> None:
    """The next citizen need not wait for the last one's ticket screen to go."""
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#zone-A")
        ticket = await on_screen(pilot, TicketScreen)
        await until(pilot, lambda: ticket.view.number == "A001", "the walk-in ticket")
        await pilot.press(*QR, "enter")
        await until(pilot, lambda: ticket.view.number == "M001", "the booking's ticket")
        assert ticket.view.priority == "appointment"

    drive(app, scenario, size=SMALL)
    assert ticket_count(lite) == 2
