"""The kiosk at 80×24 (and one kiosk-sized screen): everything a citizen needs is on screen.

The keypad types every code the import accepts (README's AP1001), a refused code is not
appended to, the ticket screen keeps 完成 on screen and names the item and its materials, the
staff menu fits and Esc closes it, the green channel can be left to staff, and a zone with no
window open says so instead of a made-up wait.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from kiosk.screens import KEYPAD_ROWS, CheckinScreen, StartScreen, TicketScreen
from kiosk.staff import GreenPinScreen, StaffMenuScreen, StaffPinScreen
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.appointments import import_appointments
from models.queue.tickets import ticket_by_token
from tests.conftest import NOW, PIN, open_window
from tests.support.kiosk_pilot import (
    connected,
    drawn,
    drive,
    events,
    kiosk,
    on_screen,
    shown,
    shows,
    staff_login,
    tap,
    until,
    walk_in,
)

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])


def booked(engine: Engine, tmp_path: Path) -> None:
    """AP1001 (the README's example) for 马上办 item M08 at 10:00, NOW's day."""
    path = tmp_path / "bookings.csv"
    path.write_text(
        "code,queue,item,date,start,end,name\nAP1001,M,M08,2026-11-25,10:00,10:30,张三丰\n",
        encoding="utf-8",
    )
    import_appointments(engine, path, now=NOW)


def whole_on_screen(pilot: Pilot[None], selector: str) -> bool:
    """The widget is laid out and lies entirely inside the terminal."""
    widget = pilot.app.screen.query_one(selector)
    return widget.region.area > 0 and pilot.app.screen.region.contains_region(widget.region)


def key_faces(pilot: Pilot[None]) -> dict[str, str]:
    """Each character key and the text drawn on it."""
    return {key: " ".join(drawn(pilot, f"#key-{key}")).strip("▔▁ ") for key in "".join(KEYPAD_ROWS)}


@SIZES
def test_every_key_shows_its_character_before_and_after_a_refusal(lite, size) -> None:
    """At 80×24 the top row (1 2 3) showed nothing, and after an error 7 8 9 lost theirs."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        assert all(key in face for key, face in key_faces(pilot).items()), key_faces(pilot)
        await pilot.press(*"NOSUCH99", "enter")
        await shows(pilot, "#checkin-error", "预约码无效")
        await pilot.pause()
        assert all(key in face for key, face in key_faces(pilot).items()), key_faces(pilot)
        for selector in ("#key-del", "#key-clear", "#key-back", "#key-ok", "#code"):
            assert whole_on_screen(pilot, selector), selector

    drive(app, scenario, size=size)


def test_the_readme_code_ap1001_is_typed_on_the_keypad(lite, tmp_path) -> None:
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        for key in "AP1001":
            await tap(pilot, f"#key-{key}")
        assert shown(pilot, "#code") == "AP1001"
        await tap(pilot, "#key-ok")
        ticket = await on_screen(pilot, TicketScreen)
        assert (ticket.view.number, ticket.view.priority) == ("M001", "appointment")

    drive(app, scenario, size=SMALL)


def test_a_refused_code_is_not_appended_to(lite, tmp_path) -> None:
    """After 预约码无效 the next digit appended to the refused code (NOSUCH991…)."""
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        for key in "AP1002":
            await tap(pilot, f"#key-{key}")
        await tap(pilot, "#key-ok")
        await shows(pilot, "#checkin-error", "预约码无效：AP1002")
        assert shown(pilot, "#code") == "AP1002"  # still shown, to see the typo
        await tap(pilot, "#key-del")  # 删除 corrects the refused code…
        await tap(pilot, "#key-1")
        assert shown(pilot, "#code") == "AP1001"
        await tap(pilot, "#key-ok")
        await on_screen(pilot, TicketScreen)

    drive(app, scenario, size=SMALL)

    app = kiosk(lite)

    async def again(pilot: Pilot[None]) -> None:
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*"XX99", "enter")
        await shows(pilot, "#checkin-error", "预约码无效：XX99")
        await tap(pilot, "#key-7")  # …a letter or digit starts a new code
        assert shown(pilot, "#code") == "7"
        assert shown(pilot, "#checkin-error") == ""
        await tap(pilot, "#key-clear")
        assert shown(pilot, "#code") == "_"
        await pilot.press("escape")
        await on_screen(pilot, StartScreen)

    drive(app, again, size=SMALL)


@pytest.mark.parametrize("how", ["green", "appointment"])
def test_the_ticket_screen_keeps_done_on_screen_at_80x24(lite, tmp_path, how) -> None:
    """完成/Done was pushed off the screen for green-channel and appointment tickets."""
    booked(lite, tmp_path)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        if how == "green":
            await tap(pilot, "#green")
            await tap(pilot, "#items")
            await tap(pilot, "#item-M08")
        else:
            await tap(pilot, "#checkin")
            await on_screen(pilot, CheckinScreen)
            await pilot.press(*"AP1001", "enter")
        ticket = await on_screen(pilot, TicketScreen)
        assert ticket.view.priority == how
        await until(pilot, lambda: whole_on_screen(pilot, "#done"), "完成 on screen")
        assert drawn(pilot, "#done") == ["完成 Done"]
        for selector in ("#number", "#priority", "#wait", "#print-state"):
            assert whole_on_screen(pilot, selector), selector
        await tap(pilot, "#done")
        await on_screen(pilot, StartScreen)

    drive(app, scenario, size=SMALL)


