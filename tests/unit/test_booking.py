"""Online booking: the days and slots the hall file offers, the rules that refuse, masking."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from models.db import reading
from models.errors import NotFound, Refused
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.appointments import check_in
from models.queue.booking import (
    Booking,
    book,
    bookable_days,
    booking_menu,
    cancel_booking,
    find_booking,
    open_slots,
)
from models.tables import Appointment, Event, OutboxMessage, Priority, Ticket
from tests.conftest import CST, NOW

THU, FRI, MON = dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 30)
NINE = dt.time(9, 0)
MOBILE = "13812341234"


def reload_with(engine: Engine, old: str, new: str) -> None:
    """The shipped hall with one line changed."""
    text = default_hall_path().read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    store_hall(engine, parse_hall(text), text)


def make(engine: Engine, **kw: object) -> Booking:
    args: dict[str, object] = {
        "item_code": "M01",
        "day": THU,
        "start": NINE,
        "name": "张三丰",
        "mobile": MOBILE,
        "channel": "web",
        "now": NOW,
    }
    args.update(kw)
    return book(engine, **args)  # type: ignore[arg-type]


def refusal(engine: Engine, **kw: object) -> Refused:
    with pytest.raises(Refused) as info:
        make(engine, **kw)
    return info.value


# ---------------------------------------------------------------- what can be booked


def test_the_default_hall_offers_items_by_department_with_their_queue(engine: Engine) -> None:
    menu = booking_menu(engine, now=NOW)
    m01 = next(i for i in menu["市国土资源局"] if i.code == "M01")
    assert (m01.queue, m01.queue_name_zh, m01.slot_minutes) == ("M", "马上办", 15)
    codes = {i.code for items in menu.values() for i in items}
    assert {"A01", "C01", "M23"} <= codes
    assert not {"D01", "E01", "F01"} & codes  # D, E and F take no bookings


def test_days_run_from_the_next_working_day_to_five_ahead(engine: Engine) -> None:
    # Wednesday 25 November: Thu, Fri, (weekend), Mon, Tue, Wed.
    assert bookable_days(engine, item_code="M01", now=NOW) == [
        THU, FRI, MON, dt.date(2026, 12, 1), dt.date(2026, 12, 2),
    ]  # fmt: skip


def test_holidays_are_skipped_and_adjusted_working_days_count(engine: Engine) -> None:
    # Thursday 12 February 2026: Spring Festival 15-23 Feb; Saturday 14 Feb is a working day.
    now = dt.datetime(2026, 2, 12, 10, 0, tzinfo=CST)
    days = bookable_days(engine, item_code="M01", now=now)
    assert days == [dt.date(2026, 2, d) for d in (13, 14, 24, 25, 26)]
    saturday = make(engine, day=dt.date(2026, 2, 14), now=now)
    assert saturday.day == dt.date(2026, 2, 14)
    holiday = refusal(engine, day=dt.date(2026, 2, 17), now=now, mobile="13900000001")
    assert holiday.key == "booking_closed_day"
    assert "不是工作日" in holiday.zh and "2026-02-13" in holiday.en and "2026-02-26" in holiday.en
    assert refusal(engine, day=dt.date(2026, 2, 27), now=now).key == "booking_too_far"


def test_past_today_weekend_and_too_far_are_refused(engine: Engine) -> None:
    past = refusal(engine, day=dt.date(2026, 11, 24))
    assert past.key == "booking_past" and "2026-11-24" in past.en
    soon = refusal(engine, day=NOW.date())
    assert soon.key == "booking_too_soon" and "2026-11-26" in soon.en and "最早" in soon.zh
    assert refusal(engine, day=dt.date(2026, 11, 28)).key == "booking_closed_day"
    far = refusal(engine, day=dt.date(2026, 12, 3))
    assert far.key == "booking_too_far" and "2026-12-02" in far.en


def test_slots_follow_the_booking_hours(engine: Engine) -> None:
    slots = open_slots(engine, item_code="M01", day=THU, now=NOW)
    # 08:30-12:00 and 13:00-17:00 in 15-minute slots: 14 + 16.
    assert len(slots) == 30
    assert (slots[0].start, slots[0].end, slots[0].places, slots[0].free) == (
        dt.time(8, 30), dt.time(8, 45), 4, 4,
    )  # fmt: skip
    assert dt.time(12, 0) not in {s.start for s in slots}
    lunch = refusal(engine, start=dt.time(12, 15))
    assert lunch.key == "booking_not_a_slot" and "08:30-12:00" in lunch.en
    assert refusal(engine, start=dt.time(9, 5)).key == "booking_not_a_slot"


def test_today_offers_only_slots_not_yet_begun(engine: Engine) -> None:
    reload_with(engine, "first_day = 1 ", "first_day = 0 ")
    slots = open_slots(engine, item_code="M01", day=NOW.date(), now=NOW)
    assert slots[0].start == dt.time(10, 15)  # 10:00 has begun at 10:00
    begun = refusal(engine, day=NOW.date(), start=dt.time(9, 45))
    assert begun.key == "booking_slot_begun"


def test_items_not_open_to_booking_are_refused(engine: Engine) -> None:
    with pytest.raises(Refused) as info:
        bookable_days(engine, item_code="E01", now=NOW)
    assert info.value.key == "booking_not_bookable"
    with pytest.raises(NotFound):
        make(engine, item_code="ZZ9")


# ---------------------------------------------------------------- places and people


def test_a_full_slot_is_refused_and_a_cancel_frees_a_place(engine: Engine) -> None:
    made = [make(engine, mobile=f"1390000000{n}") for n in range(4)]
    assert open_slots(engine, item_code="M02", day=THU, now=NOW)[2].free == 0  # shared with M
    full = refusal(engine, mobile="13900000009")
    assert full.key == "booking_full" and "约满" in full.zh
    cancel_booking(engine, token=made[0].token or "", now=NOW)
    assert open_slots(engine, item_code="M01", day=THU, now=NOW)[2].free == 1
    assert make(engine, mobile="13900000009").status == "booked"


def test_an_item_with_its_own_rule_has_its_own_places(engine: Engine) -> None:
    slots = open_slots(engine, item_code="C01", day=THU, now=NOW)
    assert (slots[0].end, slots[0].places) == (dt.time(8, 50), 4)
    other = open_slots(engine, item_code="C02", day=THU, now=NOW)
    assert (other[0].end, other[0].places) == (dt.time(9, 0), 3)


def test_one_booking_per_person_per_item_per_day(engine: Engine) -> None:
    make(engine)
    again = refusal(engine, start=dt.time(10, 0), mobile="+86 138-1234-1234")
    assert again.key == "booking_limit" and "不动产登记信息查询" in again.zh
    assert make(engine, item_code="M02", start=dt.time(10, 0)).status == "booked"
    assert make(engine, day=FRI).status == "booked"


def test_the_id_number_links_two_mobiles_of_one_person(engine: Engine) -> None:
    person = "11010519491231002X"
    make(engine, id_number=person)
    second = refusal(engine, mobile="13900000001", id_number=person.lower(), start=dt.time(10, 0))
    assert second.key == "booking_limit"
    with reading(engine) as session:
        keys = session.exec(select(Appointment.id_key)).all()
        stored = json.dumps([str(v) for v in session.exec(select(Appointment)).all()])
    assert keys[0] and len(keys[0]) == 64 and person not in stored and "1949" not in str(keys)


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("mobile", "12345", "booking_bad_mobile"),
        ("mobile", "23812341234", "booking_bad_mobile"),
        ("name", "", "booking_bad_name"),
        ("name", "张三1", "booking_bad_name"),
        ("name", "张\x1b[2J", "booking_bad_name"),
        ("name", "王" * 33, "booking_bad_name"),
        ("id_number", "110105194912310021", "booking_bad_id"),
    ],
)
def test_bad_names_mobiles_and_id_numbers_are_refused(
    lite: Engine, field: str, value: str, key: str
) -> None:
    assert refusal(lite, **{field: value}).key == key


# ---------------------------------------------------------------- cancelling


def test_cancel_until_two_hours_before_the_slot(engine: Engine) -> None:
    made = make(engine)
    assert made.cancel_until == dt.datetime(2026, 11, 26, 7, 0, tzinfo=CST)
    late = dt.datetime(2026, 11, 26, 7, 1, tzinfo=CST)
    with pytest.raises(Refused) as info:
        cancel_booking(engine, token=made.token or "", now=late)
    assert info.value.key == "booking_cancel_closed" and "2026-11-26 07:00" in info.value.en
    done = cancel_booking(engine, token=made.token or "", now=made.cancel_until)
    assert done.status == "cancelled"
    with pytest.raises(Refused) as again:
        cancel_booking(engine, token=made.token or "", now=NOW)
    assert again.value.key == "booking_cancel_again"
    with pytest.raises(NotFound):
        find_booking(engine, token="nope", now=NOW)


# ---------------------------------------------------------------- the record, masked


def test_booking_shows_masked_data_and_the_kiosk_qr(engine: Engine) -> None:
    made = make(engine, channel="api:wechat")
    assert (made.name_masked, made.mobile_masked) == ("张*丰", "138****1234")
    assert made.qr_text == f"MSB:B:{made.code}" and len(made.code) == 8
    assert made.token and len(made.token) >= 32 and made.token != made.code
    assert find_booking(engine, token=made.token, now=NOW) == made
    assert (made.queue, made.item_name_zh, made.end) == ("M", "不动产登记信息查询", dt.time(9, 15))


def test_events_carry_no_personal_data_the_outbox_tells_the_mobile(engine: Engine) -> None:
    made = make(engine, id_number="11010519491231002X")
    cancel_booking(engine, token=made.token or "", now=NOW)
    with reading(engine) as session:
        events = [e.data for e in session.exec(select(Event)).all()]
        kinds = [e.kind for e in session.exec(select(Event).order_by(col(Event.seq))).all()]
        messages = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    text = "\n".join(events)
    for secret in ("张三丰", MOBILE, "11010519491231002X", made.token):
        assert secret and secret not in text
    assert kinds[-2:] == ["booked", "booking_cancelled"] and "138****1234" in text
    assert [(m.kind, m.recipient) for m in messages] == [
        ("booking_made", MOBILE),
        ("booking_cancelled", MOBILE),
    ]
    assert all(MOBILE not in m.data and "张三丰" not in m.data for m in messages)
    assert json.loads(messages[0].data)["code"] == made.code


def test_check_in_by_the_booking_code_gives_a_priority_ticket(engine: Engine) -> None:
    made = make(engine)
    at = dt.datetime(2026, 11, 26, 8, 45, tzinfo=CST)
    view = check_in(engine, code=made.qr_text, now=at)  # as the kiosk's scanner types it
    assert view.number.startswith("M")
    after = find_booking(engine, token=made.token or "", now=at)
    assert (after.status, after.ticket_number) == ("checked_in", view.number)
    with reading(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == view.number)).one()
        assert ticket.priority == Priority.APPOINTMENT
        assert session.exec(select(func.count()).select_from(Appointment)).one() == 1
    with pytest.raises(Refused) as info:
        cancel_booking(engine, token=made.token or "", now=at)
    assert info.value.key == "booking_cancel_checked_in"


def test_staff_cancel_by_code_keeps_the_deadline(engine: Engine) -> None:
    from models.queue.booking import cancel_by_code

    made = make(engine)
    with pytest.raises(NotFound) as unknown:
        cancel_by_code(engine, code="NOSUCH99", now=NOW)
    assert unknown.value.key == "booking_unknown_code" and "NOSUCH99" in unknown.value.en
    assert cancel_by_code(engine, code=made.code.lower(), now=NOW).status == "cancelled"


def test_a_long_api_key_name_is_cut_to_the_channel_column(engine: Engine) -> None:
    made = make(engine, channel="api:" + "x" * 60)
    assert made.channel == "api:" + "x" * 36
    assert find_booking(engine, token=made.token or "", now=NOW).channel == made.channel
