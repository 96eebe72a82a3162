"""Looking after bookings: no-shows (爽约), the day-before reminders, erasing personal data, and
what the supervisor sees (bookings per slot, check-ins, no-shows, blocked people).

Each operation is idempotent and safe to run from cron or from several processes at once:
- :func:`mark_no_shows` turns a booking not checked in by the end of its late check-in window
  into ``no_show`` (one guarded update and one event per booking); a cancelled booking is never
  one. The day close (:func:`models.queue.dayclose.close_past_days`) runs it.
- :func:`remind` writes one ``booking_reminder`` outbox message per booking of tomorrow
  (``dedupe="booking_reminder:<id>"``), however often it runs.
- :func:`erase_personal_data` erases names and mobile numbers of bookings whose slot is more
  than the retention period ago (the masked forms too), the person keys once they can no longer
  count for a no-show block, and the recipient of settled outbox messages past retention.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, Table, and_, func, or_, select, update
from sqlmodel import col
from sqlmodel import select as orm_select

from models.db import reading, writing
from models.events import append_event
from models.hall import hall_config, hall_settings
from models.notify.outbox import enqueue
from models.queue.booking import Booking, booking_view, message_facts
from models.queue.bookingblocks import standing
from models.tables import Appointment, OutboxMessage, Queue, ServiceItem
from models.timeutil import business_date, from_local, resolve_now

A: Table = Appointment.__table__  # type: ignore[attr-defined]
OUT: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
Q: Table = Queue.__table__  # type: ignore[attr-defined]
BATCH = 200
"""Bookings changed per write transaction."""
SETTLED = ("sent", "failed", "held")
"""Outbox states after which a message's recipient is no longer needed."""


