"""The kiosk as a citizen uses it, driven by Textual's Pilot on a fixed clock.

Walk-in, 马上办 items, green channel, appointment check-in (and its refusals), closed and full
zones, idle return, double taps and the language switch; the staff side is in
test_kiosk_staff.py. Waits poll for the worker's result instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import text
from textual.pilot import Pilot

import models.queue.tickets
from kiosk.app import KioskSettings, create_app
from kiosk.screens import CheckinScreen, ItemsScreen, StartScreen, TicketScreen
from kiosk.staff import StaffPinScreen
from models.queue.appointments import check_in, import_appointments
from models.queue.tickets import ticket_by_token
from models.views.status import hall_status
from tests.conftest import CST, NOW
from tests.support.kiosk_pilot import (
    appointments_csv,
    connected,
    drawn,
    drive,
    kiosk,
    on_screen,
    placed,
    printed,
    settled,
    shown,
    shows,
    tap,
    ticket_count,
    until,
    walk_in,
)


def test_walk_in_ticket_is_shown_printed_and_stored(engine, preview_dir) -> None:
    app = kiosk(engine)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-M", "0 人等候")
        screen = await walk_in(pilot, "M")
        assert "█" in shown(pilot, "#number")  # the number in block letters
        assert shown(pilot, "#zone") == "M001  马上办 · Instant service"
        assert shown(pilot, "#your-number") == "您的号码"
        assert shown(pilot, "#wait").startswith("前面还有 0 人")
        assert await printed(pilot, screen) == "done"
        assert shown(pilot, "#print-state").startswith("请取票")
        assert not screen.query_one("#priority").display  # a normal ticket: no priority line
        token = app.last_token
        assert token == screen.view.token
        stored = ticket_by_token(engine, token)
        assert (stored.number, stored.queue, stored.status) == ("M001", "M", "waiting")
        await tap(pilot, "#done")
        await on_screen(pilot, StartScreen)
        await shows(pilot, "#zone-M", "1 人等候")
        await walk_in(pilot, "M")
        assert shown(pilot, "#wait").startswith("前面还有 1 人")
        assert "M002" in shown(pilot, "#zone")

    drive(app, scenario)
    queue_m = next(q for q in hall_status(engine, now=NOW).queues if q.prefix == "M")
    assert (queue_m.waiting, queue_m.issued) == (2, 2)
    assert (preview_dir / "kiosk-preview.escpos").stat().st_size > 0


def test_instant_item_lists_departments_and_issues_that_item(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#items")
        screen = await on_screen(pilot, ItemsScreen)
        await until(pilot, lambda: len(screen.query(".item")) == 23, "23 item buttons")
        departments = [d.visual.plain for d in screen.query(".department")]
        assert [d.split("  ")[0] for d in departments] == [
            "市国土资源局",
            "市公安局",
            "市食品药品监管局",
            "市卫计委",
            "市安监局",
        ]
        assert departments[1] == "市公安局  Municipal Public Security Bureau"
        assert shown(pilot, "#item-M01") == "不动产登记信息查询\nReal estate register enquiry"
        await tap(pilot, "#item-M21")  # below the fold at first: scrolled into view
        ticket = await on_screen(pilot, TicketScreen)
        assert (ticket.view.number, ticket.view.item) == ("M001", "M21")

    drive(app, scenario)
    assert ticket_by_token(lite, app.last_token or "").item == "M21"


def test_in_english_the_departments_are_named_in_english_first(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#lang")
        await tap(pilot, "#items")
        screen = await on_screen(pilot, ItemsScreen)
        await until(pilot, lambda: len(screen.query(".department")) == 5, "the departments")
        departments = [d.visual.plain for d in screen.query(".department")]
        assert departments[0] == "Municipal Land and Resources Bureau  市国土资源局"

    drive(app, scenario)


def test_green_channel_gives_one_priority_ticket_then_resets(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#green")
        await shows(pilot, "#green", "已选绿色通道")
        assert app.screen.query_one("#green").has_class("on")
        ticket = await walk_in(pilot, "A")
        assert ticket.view.priority == "green"
        assert shown(pilot, "#priority").startswith("已选绿色通道")
        assert app.green is False
        await tap(pilot, "#done")
        await on_screen(pilot, StartScreen)
        assert shown(pilot, "#green").startswith("绿色通道")
        assert not app.screen.query_one("#green").has_class("on")
        assert (await walk_in(pilot, "A")).view.priority == "normal"

    drive(app, scenario)
    assert ticket_by_token(lite, app.last_token or "").number == "A002"


def test_appointment_code_on_the_keypad_checks_in(lite, tmp_path) -> None:
    import_appointments(lite, appointments_csv(tmp_path), now=NOW)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        for key in "123459":
            await tap(pilot, f"#key-{key}")
        await tap(pilot, "#key-del")
        for key in "678":
            await tap(pilot, f"#key-{key}")
        assert shown(pilot, "#code") == "12345678"
        await tap(pilot, "#key-ok")
        ticket = await on_screen(pilot, TicketScreen)
        assert (ticket.view.number, ticket.view.priority) == ("A001", "appointment")
        assert ticket.view.item == "A01"
        assert shown(pilot, "#priority").startswith("预约签到")

    drive(app, scenario)
    assert ticket_by_token(lite, app.last_token or "").priority == "appointment"


def test_enter_on_a_keyboard_submits_the_code_as_typed(lite) -> None:
    """A code scanner types the code and Enter: no keypad key may take that Enter too."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*"NOSUCH99")
        await pilot.press("enter")
        # The code checked is the one typed: Enter added nothing to it (a keypad key did).
        await shows(pilot, "#checkin-error", "预约码无效：NOSUCH99\n")

    drive(app, scenario)


