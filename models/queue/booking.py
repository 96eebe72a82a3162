"""Online booking: booking and cancelling (what can be booked, the days and the open slots are
in :mod:`models.queue.bookingmenu`, imported here too, so callers need this module only).

A booking is an :class:`~models.tables.Appointment` row, the same one the CSV import writes and
check-in (:func:`models.queue.appointments.check_in`) turns into a priority ticket. It has two
codes: the short booking code typed (or scanned, ``MSB:B:<code>``) at the kiosk, and a long
random token for its own page, where it can be viewed and cancelled.

Places are counted under a lock (:mod:`models.queue.bookingplaces`): each slot has a row
(:class:`~models.tables.BookingSlot`) that a booking locks (``FOR UPDATE``) and increments
only while places are left, so 200 people for the last 10 places get exactly 10 bookings.
The lock order (see :mod:`models.db`): the person rows (keys ascending, to count their
bookings), then the slot row, then the new appointment and its outbox message, then the event
chain head. A cancel locks its appointment, then its slot row.

The name and mobile number are stored in clear only for the retention period
(:mod:`models.queue.bookingcare` erases them), shown masked everywhere, never written into an
event; only the outbox message carries the mobile number, as its recipient.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace

from sqlalchemy import Engine, Table, bindparam, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from models.bookingrules import rule_for
from models.db import reading, retry_conflicts, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import HallConfig, ItemConfig, hall_config
from models.lookup import queue_by_id
from models.notify.outbox import enqueue
from models.queue.bookingblocks import held_count, standing
from models.queue.bookingmenu import (
    BookableItem,
    Slot,
    bookable_days,
    booking_menu,
    item_rule,
    open_slots,
)
from models.queue.bookingpeople import (
    clean_id_number,
    clean_mobile,
    clean_name,
    mask_mobile,
    mask_name,
    person_key,
)
from models.queue.bookingplaces import free_place, lock_people, take_place
from models.queue.bookingslots import (
    cancel_until,
    check_day,
    slot_end,
    slot_started,
)
from models.tables import Appointment, ServiceItem, Ticket
from models.text import errors
from models.timeutil import business_date, resolve_now

__all__ = [
    "BookableItem",
    "Booking",
    "Slot",
    "book",
    "bookable_days",
    "booking_menu",
    "cancel_booking",
    "cancel_by_code",
    "find_booking",
    "free_place",
    "lock_people",
    "open_slots",
    "take_place",
]

CHANNEL_MAX = 40
"""A channel's name is kept to this many characters (a long API key name is cut)."""
CHANNELS = ("web", "csv", "kiosk", "staff")
"""Channels by name (staff: the command line); an API key's is ``api:<key name>``."""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Booking codes: no 0/O or 1/I to confuse at the keypad."""
CODE_LENGTH = 8
QR_PREFIX = "MSB:B:"
"""What a booking's QR carries before its code (the kiosk scanner types it)."""

APPTS: Table = Appointment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Booking:
    """A booking as its citizen, the pages and the commands see it (personal data masked)."""

    code: str
    token: str | None
    queue: str
    queue_name_zh: str
    queue_name_en: str
    item_code: str | None
    item_name_zh: str
    item_name_en: str
    day: dt.date
    start: dt.time
    end: dt.time
    name_masked: str
    mobile_masked: str
    status: str
    """booked, checked_in, cancelled or no_show."""
    cancel_until: dt.datetime
    """The last moment it can be cancelled, in the hall's local time."""
    channel: str
    ticket_number: str | None = None
    """The priority ticket it became at check-in."""
    warning_zh: str | None = None
    """Set on a new booking of a person with a no-show: what another one would bring."""
    warning_en: str | None = None

    @property
    def qr_text(self) -> str:
        """What the booking's QR carries for the kiosk's scanner (no personal data)."""
        return QR_PREFIX + self.code

    @property
    def cancellable(self) -> bool:
        """Whether cancelling it is still possible by its status (the deadline aside)."""
        return self.status == "booked"


