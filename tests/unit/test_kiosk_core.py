"""What the kiosk needs from the core: the green channel a hall guards, the next opening of a
closed zone, a ticket naming its item, and whether any window of its zone is open."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from models.errors import Refused
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.tickets import take_ticket
from models.views import menu
from tests.conftest import NOW, open_window
from tests.support.kiosk_pilot import events
from tests.support.refusals import expect

CST = dt.timezone(dt.timedelta(hours=8))


def green_by_staff(engine: Engine) -> None:
    text = default_hall_path().read_text(encoding="utf-8")
    changed = text.replace('green_channel = "open"', 'green_channel = "staff"')
    assert changed != text
    store_hall(engine, parse_hall(changed), changed)


def test_a_hall_that_guards_the_green_channel_refuses_an_unconfirmed_kiosk_tap(
    engine: Engine,
) -> None:
    green_by_staff(engine)
    expect(
        Refused,
        "green_needs_staff",
        take_ticket,
        engine=engine,
        queue="M",
        priority="green",
        now=NOW,
    )
    confirmed = take_ticket(engine, queue="M", priority="green", now=NOW, green_by="1001")
    assert confirmed.priority == "green"
    assert events(engine, "issued")[-1]["green_by"] == "1001"
    desk = take_ticket(engine, queue="M", priority="green", now=NOW, source="cli")
    assert desk.priority == "green"  # the guide desk's command line


def test_an_open_green_channel_needs_no_one(engine: Engine) -> None:
    assert take_ticket(engine, queue="M", priority="green", now=NOW).priority == "green"


def zone(engine: Engine, prefix: str, at: dt.datetime) -> menu.ZoneChoice:
    return next(z for z in menu.zones(engine, now=at) if z.prefix == prefix)


def test_a_closed_zone_knows_its_next_opening(engine: Engine) -> None:
    sunday = dt.datetime(2026, 12, 6, 10, 34, tzinfo=CST)
    shut = zone(engine, "A", sunday)
    assert shut.closed_key == "hall_closed_day"
    assert shut.opens_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=CST)
    lunch = zone(engine, "A", dt.datetime(2026, 12, 7, 12, 30, tzinfo=CST))
    assert (lunch.closed_key, lunch.opens_at) == (
        "queue_closed",
        dt.datetime(2026, 12, 7, 13, 0, tzinfo=CST),
    )
    evening = zone(engine, "A", dt.datetime(2026, 12, 4, 18, 0, tzinfo=CST))  # a Friday
    assert evening.opens_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=CST)
    national_day = zone(engine, "A", dt.datetime(2026, 10, 2, 9, 0, tzinfo=CST))
    assert national_day.opens_at is not None and national_day.opens_at.date() > dt.date(2026, 10, 7)
    assert zone(engine, "A", NOW).opens_at is None  # open now


def test_a_ticket_names_its_item_and_whether_a_window_is_open(engine: Engine) -> None:
    view = take_ticket(engine, item="M08", now=NOW)
    assert view.item_name_zh == "无犯罪记录证明"
    assert view.materials[0] == "居民身份证原件"
    assert view.open_windows == 0
    open_window(engine, 18)
    assert take_ticket(engine, queue="M", now=NOW).open_windows == 1
    assert take_ticket(engine, queue="A", now=NOW).item_name_zh is None