@pytest.mark.parametrize(
    ("code", "refusal"),
    [
        ("NOSUCH99", "预约码无效：NOSUCH99\nunknown appointment code: NOSUCH99"),
        ("USED0001", "该预约已签到（D001）"),
        ("EARLY001", "签到时间未到，请于 10:30 后签到\ntoo early: check-in opens at 10:30"),
        ("LATE0001", "已过签到时间（09:15），请取普通号"),
    ],
)
def test_appointment_refusals_stay_on_the_check_in_screen(lite, tmp_path, code, refusal) -> None:
    import_appointments(lite, appointments_csv(tmp_path), now=NOW)
    check_in(lite, code="USED0001", now=NOW)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*code.lower())  # the keyboard works too, letters upper-cased
        assert shown(pilot, "#code") == code
        await tap(pilot, "#key-ok")
        await shows(pilot, "#checkin-error", refusal)
        assert isinstance(app.screen, CheckinScreen)
        await tap(pilot, "#key-1")  # typing again clears the refusal
        assert shown(pilot, "#checkin-error") == ""

    drive(app, scenario)
    assert ticket_count(lite) == 1  # only the check-in made before the kiosk started


@pytest.mark.parametrize(
    ("at", "reason", "banner"),
    [
        (
            dt.datetime(2026, 11, 28, 10, 0, tzinfo=CST),
            "今天不办公",
            "今天不办公，下次办公：11月30日 星期一 08:30\n"
            "Closed today. Next opening: Mon 30 Nov 08:30",
        ),
        (
            dt.datetime(2026, 11, 25, 12, 30, tzinfo=CST),
            "13:00 开始取号",
            "现在不取号，下次办公：今天 13:00\nNo tickets now. Next opening: today 13:00",
        ),
        (
            dt.datetime(2026, 11, 25, 17, 30, tzinfo=CST),
            "今日已停止取号",
            "今日已停止取号，下次办公：明天 08:30\n"
            "No more tickets today. Next opening: tomorrow 08:30",
        ),
    ],
    ids=["saturday", "lunch-break", "evening"],
)
def test_a_closed_hall_disables_the_zones_and_says_when_it_opens(lite, at, reason, banner) -> None:
    app = kiosk(lite, at=at)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-A", reason)
        zones = list(app.screen.query(".zone"))
        assert len(zones) == 7 and all(zone.disabled for zone in zones)
        assert all(shown(pilot, f"#{zone.id}").endswith(reason) for zone in zones)
        await shows(pilot, "#hall", banner)
        await pilot.click("#zone-A")
        await settled(pilot)
        assert isinstance(app.screen, StartScreen) and app.issuing is False

    drive(app, scenario)
    assert ticket_count(lite) == 0