@retry_conflicts
def book(
    engine: Engine,
    *,
    item_code: str,
    day: dt.date,
    start: dt.time,
    name: str,
    mobile: str,
    id_number: str | None = None,
    channel: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a place in a slot for a person; the booking with its code and token.

    Writes the appointment, its ``booking_made`` outbox message (to the mobile number) and a
    ``booked`` event (code and masked values only) in one transaction. Raises Refused: bad
    name, mobile or ID number; the item not bookable; the day past, too soon, too far or not a
    working day; no such slot or already begun; the person's limit reached; the person blocked
    for no-shows; the slot full. NotFound for an unknown item.
    """
    moment = resolve_now(now)
    person, number = clean_name(name), clean_mobile(mobile)
    id_clean = clean_id_number(id_number)
    mobile_key = person_key("m", number)
    id_key = person_key("id", id_clean) if id_clean else None
    start = start.replace(second=0, microsecond=0, tzinfo=None)
    with writing(engine) as session:
        config, item, queue, rule = item_rule(session, item_code)
        tz = config.hall.timezone
        today = business_date(moment, tz)
        check_day(config.hall, rule, day, today)
        end = slot_end(rule, day, start)
        if slot_started(tz, day, start, moment):
            raise Refused("booking_slot_begun", start=start.strftime("%H:%M"))
        # Lock order: person rows (ascending), then the slot row.
        lock_people(session, sorted(k for k in (mobile_key, id_key) if k), moment)
        record = standing(
            session, config.booking, mobile_key=mobile_key, id_key=id_key, today=today
        )
        if record.blocked_until is not None:
            raise Refused(
                "booking_blocked",
                count=config.booking.no_show_limit,
                days=config.booking.no_show_window_days,
                until=record.blocked_until.isoformat(),
            )
        held = held_count(
            session,
            mobile_key=mobile_key,
            id_key=id_key,
            day=day,
            queue_id=queue.id,
            item_code=item.code,
        )
        if held >= rule.per_person_per_day:
            raise Refused(
                "booking_limit", limit=rule.per_person_per_day, item=item.name_zh, day=day
            )
        take_place(session, rule, day, start)
        appt = Appointment(
            code=new_code(session),
            token=secrets.token_urlsafe(24),
            queue_id=queue.id,
            item_code=item.code,
            slot_date=day,
            slot_start=start,
            slot_end=end,
            name_masked=mask_name(person),
            status="booked",
            imported_at=moment,
            channel=channel[:CHANNEL_MAX],
            pool=rule.pool,
            name=person,
            mobile=number,
            mobile_masked=mask_mobile(number),
            person_key=mobile_key,
            id_key=id_key,
            booked_at=moment,
        )
        inserted = session.execute(APPTS.insert().values(**appt.model_dump(exclude={"id"})))
        appt.id = inserted.inserted_primary_key[0]  # type: ignore[attr-defined]
        enqueue(
            session,
            kind="booking_made",
            data=message_facts(appt, config, item),
            recipient=number,
            appointment_id=appt.id,
            now=moment,
        )
        append_event(
            session,
            kind="booked",
            at=moment,
            data={
                "code": appt.code,
                "item": item.code,
                "day": day.isoformat(),
                "start": start.strftime("%H:%M"),
                "channel": channel,
                "name": appt.name_masked,
                "mobile": appt.mobile_masked,
            },
        )
        view = Booking(
            code=appt.code,
            token=appt.token,
            queue=queue.prefix,
            queue_name_zh=queue.name_zh,
            queue_name_en=queue.name_en,
            item_code=item.code,
            item_name_zh=item.name_zh,
            item_name_en=item.name_en,
            day=day,
            start=start,
            end=end,
            name_masked=appt.name_masked,
            mobile_masked=appt.mobile_masked,
            status="booked",
            cancel_until=cancel_until(tz, rule.cancel_before_minutes, day, start),
            channel=appt.channel,
        )
    if record.no_shows and config.booking.no_show_limit:
        values = {
            "count": record.no_shows,
            "days": config.booking.no_show_window_days,
            "limit": config.booking.no_show_limit,
            "block": config.booking.no_show_block_days,
        }
        return _with_warning(view, *errors.pair("booking_warning", **values))
    return view


def _with_warning(view: Booking, zh: str, en: str) -> Booking:
    return replace(view, warning_zh=zh, warning_en=en)


_CODE_USED = select(APPTS.c.id).where(APPTS.c.code == bindparam("p_code"))


def new_code(session: Session) -> str:
    """A booking code no booking or import has."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.execute(_CODE_USED, {"p_code": code}).first() is None:
            return code


def message_facts(
    appt: Appointment, config: HallConfig, item: ItemConfig | ServiceItem | None
) -> dict[str, str]:
    """What a message about a booking says: no name, no mobile number."""
    return {
        "code": appt.code,
        "hall_zh": config.hall.name_zh,
        "hall_en": config.hall.name_en,
        "item": item.code if item else "",
        "item_zh": item.name_zh if item else "",
        "item_en": item.name_en if item else "",
        "day": appt.slot_date.isoformat(),
        "start": appt.slot_start.strftime("%H:%M"),
        "end": appt.slot_end.strftime("%H:%M"),
        "url": f"{config.hall.public_url}/b/{appt.token}" if config.hall.public_url else "",
    }


def find_booking(engine: Engine, *, token: str, now: dt.datetime | None = None) -> Booking:
    """A booking by its page's token. Raises NotFound (booking_unknown)."""
    del now
    with reading(engine) as session:
        appt = _by_token(session, token, lock=False)
        return _view(session, appt, hall_config(session))


def _by_token(session: Session, token: str, *, lock: bool) -> Appointment:
    if not token or len(token) > 64:
        raise NotFound("booking_unknown")
    query = orm_select(Appointment).where(
        Appointment.token == token, col(Appointment.import_batch).is_(None)
    )
    appt = session.exec(query.with_for_update() if lock else query).first()
    if appt is None:
        raise NotFound("booking_unknown")
    return appt


@retry_conflicts
def cancel_booking(engine: Engine, *, token: str, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking by its page's token, up to its cancellation deadline; its place is free
    again. Writes the ``booking_cancelled`` message and event. Raises NotFound; Refused when it
    is checked in, cancelled, a no-show, or past its deadline."""
    moment = resolve_now(now)
    with writing(engine) as session:
        appt = _by_token(session, token, lock=True)
        config = hall_config(session)
        view = _view(session, appt, config)
        cancel(session, appt, view, config, moment)
        return _view(session, appt, config)


_NOT_CANCELLABLE = {
    "checked_in": "booking_cancel_checked_in",
    "cancelled": "booking_cancel_again",
    "no_show": "booking_cancel_no_show",
}


@retry_conflicts
def cancel_by_code(engine: Engine, *, code: str, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking by its short code (staff, for a citizen who phones the hall), with the
    same deadline as the citizen's page. Raises NotFound (booking_unknown_code), Refused."""
    moment = resolve_now(now)
    with writing(engine) as session:
        appt = session.exec(
            orm_select(Appointment)
            .where(
                Appointment.code == code.strip().upper(), col(Appointment.import_batch).is_(None)
            )
            .with_for_update()
        ).first()
        if appt is None:
            raise NotFound("booking_unknown_code", code=code)
        config = hall_config(session)
        cancel(session, appt, _view(session, appt, config), config, moment)
        return _view(session, appt, config)


def cancel(
    session: Session, appt: Appointment, view: Booking, config: HallConfig, moment: dt.datetime
) -> None:
    """Cancel a locked appointment (see :func:`cancel_booking`)."""
    if appt.status != "booked":
        raise Refused(_NOT_CANCELLABLE.get(appt.status, "booking_cancel_no_show"))
    if moment > view.cancel_until:
        raise Refused("booking_cancel_closed", until=view.cancel_until.strftime("%Y-%m-%d %H:%M"))
    if appt.pool:
        free_place(session, appt.pool, appt.slot_date, appt.slot_start)
    appt.status, appt.cancelled_at = "cancelled", moment
    session.add(appt)
    session.flush()
    assert appt.id is not None
    item = session.exec(orm_select(ServiceItem).where(ServiceItem.code == appt.item_code)).first()
    if appt.mobile:
        enqueue(
            session,
            kind="booking_cancelled",
            data=message_facts(appt, config, item),
            recipient=appt.mobile,
            appointment_id=appt.id,
            now=moment,
        )
    append_event(session, kind="booking_cancelled", at=moment, data={"code": appt.code})


def _view(session: Session, appt: Appointment, config: HallConfig) -> Booking:
    queue = queue_by_id(session, appt.queue_id)
    item = (
        session.exec(orm_select(ServiceItem).where(ServiceItem.code == appt.item_code)).first()
        if appt.item_code
        else None
    )
    rule = rule_for(config, queue=queue.prefix, item=appt.item_code)
    minutes = rule.cancel_before_minutes if rule else config.booking.cancel_before_minutes
    ticket = session.get(Ticket, appt.ticket_id) if appt.ticket_id else None
    return Booking(
        code=appt.code,
        token=appt.token,
        queue=queue.prefix,
        queue_name_zh=queue.name_zh,
        queue_name_en=queue.name_en,
        item_code=appt.item_code,
        item_name_zh=item.name_zh if item else "",
        item_name_en=item.name_en if item else "",
        day=appt.slot_date,
        start=appt.slot_start,
        end=appt.slot_end,
        name_masked=appt.name_masked,
        mobile_masked=appt.mobile_masked,
        status=appt.status,
        cancel_until=cancel_until(config.hall.timezone, minutes, appt.slot_date, appt.slot_start),
        channel=appt.channel,
        ticket_number=ticket.number if ticket else None,
    )


def booking_view(session: Session, appt: Appointment) -> Booking:
    """A stored appointment as a Booking (for lists and commands)."""
    return _view(session, appt, hall_config(session))
