"""全程监管: what the hall manager watches — every queue, every window, and the alarms.

Alarms: a clerk number or place locked by wrong PINs (someone may be guessing), a citizen
waiting longer than the queue's limit, a service running past its item's limit, a case not
ready past its promised date, a bad rating (不满意, 非常不满意) today.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Engine, Table, func, select
from sqlmodel import Session

from models.db import reading
from models.hall import hall_settings
from models.queue.ticketrows import T
from models.tables import (
    Appointment,
    Case,
    Queue,
    Rating,
    Rectification,
    ServiceItem,
    TicketStatus,
)
from models.text import monitor, words
from models.timeutil import business_date, from_local, local, resolve_now
from models.views.status import HallStatus, hall_status

Q: Table = Queue.__table__  # type: ignore[attr-defined]
ITEM: Table = ServiceItem.__table__  # type: ignore[attr-defined]
CASE: Table = Case.__table__  # type: ignore[attr-defined]
RATING: Table = Rating.__table__  # type: ignore[attr-defined]
RECT: Table = Rectification.__table__  # type: ignore[attr-defined]
APPT: Table = Appointment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Alarm:
    """Something the manager should look at now."""

    kind: str
    """pin_lock, wait, service, case or rating."""
    subject: str
    """The ticket or case number (the clerk number or place for a lock)."""
    where: str
    """The queue letter or the window number (clerk or place for a lock)."""
    minutes: int
    """How far past the limit (wait, service), days late (case), the rating's level, or the
    minutes a lock has left."""
    detail: str
    """One line to read: what and how long, in Chinese and English."""


@dataclass(frozen=True)
class MonitorState:
    """The hall now: its status (queues and windows) and the alarms, worst first per kind."""

    status: HallStatus
    alarms: list[Alarm]
    served_today: int
    rated_today: int
    bad_today: int
    open_rectifications: int
    bookings_today: int = 0
    """Today's bookings not cancelled (booked, checked in or missed)."""
    checked_in_today: int = 0
    no_shows_today: int = 0


def monitor_state(engine: Engine, *, now: dt.datetime | None = None) -> MonitorState:
    """Read everything the monitor shows (a few indexed queries)."""
    moment = resolve_now(now)
    status = hall_status(engine, now=moment)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        day = business_date(moment, tz)
        since = from_local(day, dt.time(0), tz)
        alarms = _lock_alarms(status, moment)
        alarms += _wait_alarms(session, day, moment) + _service_alarms(session, moment)
        alarms += _case_alarms(session, day) + _rating_alarms(session, since, tz)
        served = session.execute(
            select(func.count()).where(
                T.c.business_date == day, T.c.status == TicketStatus.DONE.value
            )
        ).scalar_one()
        levels = list(
            session.execute(select(RATING.c.level).where(RATING.c.rated_at >= since)).scalars()
        )
        open_rect = session.execute(
            select(func.count()).where(RECT.c.closed_at.is_(None))
        ).scalar_one()
        booked = dict(
            session.execute(
                select(APPT.c.status, func.count())
                .where(APPT.c.slot_date == day, APPT.c.import_batch.is_(None))
                .group_by(APPT.c.status)
            ).all()
        )
    return MonitorState(
        status=status,
        alarms=alarms,
        served_today=int(served),
        rated_today=len(levels),
        bad_today=sum(1 for level in levels if level <= 2),
        open_rectifications=int(open_rect),
        bookings_today=sum(n for status, n in booked.items() if status != "cancelled"),
        checked_in_today=booked.get("checked_in", 0),
        no_shows_today=booked.get("no_show", 0),
    )


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _lock_alarms(status: HallStatus, moment: dt.datetime) -> list[Alarm]:
    alarms = []
    for lock in status.locked:
        until = dt.datetime.fromisoformat(lock.until)
        shown = f"{until:%H:%M}" if lock.until[:10] == status.now[:10] else f"{until:%m-%d %H:%M}"
        alarms.append(
            Alarm(
                "pin_lock",
                lock.name,
                lock.kind,
                max(1, math.ceil((until - moment).total_seconds() / 60)),
                monitor.line(
                    "detail_pin_lock", label_zh=lock.label_zh, label_en=lock.label_en, until=shown
                ),
            )
        )
    return alarms


def _wait_alarms(session: Session, day: dt.date, moment: dt.datetime) -> list[Alarm]:
    rows = session.execute(
        select(T.c.number, T.c.issued_at, Q.c.prefix, Q.c.wait_limit_minutes)
        .join(Q, Q.c.id == T.c.queue_id)
        .where(T.c.business_date == day, T.c.status == TicketStatus.WAITING.value)
        .order_by(T.c.issued_at)
    ).all()
    alarms = []
    for number, issued, prefix, limit in rows:
        waited = _minutes(moment - issued)
        if limit and waited > limit:
            alarms.append(
                Alarm(
                    "wait",
                    number,
                    prefix,
                    waited - limit,
                    monitor.line("detail_wait", number=number, waited=waited, limit=limit),
                )
            )
    return alarms


def _service_alarms(session: Session, moment: dt.datetime) -> list[Alarm]:
    # The service clock runs from the start of service (as on the counter's screen).
    rows = session.execute(
        select(
            T.c.number,
            T.c.window,
            T.c.started_at,
            func.coalesce(ITEM.c.service_minutes, Q.c.service_minutes),
        )
        .join(Q, Q.c.id == T.c.queue_id)
        .outerjoin(ITEM, ITEM.c.code == T.c.item_code)
        .where(T.c.status == TicketStatus.SERVING.value, T.c.started_at.is_not(None))
        .order_by(T.c.window)
    ).all()
    alarms = []
    for number, window, started, limit in rows:
        served = _minutes(moment - started)
        if limit and served > limit:
            alarms.append(
                Alarm(
                    "service",
                    number,
                    str(window),
                    served - limit,
                    monitor.line(
                        "detail_service", window=window, number=number, served=served, limit=limit
                    ),
                )
            )
    return alarms


def _case_alarms(session: Session, day: dt.date) -> list[Alarm]:
    rows = session.execute(
        select(CASE.c.case_number, CASE.c.window, CASE.c.promised_date, CASE.c.item_code)
        .where(CASE.c.state == "accepted", CASE.c.promised_date < day)
        .order_by(CASE.c.promised_date)
    ).all()
    return [
        Alarm(
            "case",
            number,
            str(window),
            (day - promised).days,
            monitor.line("detail_case", number=number, item=item, days=(day - promised).days),
        )
        for number, window, promised, item in rows
    ]


def _rating_alarms(session: Session, since: dt.datetime, tz: str) -> list[Alarm]:
    rows = session.execute(
        select(T.c.number, RATING.c.window, RATING.c.level, RATING.c.reason, RATING.c.rated_at)
        .join(T, T.c.id == RATING.c.ticket_id)
        .where(RATING.c.rated_at >= since, RATING.c.level <= 2)
        .order_by(RATING.c.rated_at.desc())
    ).all()
    return [
        Alarm(
            "rating",
            number,
            str(window),
            level,
            monitor.line(
                "detail_rating",
                at=f"{local(at, tz):%H:%M}",
                window=window,
                number=number,
                level_zh=words.zh(f"rating_{level}"),
                level_en=words.en(f"rating_{level}"),
                reason=f"（{reason}）" if reason else "",
            ),
        )
        for number, window, level, reason, at in rows
    ]