def test_a_closed_hall_says_its_next_opening_whole_at_80x24(lite) -> None:
    """The reason was cut to 今天不办公（2026… on every button; now the header says it whole."""
    app = kiosk(lite, at=dt.datetime(2026, 11, 28, 10, 0, tzinfo=CST))

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#hall", "Next opening")
        # The text is set before the header grows to draw it: wait for the drawn lines.
        header = await until(
            pilot,
            lambda: (text := "\n".join(drawn(pilot, "#hall"))) and "Next opening" in text and text,
            "the header to draw the next opening",
        )
        assert "今天不办公，下次办公：11月30日 星期一 08:30" in header
        assert "Closed today. Next opening: Mon 30 Nov 08:30" in header
        assert drawn(pilot, "#zone-A")[-1] == "今天不办公"  # whole on the button, not cut

    drive(app, scenario, size=SMALL)


def test_the_instant_service_button_says_when_its_zone_is_closed(lite) -> None:
    app = kiosk(lite, at=dt.datetime(2026, 11, 28, 10, 0, tzinfo=CST))  # a Saturday

    async def scenario(pilot: Pilot[None]) -> None:
        label = await shows(pilot, "#items", "今天不办公")
        assert label.startswith("马上办 · 23 项即办事项")
        assert app.screen.query_one("#items").disabled
        await pilot.click("#items")
        await settled(pilot)
        assert isinstance(app.screen, StartScreen)

    drive(app, scenario)
    assert ticket_count(lite) == 0


def test_an_item_tapped_as_the_hall_closes_is_refused_in_a_notification(lite) -> None:
    """The items screen is open at 16:59; the tap comes after 17:00."""
    clock = {"at": dt.datetime(2026, 11, 25, 16, 59, tzinfo=CST)}
    app = create_app(KioskSettings(engine=lite, clock=lambda: clock["at"]))

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#items")
        await on_screen(pilot, ItemsScreen)
        clock["at"] = dt.datetime(2026, 11, 25, 17, 1, tzinfo=CST)
        await tap(pilot, "#item-M01")
        messages = await until(
            pilot, lambda: [n.message for n in app._notifications], "a notification"
        )
        assert len(messages) == 1 and "办理时间" in messages[0]
        assert isinstance(app.screen, ItemsScreen) and app.issuing is False

    drive(app, scenario)
    assert ticket_count(lite) == 0


def test_a_full_zone_is_disabled_after_its_last_ticket(lite) -> None:
    with lite.begin() as connection:
        connection.execute(text("UPDATE queue SET daily_cap=1 WHERE prefix='E'"))
    app = kiosk(lite, refresh_seconds=0.2)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-E", "0 人等候")
        assert (await walk_in(pilot, "E")).view.number == "E001"
        await tap(pilot, "#done")
        await on_screen(pilot, StartScreen)
        label = await shows(pilot, "#zone-E", "今日号已取完")
        assert app.screen.query_one("#zone-E").disabled, label
        assert not app.screen.query_one("#zone-A").disabled
        await pilot.click("#zone-E")
        await settled(pilot)
        assert isinstance(app.screen, StartScreen)

    drive(app, scenario)
    assert ticket_count(lite) == 1


@pytest.mark.parametrize("where", ["ticket", "items", "checkin"])
def test_an_idle_kiosk_goes_back_to_the_start_screen(lite, where) -> None:
    app = kiosk(lite, idle_seconds=1)

    async def scenario(pilot: Pilot[None]) -> None:
        started = time.monotonic()
        if where == "ticket":
            await walk_in(pilot, "A")
        else:
            await tap(pilot, f"#{where}")
            await on_screen(pilot, ItemsScreen if where == "items" else CheckinScreen)
        await on_screen(pilot, StartScreen)
        assert time.monotonic() - started >= 1  # not at once: after the idle time
        assert len(app.screen_stack) == 1

    drive(app, scenario)


