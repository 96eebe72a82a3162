"""The monitor's summary counts today's bookings: checked in of booked, and the no-shows."""

from __future__ import annotations

import asyncio
import datetime as dt

from models.queue.appointments import check_in
from models.queue.booking import book
from models.queue.bookingcare import mark_no_shows
from monitor.app import MonitorSettings, create_app
from tests.conftest import CST, NOW
from tests.support.counter_pilot import Clock, shown, shows

DAY_BEFORE = dt.datetime(2026, 11, 24, 10, 0, tzinfo=CST)


def test_the_summary_counts_todays_bookings(lite) -> None:
    def booking(start: dt.time, mobile: str) -> str:
        return book(lite, item_code="M01", day=NOW.date(), start=start, name="张三",
                    mobile=mobile, channel="web", now=DAY_BEFORE).code  # fmt: skip

    came = booking(dt.time(9, 0), "13800000001")
    booking(dt.time(9, 30), "13800000002")
    check_in(lite, code=came, now=NOW - dt.timedelta(minutes=55))
    app = create_app(MonitorSettings(engine=lite, clock=Clock(), poll_seconds=0.2))

    async def main() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await shows(pilot, "#summary", "预约签到 checked in 1/2 爽约 no-show 0")
            mark_no_shows(lite, now=NOW)  # 09:30 + 15 minutes has passed at 10:00
            await shows(pilot, "#summary", "预约签到 checked in 1/2 爽约 no-show 1")
            assert "等候 waiting 1" in shown(pilot, "#summary")  # the checked-in ticket

    asyncio.run(main())
