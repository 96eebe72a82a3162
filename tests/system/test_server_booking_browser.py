"""Booking in a real browser: Debian's chromium (headless, a small phone's window) books on
`mashangban serve`'s phone pages, reads the booking code, and the citizen checks in at the
kiosk (driven by Pilot on the same database, the next morning) by scanning the booking's QR:
the kiosk shows a priority ticket, and the booking's page in the browser names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from kiosk.screens import TicketScreen
from models.queue.booking import find_booking
from tests.conftest import CST, NOW
from tests.support.kiosk_pilot import drive, kiosk, on_screen, shows
from tests.support.webserver import WebServer, timed

pytestmark = pytest.mark.slow

DAY = "2026-11-26"
AT_THE_HALL = dt.datetime(2026, 11, 26, 8, 50, tzinfo=CST)
"""The next morning, ten minutes before the 09:00 slot: check-in is open."""


@pytest.fixture
def server(lite: Engine, sqlite_url: str, tmp_path: Path) -> Iterator[WebServer]:
    web = WebServer(sqlite_url, now=NOW.isoformat(), log=tmp_path / "server.log")
    web.start()
    try:
        yield web
    finally:
        web.stop()


def body_text(browser: Any) -> str:
    text: str = browser.find_element("tag name", "body").text
    return text


def test_book_on_the_phone_then_check_in_at_the_kiosk(
    server: WebServer, browser: Any, lite: Engine, preview_dir: Path
) -> None:
    browser.get(f"{server.url}/")
    browser.find_element("css selector", 'a[href="/book"]').click()
    assert "市国土资源局" in body_text(browser)
    browser.find_element("css selector", 'a[href="/book/M05"]').click()
    assert "抵押登记信息查询" in body_text(browser)
    browser.find_element("css selector", f'a[href="/book/M05/{DAY}"]').click()
    assert "09:00–09:15" in body_text(browser)
    browser.find_element("css selector", 'input[name="start"][value="09:00"]').click()
    browser.find_element("name", "name").send_keys("张三丰")
    browser.find_element("name", "mobile").send_keys("13812345678")
    browser.find_element("css selector", "form.book button").click()
    timed(lambda: "预约成功" in body_text(browser), what="the booking page")
    page = body_text(browser)
    assert "Booked" in page and "138****5678" in page and "张*丰" in page
    assert "13812345678" not in browser.page_source
    code = browser.find_element("id", "code").text.strip()
    assert code and code.isalnum()
    assert browser.find_element("css selector", ".qrbox svg").is_displayed()
    token = browser.current_url.split("/b/")[1].split("?")[0]
    assert find_booking(lite, token=token).code == code
    # The next morning at the kiosk: the scanner reads the booking's QR (its code alone).
    app = kiosk(lite, at=AT_THE_HALL)
    number = ""

    async def scenario(pilot: Pilot[None]) -> None:
        nonlocal number
        await shows(pilot, "#zone-M", "人等候")
        await pilot.press(*f"MSB:B:{code}", "enter")
        ticket = await on_screen(pilot, TicketScreen)
        assert ticket.view.priority == "appointment" and ticket.view.item == "M05"
        number = ticket.view.number

    drive(app, scenario, size=(80, 24))
    assert number.startswith("M")
    # The booking's page says it was checked in, with the ticket's number.
    browser.get(f"{server.url}/b/{token}")
    page = body_text(browser)
    assert "已签到" in page and f"取得号码 {number}" in page