@pytest.mark.parametrize("where", ["ticket", "checkin", "staff-pin"])
def test_idle_return_comes_at_the_idle_time_after_the_last_touch(lite, where) -> None:
    """Touched 0.2 s into a 2 s idle time, the screen closes no sooner than 2 s after that
    touch: every screen counts a key as a touch. (That it closes then, and not at the next tick
    of a reset timer, tests/unit/test_idle.py shows on a driven clock: an upper time bound here
    would fail on a busy machine.)"""
    app = kiosk(lite, idle_seconds=2)

    async def scenario(pilot: Pilot[None]) -> None:
        if where == "ticket":
            screen: object = await walk_in(pilot, "A")
        elif where == "checkin":
            await tap(pilot, "#checkin")
            screen = await on_screen(pilot, CheckinScreen)
        else:
            await connected(pilot)
            await pilot.press("f12")
            screen = await on_screen(pilot, StaffPinScreen)
        await pilot.pause(0.2)
        touched = time.monotonic()
        await pilot.press("5")  # a key on the screen (the PIN dialog's clerk field has focus)
        await until(pilot, lambda: app.screen is not screen, "the idle return")
        gone = time.monotonic() - touched
        assert gone >= 2.0 - 0.05, f"closed {gone:.2f} s after the last touch"
        assert isinstance(app.screen, StartScreen) and len(app.screen_stack) == 1

    drive(app, scenario)


def test_the_ticket_screen_is_reused_and_each_ticket_idles_out_on_time(lite) -> None:
    """One TicketScreen serves every ticket; the idle time counts afresh each time it shows."""
    app = kiosk(lite, idle_seconds=1)

    async def scenario(pilot: Pilot[None]) -> None:
        tapped = time.monotonic()
        first = await walk_in(pilot, "A")
        await on_screen(pilot, StartScreen)
        assert time.monotonic() - tapped >= 1.0
        await pilot.pause(0.5)
        tapped = time.monotonic()
        second = await walk_in(pilot, "A")
        assert second is first and "A002" in shown(pilot, "#zone")
        await on_screen(pilot, StartScreen)  # the idle time counted afresh: it closes again
        assert time.monotonic() - tapped >= 1.0

    drive(app, scenario)


@pytest.mark.parametrize("how", ["keyboard", "keypad", "staff-pin"])
def test_activity_keeps_a_screen_awake(lite, how) -> None:
    """A key or tap every 0.3 s for 3.3 s, on a kiosk that goes idle after 1.5 s: more than
    twice the idle time, so a touch that is not counted shows."""
    app = kiosk(lite, idle_seconds=1.5)

    async def scenario(pilot: Pilot[None]) -> None:
        if how == "staff-pin":  # staff press F12 while a citizen's ticket is shown
            await walk_in(pilot, "A")
            await pilot.press("f12")
            screen = await on_screen(pilot, StaffPinScreen)
            await tap(pilot, "#clerk")
        else:
            await tap(pilot, "#checkin")
            screen = await on_screen(pilot, CheckinScreen)
        started = time.monotonic()
        for digit in "10012468135":
            assert app.screen is screen, f"back to {app.screen} before {digit!r}"
            await (tap(pilot, f"#key-{digit}") if how == "keypad" else pilot.press(digit))
            await pilot.pause(0.3)
        assert time.monotonic() - started >= 3.3
        assert app.screen is screen, f"back to {app.screen} at the end"

    drive(app, scenario)


def test_a_double_tap_issues_exactly_one_ticket(lite, monkeypatch) -> None:
    """Taps that come while the first ticket is being issued are ignored."""
    real_take = models.queue.tickets.take_ticket
    release = threading.Event()

    def slow_take(*args: object, **kwargs: object):
        release.wait(5)  # the worker holds here until both extra taps have landed
        return real_take(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(models.queue.tickets, "take_ticket", slow_take)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: placed(pilot, "#zone-A"), "the zone buttons")
        await pilot.click("#zone-A", times=2)  # a quick double tap
        await pilot.pause(0.25)  # past the button's own 0.2 s press effect
        await tap(pilot, "#zone-A")  # a slow second tap, and another zone
        await tap(pilot, "#zone-B")
        assert app.issuing and isinstance(app.screen, StartScreen)
        # The worker is held: the citizen is told the ticket is coming (once).
        await until(pilot, lambda: [n.message for n in app._notifications], "the issuing notice")
        assert [n.message for n in app._notifications] == ["正在取号…\nIssuing your ticket…"]
        release.set()
        await on_screen(pilot, TicketScreen)
        await until(pilot, lambda: not app._notifications, "the notice to go with the ticket")
        assert len(app.screen_stack) == 2

    drive(app, scenario)
    assert ticket_count(lite) == 1


