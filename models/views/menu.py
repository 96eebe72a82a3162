"""What a kiosk offers right now: each zone with its waiting count and whether it takes tickets,
and the service items grouped by department."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import reading
from models.errors import Refused
from models.hall import HallSettings, hall_config, hall_settings
from models.lookup import QueueRow, count_waiting, queue_by_id
from models.queue.tickets import check_open, next_opening
from models.tables import DayCounter, Queue, ServiceItem
from models.timeutil import business_date, resolve_now


@dataclass(frozen=True)
class ZoneChoice:
    """A zone button on the kiosk's start screen."""

    prefix: str
    name_zh: str
    name_en: str
    waiting: int
    closed_zh: str | None
    """Why no ticket can be taken now (closed, full), or None when it is open."""
    closed_en: str | None
    closed_key: str | None = None
    """Why, as a key: hall_closed_day, queue_closed or queue_full (None: open)."""
    opens_at: dt.datetime | None = None
    """When a closed zone next takes tickets, in the hall's local time (None: open, or full
    today, or no opening found ahead)."""


@dataclass(frozen=True)
class ItemChoice:
    """A service item a citizen can pick."""

    code: str
    queue: str
    name_zh: str
    name_en: str
    department: str
    department_en: str
    """The department's English name (from the hall file's [[department]], else Chinese)."""
    instant: bool
    promised_days: int
    materials: list[str]


def zones(engine: Engine, *, now: dt.datetime | None = None) -> list[ZoneChoice]:
    """Every active zone with its waiting count and, when it takes no tickets, why not."""
    moment = resolve_now(now)
    with reading(engine) as session:
        settings = hall_settings(session)
        day = business_date(moment, settings.timezone)
        waiting = count_waiting(session, day)
        issued = {
            c.queue_id: c.last_seq
            for c in session.exec(select(DayCounter).where(DayCounter.business_date == day)).all()
        }
        queues = session.exec(
            select(Queue).where(col(Queue.active)).order_by(col(Queue.position))
        ).all()
        rows = [queue_by_id(session, q.id) for q in queues if q.id is not None]
    return [
        _zone(settings, row, moment, waiting.get(row.id, 0), issued.get(row.id, 0)) for row in rows
    ]


def _zone(
    settings: HallSettings, row: QueueRow, moment: dt.datetime, waiting: int, issued: int
) -> ZoneChoice:
    closed: Refused | None = None
    try:
        check_open(settings, row, moment)
    except Refused as exc:
        closed = exc
    opens_at = next_opening(settings, row, moment) if closed is not None else None
    if closed is None and row.daily_cap and issued >= row.daily_cap:
        closed = Refused("queue_full", queue=row.prefix, cap=row.daily_cap)
    return ZoneChoice(
        prefix=row.prefix,
        name_zh=row.name_zh,
        name_en=row.name_en,
        waiting=waiting,
        closed_zh=closed.zh if closed else None,
        closed_en=closed.en if closed else None,
        closed_key=closed.key if closed else None,
        opens_at=opens_at,
    )


def items(engine: Engine, *, queue: str | None = None) -> dict[str, list[ItemChoice]]:
    """Active service items by department (in hall-file order), optionally of one queue."""
    with reading(engine) as session:
        prefixes = {q.id: q.prefix for q in session.exec(select(Queue)).all()}
        rows = session.exec(
            select(ServiceItem).where(col(ServiceItem.active)).order_by(col(ServiceItem.position))
        ).all()
        config = hall_config(session)
    grouped: dict[str, list[ItemChoice]] = {}
    for item in rows:
        prefix = prefixes.get(item.queue_id, "?")
        if queue is not None and prefix != queue:
            continue
        grouped.setdefault(item.department, []).append(
            ItemChoice(
                code=item.code,
                queue=prefix,
                name_zh=item.name_zh,
                name_en=item.name_en,
                department=item.department,
                department_en=config.department_en(item.department),
                instant=item.instant,
                promised_days=item.promised_days,
                materials=json.loads(item.materials),
            )
        )
    return grouped
