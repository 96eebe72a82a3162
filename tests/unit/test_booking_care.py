"""After booking: no-shows (爽约) and the block they bring, reminders, erasing personal data,
and the supervisor's figures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col, select

from models.db import reading, writing
from models.errors import Refused
from models.hall import hall_settings
from models.notify.sender import message_texts
from models.queue.appointments import check_in
from models.queue.booking import Booking, book, cancel_booking, find_booking
from models.queue.bookingcare import (
    booking_stats,
    erase_personal_data,
    list_bookings,
    mark_no_shows,
    remind,
)
from models.queue.dayclose import close_past_days
from models.tables import Appointment, Event, OutboxMessage
from tests.conftest import CST, NOW

THU, FRI = dt.date(2026, 11, 26), dt.date(2026, 11, 27)
MOBILE = "13812341234"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST)


def make(engine: Engine, **kw: object) -> Booking:
    args: dict[str, object] = {
        "item_code": "M01",
        "day": THU,
        "start": dt.time(9, 0),
        "name": "张三丰",
        "mobile": MOBILE,
        "channel": "web",
        "now": NOW,
    }
    args.update(kw)
    return book(engine, **args)  # type: ignore[arg-type]


def status(engine: Engine, made: Booking) -> str:
    return find_booking(engine, token=made.token or "", now=NOW).status


# ---------------------------------------------------------------- no-shows


def test_a_booking_not_checked_in_by_the_late_window_is_a_no_show(engine: Engine) -> None:
    missed, came, cancelled = (
        make(engine),
        make(engine, mobile="13900000001"),
        make(engine, mobile="13900000002"),
    )
    check_in(engine, code=came.code, now=at(THU, 8, 50))
    cancel_booking(engine, token=cancelled.token or "", now=NOW)  # in time: never a no-show
    assert mark_no_shows(engine, now=at(THU, 9, 15)) == 0  # 15 minutes late is still on time
    assert status(engine, missed) == "booked"
    assert mark_no_shows(engine, now=at(THU, 9, 16)) == 1
    assert mark_no_shows(engine, now=at(THU, 9, 17)) == 0  # once
    assert [status(engine, b) for b in (missed, came, cancelled)] == [
        "no_show", "checked_in", "cancelled",
    ]  # fmt: skip
    with reading(engine) as session:
        event = session.exec(select(Event).order_by(col(Event.seq).desc())).first()
    assert event is not None and event.kind == "booking_no_show"
    assert missed.code in event.data and MOBILE not in event.data


def test_the_day_close_marks_the_no_shows(engine: Engine) -> None:
    missed = make(engine)
    done = close_past_days(engine, now=at(FRI, 3, 0))
    assert done.no_shows == 1 and status(engine, missed) == "no_show"
    assert close_past_days(engine, now=at(FRI, 3, 5)).no_shows == 0


def no_show(engine: Engine, day: dt.date, *, mobile: str = MOBILE) -> None:
    """A booking of ``day`` (made the working day before) that nobody came for."""
    before = day - dt.timedelta(days=3 if day.weekday() == 0 else 1)
    make(engine, day=day, mobile=mobile, now=at(before, 10))
    mark_no_shows(engine, now=at(day, 18))


def test_first_no_show_warns_the_second_within_30_days_blocks_for_30(engine: Engine) -> None:
    no_show(engine, THU)
    warned = make(engine, day=dt.date(2026, 12, 2), now=at(dt.date(2026, 12, 1), 10))
    assert warned.warning_zh and "爽约 1 次" in warned.warning_zh
    assert warned.warning_en and "missed 1 booking(s) within 30 days" in warned.warning_en
    cancel_booking(engine, token=warned.token or "", now=at(dt.date(2026, 12, 1), 11))
    no_show(engine, dt.date(2026, 12, 3))  # the second, 7 days after the first
    with pytest.raises(Refused) as info:
        make(engine, day=dt.date(2026, 12, 7), now=at(dt.date(2026, 12, 4), 10))
    refusal = info.value
    assert refusal.key == "booking_blocked"
    assert "2027-01-02" in refusal.en and "2 missed bookings within 30 days" in refusal.en
    assert "暂停网上预约至 2027-01-02" in refusal.zh
    # Someone else books freely; the blocked person can book again from 2 January.
    assert make(
        engine, day=dt.date(2026, 12, 7), mobile="13900000001", now=at(dt.date(2026, 12, 4), 10)
    )
    again = make(engine, day=dt.date(2027, 1, 4), now=at(dt.date(2027, 1, 2), 10))
    assert again.status == "booked"


def test_two_no_shows_further_apart_than_the_window_do_not_block(engine: Engine) -> None:
    no_show(engine, THU)
    no_show(engine, dt.date(2027, 1, 4))  # 39 days later
    made = make(engine, day=dt.date(2027, 1, 6), now=at(dt.date(2027, 1, 5), 10))
    assert made.status == "booked" and made.warning_en  # one no-show in the last 30 days


# ---------------------------------------------------------------- reminders


def test_reminders_for_tomorrow_once_each(engine: Engine) -> None:
    tomorrow = make(engine)
    make(engine, day=FRI, mobile="13900000001")
    gone = make(engine, mobile="13900000002")
    cancel_booking(engine, token=gone.token or "", now=NOW)
    evening = at(NOW.date(), 19)
    assert remind(engine, now=evening) == 1
    assert remind(engine, now=evening) == 0
    with reading(engine) as session:
        sent = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "booking_reminder")
        ).all()
    assert [(m.recipient, json.loads(m.data)["code"]) for m in sent] == [(MOBILE, tomorrow.code)]
    assert sent[0].dedupe and sent[0].dedupe.startswith("booking_reminder:")


def test_every_booking_message_says_its_slot_code_and_item(engine: Engine) -> None:
    """What the gateway gets to send (booking made, cancelled, reminded) is whole text in both
    languages, not an empty message: the sender's wording and the booking's facts agree."""
    kept = make(engine)
    gone = make(engine, mobile="13900000002")
    cancel_booking(engine, token=gone.token or "", now=NOW)
    remind(engine, now=at(NOW.date(), 19))
    with reading(engine) as session:
        settings = hall_settings(session)
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    said = {}
    for row in rows:
        zh, en = message_texts(row.kind, json.loads(row.data), settings)
        code = json.loads(row.data)["code"]
        assert code in zh and code in en, (row.kind, zh, en)
        assert "09:00-09:15" in zh and "09:00-09:15" in en
        assert "不动产登记信息查询" in zh and "Real estate register enquiry" in en
        assert MOBILE not in zh + en and "张" not in zh
        said[row.kind] = code
    assert said == {
        "booking_made": gone.code,
        "booking_cancelled": gone.code,
        "booking_reminder": kept.code,
    }


# ---------------------------------------------------------------- personal data


def test_erase_after_retention_and_the_block_still_holds(engine: Engine) -> None:
    no_show(engine, THU)
    kept = make(engine, day=dt.date(2026, 12, 2), now=at(dt.date(2026, 12, 1), 10))
    with writing(engine) as session:  # the sender settled the messages long ago
        session.execute(update(OutboxMessage).values(state="sent"))
    # 30 days after 26 November: no booking of 26 November is erased on 26 December, but the
    # message about it, sent on 25 November, loses its recipient ...
    first = erase_personal_data(engine, now=at(dt.date(2026, 12, 26), 3))
    assert (first.bookings, first.messages) == (0, 1)
    # ... and the booking's data goes on 27 December; the booking of 2 December keeps its own.
    done = erase_personal_data(engine, now=at(dt.date(2026, 12, 27), 3))
    assert (done.bookings, done.keys, done.messages) == (1, 0, 0)
    with reading(engine) as session:
        rows = {a.slot_date: a for a in session.exec(select(Appointment)).all()}
        messages = select(OutboxMessage).order_by(col(OutboxMessage.id))
        recipients = [m.recipient for m in session.exec(messages).all()]
    old = rows[THU]
    assert (old.name, old.mobile, old.name_masked, old.mobile_masked) == (None, None, "", "")
    assert old.person_key  # still counts for the rule
    assert rows[dt.date(2026, 12, 2)].mobile == MOBILE
    assert recipients == [None, MOBILE]
    listed = list_bookings(engine, day=THU)
    assert [(b.name_masked, b.mobile_masked) for b in listed] == [("", "")]
    assert erase_personal_data(engine, now=at(dt.date(2026, 12, 27), 4)).bookings == 0
    # The person's keys go once they can count for no block: 60 days after the slot.
    later = erase_personal_data(engine, now=at(dt.date(2027, 1, 26), 3))
    assert later.keys == 1
    assert kept.mobile_masked == "138****1234"


def test_pending_messages_keep_their_recipient(engine: Engine) -> None:
    make(engine)
    erase_personal_data(engine, now=at(dt.date(2027, 3, 1), 3))
    with reading(engine) as session:
        message = session.exec(select(OutboxMessage)).one()
    assert message.state == "pending" and message.recipient == MOBILE


# ---------------------------------------------------------------- the supervisor's figures


def test_stats_per_slot_and_blocked_people(engine: Engine) -> None:
    no_show(engine, THU)
    no_show(engine, FRI)  # blocked from now on
    came = make(engine, day=FRI, mobile="13900000001")
    check_in(engine, code=came.code, now=at(FRI, 8, 45))
    make(engine, day=FRI, start=dt.time(10, 0), mobile="13900000002")
    stats = booking_stats(engine, day=FRI, now=at(FRI, 18))
    assert [(s.start, s.booked, s.checked_in, s.no_show) for s in stats.slots] == [
        (dt.time(9, 0), 0, 1, 1),
        (dt.time(10, 0), 1, 0, 0),
    ]
    assert stats.total("no_show") == 1 and stats.total("checked_in") == 1
    assert [(b.mobile_masked, b.no_shows, b.until) for b in stats.blocked] == [
        ("138****1234", 2, dt.date(2026, 12, 27))
    ]