def test_the_language_switch_puts_english_first(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        assert shown(pilot, "#lang") == "English"
        await tap(pilot, "#lang")
        await shows(pilot, "#zone-A", "A Real estate registration\n不动产登记\n0 waiting")
        assert shown(pilot, "#lang") == "中文"
        assert shown(pilot, "#hall").startswith("Jinan Government Service Center\n")
        assert shown(pilot, "#items") == "Instant service · 23 items\n马上办 · 23 项即办事项"
        assert shown(pilot, "#checkin") == "Appointment check-in\n预约签到"
        screen = await walk_in(pilot, "A")
        assert shown(pilot, "#your-number") == "Your number"
        assert shown(pilot, "#zone") == "A001  Real estate registration · 不动产登记"
        assert await printed(pilot, screen) == "done"
        assert shown(pilot, "#print-state") == "Please take your ticket\n请取票"
        await tap(pilot, "#done")  # the next citizen finds Chinese first again
        await on_screen(pilot, StartScreen)
        await shows(pilot, "#zone-A", "A 不动产登记\nReal estate registration\n")
        assert shown(pilot, "#items").startswith("马上办")
        assert shown(pilot, "#lang") == "English"

    drive(app, scenario)


def test_choices_left_on_the_start_screen_are_undone_when_it_is_left_idle(lite) -> None:
    """A citizen who picks English and the green channel, then walks away, leaves neither to
    the next one."""
    app = kiosk(lite, idle_seconds=1)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#lang")
        await tap(pilot, "#green")
        await shows(pilot, "#green", "Green channel selected")
        assert app.green and app.lang == "en"
        await shows(pilot, "#green", "绿色通道\nGreen channel")
        assert app.green is False and app.lang == "zh"
        assert not app.screen.query_one("#green").has_class("on")
        assert (await walk_in(pilot, "A")).view.priority == "normal"

    drive(app, scenario)


def test_a_fault_while_issuing_is_said_kindly_and_the_next_tap_works(lite, monkeypatch) -> None:
    real_take = models.queue.tickets.take_ticket
    faults = iter([RuntimeError("disk on fire")])

    def faulty_take(*args: object, **kwargs: object):
        fault = next(faults, None)
        if fault is not None:
            raise fault
        return real_take(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(models.queue.tickets, "take_ticket", faulty_take)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: placed(pilot, "#zone-A"), "the zone buttons")
        await tap(pilot, "#zone-A")
        messages = await until(
            pilot, lambda: [n.message for n in app._notifications], "a notification"
        )
        assert messages == ["暂时无法取号，请再试一次或联系工作人员\n"
                            "No ticket could be issued: please try again or ask staff"]  # fmt: skip
        assert app.issuing is False and isinstance(app.screen, StartScreen)
        await pilot.pause(0.25)  # past the button's own 0.2 s press effect
        assert (await walk_in(pilot, "A")).view.number == "A001"

    drive(app, scenario)
    assert ticket_count(lite) == 1


def test_a_fault_after_the_ticket_exists_still_shows_its_number(lite, monkeypatch) -> None:
    """The ticket is stored: the citizen must see it, or a second tap makes a lost one."""
    import printer.preview

    def broken(*_args: object, **_kwargs: object) -> str:
        raise ValueError("no QR today")

    monkeypatch.setattr(printer.preview, "qr_blocks", broken)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await walk_in(pilot, "A")
        assert screen.view.number == "A001" and shown(pilot, "#zone").startswith("A001")

    drive(app, scenario)
    assert ticket_count(lite) == 1


def test_a_printer_fault_keeps_the_number_on_screen(lite, monkeypatch) -> None:
    import printer.spooler

    def jammed(*_args: object, **_kwargs: object):
        raise OSError("usb unplugged")

    monkeypatch.setattr(printer.spooler, "print_ticket_at_kiosk", jammed)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await walk_in(pilot, "M")
        assert await printed(pilot, screen) == "failed"
        assert "打印失败，请记下号码或拍照" in shown(pilot, "#print-state")
        assert screen.view.number == "M001" and isinstance(app.screen, TicketScreen)

    drive(app, scenario)


SMALL = (80, 24)
"""The smallest terminal the kiosk is drawn on (the snapshots check it too)."""


def test_long_zone_names_end_in_an_ellipsis_and_the_count_stays_on_the_button(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-C", "人等候")
        await pilot.pause()
        for zone in app.screen.query(".zone"):
            lines = drawn(pilot, f"#{zone.id}")
            assert len(lines) == 3 and lines[-1] == "0 人等候", (zone.id, lines)
        name, english, _ = drawn(pilot, "#zone-C")
        assert name.startswith("C 民生事务") and name.endswith("…"), name
        assert english.startswith("Livelihood") and english.endswith("…"), english

    drive(app, scenario, size=SMALL)


def test_long_item_names_end_in_an_ellipsis(lite) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#items")
        screen = await on_screen(pilot, ItemsScreen)
        await until(pilot, lambda: len(screen.query(".item")) == 23, "23 item buttons")
        await pilot.pause()
        cut = 0
        for item in screen.query(".item"):
            full = shown(pilot, f"#{item.id}").split("\n")
            lines = drawn(pilot, f"#{item.id}")
            assert len(lines) == len(full), (item.id, lines)
            for whole, line in zip(full, lines, strict=True):
                assert line == whole or (
                    line.endswith("…") and whole.startswith(line[:-1].rstrip())
                ), f"{item.id}: {line!r} for {whole!r}"
                cut += line != whole
        assert cut, "no name was long enough to be cut at 80×24"

    drive(app, scenario, size=SMALL)


def test_nothing_is_focused_at_start_so_enter_does_nothing(lite) -> None:
    """The focus started, unseen, on 绿色通道: Enter toggled the green channel."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-B", "人等候")
        assert app.focused is None
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.green is False and isinstance(app.screen, StartScreen)
        # A tapped button lets go of the focus when the start screen comes back.
        await tap(pilot, "#zone-A")
        await on_screen(pilot, TicketScreen)
        await tap(pilot, "#done")
        await on_screen(pilot, StartScreen)
        assert app.focused is None
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, StartScreen) and ticket_count(lite) == 1

    drive(app, scenario)


def test_a_focused_button_is_marked_without_looking_pressed(lite) -> None:
    """Tab shows which button Enter presses (underlined, bold), never in reverse video."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-B", "人等候")
        app.set_focus(app.screen.query_one("#zone-A"))
        await pilot.pause()
        focused, other = app.screen.query_one("#zone-A"), app.screen.query_one("#zone-B")
        assert focused.has_pseudo_class("focus") and not other.has_pseudo_class("focus")
        assert focused.rich_style.underline and not other.rich_style.underline
        assert focused.rich_style.bgcolor == other.rich_style.bgcolor
        assert "reverse" not in str(focused.styles.text_style)
        await pilot.press("enter")  # the keyboard presses the focused button
        ticket = await on_screen(pilot, TicketScreen)
        assert ticket.view.number == "A001"

    drive(app, scenario)


def _held_hall(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The kiosk's first read of the hall waits until the returned event is set."""
    import models.hall

    release = threading.Event()
    real = models.hall.hall_settings

    def held(session):  # type: ignore[no-untyped-def]
        release.wait(10)
        return real(session)

    monkeypatch.setattr(models.hall, "hall_settings", held)
    return release


def test_the_first_screen_waits_honestly_for_the_database(lite, tmp_path, monkeypatch) -> None:
    """Drawn before the database answers: no zone can be tapped until it has, and the next start
    draws the zones from the snapshot this one left."""
    path = tmp_path / "snapshot.json"
    release = _held_hall(monkeypatch)
    first = kiosk(lite, snapshot=path)

    async def no_snapshot_yet(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zones-wait", "请稍候\nPlease wait")
        assert not app_zones(pilot) and not first.ready
        assert pilot.app.screen.query_one("#items").disabled
        release.set()
        await shows(pilot, "#zone-A", "0 人等候")
        await until(pilot, path.exists, "the snapshot file")
        await until(pilot, lambda: not pilot.app.screen.query("#zones-wait"), "no 请稍候 left")

    drive(first, no_snapshot_yet)
    release.clear()
    second = kiosk(lite, snapshot=path)

    async def from_the_snapshot(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: len(app_zones(pilot)) == 7, "the zones of the snapshot")
        assert shown(pilot, "#hall").startswith("济南市政务服务中心")
        for zone in app_zones(pilot):
            assert zone.disabled and shown(pilot, f"#{zone.id}").endswith("\n请稍候"), zone.id
        for button in ("#items", "#checkin"):
            assert pilot.app.screen.query_one(button).disabled, button
        await pilot.click("#zone-A")
        await pilot.press("f12")  # staff wait for the database too
        await pilot.pause(0.2)
        assert isinstance(pilot.app.screen, StartScreen) and ticket_count(lite) == 0
        release.set()
        await shows(pilot, "#zone-A", "0 人等候")
        assert not any(zone.disabled for zone in app_zones(pilot))
        assert (await walk_in(pilot, "A")).view.number == "A001"

    drive(second, from_the_snapshot)


def app_zones(pilot: Pilot[None]) -> list:  # type: ignore[type-arg]
    return list(pilot.app.screen.query(".zone"))


def test_an_uninitialised_database_named_by_url_ends_the_kiosk(tmp_path) -> None:
    from kiosk.app import KioskSettings, create_app

    (tmp_path / "empty.db").touch()
    app = create_app(KioskSettings(db=str(tmp_path / "empty.db")))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: not app.is_running, "the kiosk to exit")

    drive(app, scenario)
    assert app.return_code == 1
    assert app.refusal is not None and app.refusal.key == "db_not_initialised"


def test_a_missing_database_ends_the_kiosk_and_is_not_created(tmp_path) -> None:
    from kiosk.app import KioskSettings, create_app

    app = create_app(KioskSettings(db=str(tmp_path / "typo.db")))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: not app.is_running, "the kiosk to exit")

    drive(app, scenario)
    assert app.return_code == 1
    assert app.refusal is not None and app.refusal.key == "db_missing"
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize(
    "option, said",
    [
        ({"kiosk_id": "K9"}, "大厅文件里没有取号机 K9（已有：K1）"),
        ({"printer": "kiosk-9"}, "没有这台打印机：kiosk-9"),
    ],
    ids=["kiosk-id", "printer"],
)
def test_a_mistyped_kiosk_id_or_printer_ends_the_kiosk_at_start(sqlite_url, option, said) -> None:
    """Every ticket would have said 打印失败, with no job left for staff to reprint."""
    from kiosk.app import KioskSettings, create_app

    app = create_app(KioskSettings(db=sqlite_url, **option))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: not app.is_running, "the kiosk to exit")

    drive(app, scenario)
    assert app.return_code == 1
    assert app.refusal is not None and said in app.refusal.zh


def test_the_kiosk_command_refuses_a_kiosk_id_the_hall_does_not_have(sqlite_url) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "mashangban", "--db", sqlite_url, "kiosk", "--kiosk-id", "K9"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert (
        "大厅文件里没有取号机 K9" in done.stderr and "the hall file has no kiosk K9" in done.stderr
    )
    assert "Traceback" not in done.stderr + done.stdout


def test_the_kiosk_draws_its_first_screen_without_importing_the_database_code() -> None:
    """SQLAlchemy, SQLModel and the models take longer to import than Textual: they are
    imported by a worker after the first screen (a fresh interpreter proves it)."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "import kiosk.app, kiosk.screens, kiosk.snapshot\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(done.stdout))
    assert "textual" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "escpos", "qrcode"}