def mark_no_shows(engine: Engine, *, now: dt.datetime | None = None) -> int:
    """Mark as no-shows the bookings whose late check-in window has closed; how many."""
    moment = resolve_now(now)
    marked, after = 0, 0
    while True:
        with writing(engine) as session:
            # The settings only: the day's first ticket runs this (the whole hall file would
            # bring the printer profiles).
            hall = hall_settings(session)
            tz, late = hall.timezone, dt.timedelta(minutes=hall.checkin_late_minutes)
            today = business_date(moment, tz)
            rows = session.execute(
                select(A.c.id, A.c.code, A.c.slot_date, A.c.slot_start)
                .where(
                    A.c.status == "booked",
                    A.c.slot_date <= today,
                    A.c.import_batch.is_(None),
                    A.c.id > after,
                )
                .order_by(A.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return marked
            missed = []
            for appt_id, code, day, start in rows:
                after = appt_id
                if from_local(day, start, tz) + late >= moment:
                    continue
                done = session.execute(
                    update(A)
                    .where(A.c.id == appt_id, A.c.status == "booked")
                    .values(status="no_show", no_show_at=moment)
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    missed.append((code, day))  # else checked in, cancelled or marked meanwhile
            # The events after every row: the chain head is the last lock (models.db), never
            # held while waiting for an appointment a check-in holds.
            for code, day in missed:
                append_event(
                    session, kind="booking_no_show", at=moment, data={"code": code, "day": str(day)}
                )
            marked += len(missed)


def remind(engine: Engine, *, now: dt.datetime | None = None) -> int:
    """Write tomorrow's reminders (once per booking); how many new ones."""
    moment = resolve_now(now)
    made = 0
    with writing(engine) as session:
        config = hall_config(session)
        tomorrow = business_date(moment, config.hall.timezone) + dt.timedelta(days=1)
        appts = session.exec(
            orm_select(Appointment).where(
                Appointment.slot_date == tomorrow,
                Appointment.status == "booked",
                col(Appointment.mobile).is_not(None),
                col(Appointment.import_batch).is_(None),
            )
        ).all()
        items = {i.code: i for i in session.exec(orm_select(ServiceItem)).all()}
        for appt in appts:
            assert appt.id is not None
            written = enqueue(
                session,
                kind="booking_reminder",
                data=message_facts(appt, config, items.get(appt.item_code or "")),
                recipient=appt.mobile,
                appointment_id=appt.id,
                dedupe=f"booking_reminder:{appt.id}",
                now=moment,
            )
            made += written is not None
        if made:
            append_event(
                session, kind="booking_reminders", at=moment, data={"day": str(tomorrow), "n": made}
            )
    return made


@dataclass(frozen=True)
class Erased:
    """What an erase run erased."""

    bookings: int
    """Bookings whose name and mobile number were erased."""
    keys: int
    """Bookings whose person keys were erased (they no longer count for any rule)."""
    messages: int
    """Settled outbox messages whose recipient was erased."""


def erase_personal_data(engine: Engine, *, now: dt.datetime | None = None) -> Erased:
    """Erase personal data past the hall's retention period (see the module)."""
    moment = resolve_now(now)
    with writing(engine) as session:
        config = hall_config(session)
        rules = config.booking
        today = business_date(moment, config.hall.timezone)
        before = today - dt.timedelta(days=rules.retention_days)
        people = session.execute(
            update(A)
            .where(
                A.c.slot_date < before,
                or_(
                    A.c.name.is_not(None),
                    A.c.mobile.is_not(None),
                    A.c.name_masked != "",
                    A.c.mobile_masked != "",
                ),
            )
            .values(name=None, mobile=None, name_masked="", mobile_masked="", erased_at=moment)
        ).rowcount  # type: ignore[attr-defined]
        # A key counts for a block for the window and the block after the no-show.
        kept = max(rules.retention_days, rules.no_show_window_days + rules.no_show_block_days)
        keys = session.execute(
            update(A)
            .where(
                A.c.slot_date < today - dt.timedelta(days=kept),
                or_(A.c.person_key.is_not(None), A.c.id_key.is_not(None)),
            )
            .values(person_key=None, id_key=None)
        ).rowcount  # type: ignore[attr-defined]
        messages = session.execute(
            update(OUT)
            .where(
                OUT.c.state.in_(SETTLED),
                OUT.c.recipient.is_not(None),
                OUT.c.created_at < moment - dt.timedelta(days=rules.retention_days),
            )
            .values(recipient=None)
        ).rowcount  # type: ignore[attr-defined]
        if people or keys or messages:
            append_event(
                session,
                kind="personal_data_erased",
                at=moment,
                data={"bookings": people, "keys": keys, "messages": messages},
            )
    return Erased(bookings=people, keys=keys, messages=messages)


def list_bookings(
    engine: Engine, *, day: dt.date, queue: str | None = None, status: str | None = None
) -> list[Booking]:
    """The bookings of a day (personal data masked), by slot, queue and code."""
    with reading(engine) as session:
        query = (
            orm_select(Appointment)
            .join(Queue, col(Queue.id) == col(Appointment.queue_id))
            .where(Appointment.slot_date == day, col(Appointment.import_batch).is_(None))
            .order_by(col(Appointment.slot_start), col(Queue.position), col(Appointment.code))
        )
        if queue:
            query = query.where(Queue.prefix == queue.strip().upper())
        if status:
            query = query.where(Appointment.status == status)
        return [booking_view(session, appt) for appt in session.exec(query).all()]


@dataclass(frozen=True)
class SlotCount:
    """One slot's bookings by status."""

    queue: str
    start: dt.time
    end: dt.time
    booked: int
    checked_in: int
    cancelled: int
    no_show: int


@dataclass(frozen=True)
class Blocked:
    """A person blocked for no-shows, as a supervisor may see them."""

    mobile_masked: str
    """Their last booking's masked mobile (— once erased)."""
    no_shows: int
    until: dt.date


@dataclass(frozen=True)
class BookingStats:
    """A day's bookings for the supervisor."""

    day: dt.date
    slots: list[SlotCount]
    blocked: list[Blocked]
    """People who cannot book today."""
    warned: int
    """People with a no-show who may still book (the first no-show is a warning)."""

    def total(self, status: str) -> int:
        """Bookings of the day in a status (booked, checked_in, cancelled, no_show)."""
        return sum(getattr(s, status) for s in self.slots)


def booking_stats(engine: Engine, *, day: dt.date, now: dt.datetime | None = None) -> BookingStats:
    """Bookings per slot on ``day`` by status, and the people blocked (or warned) today."""
    moment = resolve_now(now)
    with reading(engine) as session:
        config = hall_config(session)
        today = business_date(moment, config.hall.timezone)
        rows = session.execute(
            select(Q.c.prefix, A.c.slot_start, A.c.slot_end, A.c.status, func.count())
            .join(Q, Q.c.id == A.c.queue_id)
            .where(A.c.slot_date == day, A.c.import_batch.is_(None))
            .group_by(Q.c.prefix, A.c.slot_start, A.c.slot_end, A.c.status)
        ).all()
        counts: dict[tuple[str, dt.time, dt.time], Counter[str]] = {}
        for prefix, start, end, status, n in rows:
            counts.setdefault((prefix, start, end), Counter())[status] += n
        since = today - dt.timedelta(
            days=config.booking.no_show_window_days + config.booking.no_show_block_days
        )
        people = session.execute(
            select(A.c.person_key, func.max(A.c.id))
            .where(
                and_(A.c.status == "no_show", A.c.slot_date >= since, A.c.person_key.is_not(None))
            )
            .group_by(A.c.person_key)
        ).all()
        blocked, warned = [], 0
        for key, last_id in people:
            record = standing(session, config.booking, mobile_key=key, id_key=None, today=today)
            if record.blocked_until is not None:
                masked = session.execute(
                    select(A.c.mobile_masked).where(A.c.id == last_id)
                ).scalar_one()
                blocked.append(Blocked(masked or "—", record.no_shows, record.blocked_until))
            elif record.no_shows:
                warned += 1
    slots = [
        SlotCount(
            queue=prefix,
            start=start,
            end=end,
            booked=c["booked"],
            checked_in=c["checked_in"],
            cancelled=c["cancelled"],
            no_show=c["no_show"],
        )
        for (prefix, start, end), c in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return BookingStats(day=day, slots=slots, blocked=blocked, warned=warned)