@SIZES
def test_the_ticket_screen_names_the_item_and_its_materials(lite, size) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await tap(pilot, "#items")
        await tap(pilot, "#item-M08")
        await on_screen(pilot, TicketScreen)
        item = await shows(pilot, "#item", "无犯罪记录证明")
        assert "Certificate of no criminal record" in item
        materials = shown(pilot, "#materials")
        assert materials.startswith("请带齐材料 Please bring")
        for name in (
            "居民身份证原件",
            "居民户口簿原件",
            "无犯罪记录证明申请表",
            "用途说明或单位介绍信",
        ):
            assert name in materials
        assert whole_on_screen(pilot, "#item") and whole_on_screen(pilot, "#materials")
        await tap(pilot, "#done")
        await tap(pilot, "#zone-A")  # a zone, not an item: no item lines
        ticket = await on_screen(pilot, TicketScreen)
        await until(pilot, lambda: ticket.view.number == "A001", "the zone ticket")
        assert not ticket.query_one("#item").display and not ticket.query_one("#materials").display

    drive(app, scenario, size=size)


def test_no_window_open_is_said_instead_of_a_wait(lite) -> None:
    """前面还有 0 人 · 预计等候约 0 分钟 was shown with no window of the zone open."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await walk_in(pilot, "M")
        wait = await shows(pilot, "#wait", "本区暂无窗口开放")
        assert "No window of this zone is open now" in wait and "预计等候" not in wait
        await tap(pilot, "#done")
        open_window(lite, 18)
        await walk_in(pilot, "M")
        wait = await shows(pilot, "#wait", "预计等候约")
        assert "About" in wait and "暂无窗口" not in wait

    drive(app, scenario, size=SMALL)


@SIZES
def test_the_staff_menu_fits_and_escape_closes_it(lite, size) -> None:
    """At 80×24 返回/Back was below the screen and Esc did nothing."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        await pilot.press("f12")
        await on_screen(pilot, StaffPinScreen)
        for button in ("#staff-ok", "#staff-cancel", "#clerk", "#pin"):
            assert whole_on_screen(pilot, button), button
        await tap(pilot, "#staff-cancel")
        await on_screen(pilot, StartScreen)
        await staff_login(pilot, "1001", PIN)
        await on_screen(pilot, StaffMenuScreen)
        for button in ("reprint", "printer", "warnings", "back", "quit"):
            assert whole_on_screen(pilot, f"#staff-{button}"), button
        await tap(pilot, "#staff-reprint")
        await shows(pilot, "#staff-output", "还没有出过票")
        assert whole_on_screen(pilot, "#staff-output")
        await pilot.press("escape")
        await on_screen(pilot, StartScreen)
        await staff_login(pilot, "1001", PIN)
        await on_screen(pilot, StaffMenuScreen)
        await tap(pilot, "#staff-back")
        await on_screen(pilot, StartScreen)

    drive(app, scenario, size=size)


def green_by_staff(engine: Engine) -> None:
    text = default_hall_path().read_text(encoding="utf-8")
    changed = text.replace('green_channel = "open"', 'green_channel = "staff"')
    store_hall(engine, parse_hall(changed), changed)


def test_a_hall_can_leave_the_green_channel_to_staff(lite) -> None:
    """绿色通道 was one unguarded tap for anyone."""
    green_by_staff(lite)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        await shows(pilot, "#green", "需工作人员确认")
        await tap(pilot, "#green")
        await on_screen(pilot, GreenPinScreen)
        assert "请导服台工作人员输入工号和密码确认" in " ".join(
            [shown(pilot, "#staff-box > Static")]
        )
        await tap(pilot, "#staff-cancel")  # a citizen alone cannot turn it on
        await on_screen(pilot, StartScreen)
        assert app.green is False
        await tap(pilot, "#green")
        await on_screen(pilot, GreenPinScreen)
        await tap(pilot, "#clerk")
        await pilot.press(*"1001", "enter", *PIN)
        await tap(pilot, "#staff-ok")
        await on_screen(pilot, StartScreen)
        await shows(pilot, "#green", "已选绿色通道")
        ticket = await walk_in(pilot, "M")
        assert ticket.view.priority == "green"
        assert app.green is False  # one ticket, then off again

    drive(app, scenario, size=SMALL)
    assert ticket_by_token(lite, app.last_token or "").priority == "green"
    assert events(lite, "issued")[-1]["green_by"] == "1001"


def test_the_green_channel_says_who_it_is_for_without_a_tooltip(lite) -> None:
    """Its tooltip stayed on screen, covered the M zone's count and dropped 「、残」."""
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await shows(pilot, "#zone-M", "人等候")
        assert app.screen.query_one("#green").tooltip is None
        await tap(pilot, "#green")
        header = await shows(pilot, "#hall", "老年人、残疾人、军人、孕妇优先")
        assert "elderly, disabled, military, pregnant" in header
        await until(  # drawn whole once the header has grown to it
            pilot,
            lambda: "绿色通道：老年人、残疾人、军人、孕妇优先" in "".join(drawn(pilot, "#hall")),
            "the green channel's words drawn in the header",
        )
        assert "人等候" in " ".join(drawn(pilot, "#zone-M"))

    drive(app, scenario, size=SMALL)
