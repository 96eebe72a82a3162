"""Appointments booked elsewhere: imported from CSV, checked in at the kiosk by code.

CSV columns (header row required): ``code,queue,item,date,start,end,name`` — item and name may
be empty; date is YYYY-MM-DD, start and end HH:MM local time; name is shown masked to clerks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.db import retry_conflicts, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import get_item, get_queue
from models.tables import Appointment, Priority, Queue, Ticket
from models.tickets import issue
from models.timeutil import business_date, from_local, local, resolve_now, utcnow
from models.views import TicketView, view_ticket

COLUMNS = ("code", "queue", "item", "date", "start", "end", "name")
_CODE_RE = re.compile(r"^[A-Z0-9]{4,32}$")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    unchanged: int


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*: clerks see enough to greet, no more."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def import_appointments(engine: Engine, path: Path) -> ImportResult:
    """Check every row, then store them all in one transaction (nothing is stored on error)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise Refused("csv_unreadable", path=path, reason=reason) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("code", "queue", "date", "start", "end") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise Refused(
            "csv_error", path=path, line=1, detail=f"missing column(s): {', '.join(missing)}"
        )
    added = unchanged = 0
    seen: set[str] = set()
    with writing(engine) as session:
        for row in reader:
            line = reader.line_num
            appt = _parse_row(session, row, path=path, line=line)
            if appt.code in seen:
                raise Refused("csv_error", path=path, line=line, detail=f"code {appt.code} repeats")
            seen.add(appt.code)
            existing = session.exec(
                select(Appointment).where(Appointment.code == appt.code)
            ).first()
            if existing is not None:
                if _same(existing, appt):
                    unchanged += 1
                    continue
                raise Refused(
                    "csv_error",
                    path=path,
                    line=line,
                    detail=f"code {appt.code} exists with other details",
                )
            session.add(appt)
            added += 1
        append_event(
            session,
            kind="appointments_imported",
            data={"file": path.name, "added": added, "unchanged": unchanged},
        )
    return ImportResult(added=added, unchanged=unchanged)


def _parse_row(
    session: Session, row: dict[str, str | None], *, path: Path, line: int
) -> Appointment:
    def fail(detail: str) -> Refused:
        return Refused("csv_error", path=path, line=line, detail=detail)

    value = {k: (row.get(k) or "").strip() for k in COLUMNS}
    code = value["code"].upper()
    if not _CODE_RE.match(code):
        raise fail(f"code {value['code']!r} must be 4-32 letters or digits")
    try:
        queue = get_queue(session, value["queue"])
        item = get_item(session, value["item"]) if value["item"] else None
    except NotFound as exc:
        raise fail(exc.en) from exc
    if item is not None and item.queue_id != queue.id:
        raise fail(f"item {item.code} is not served by queue {queue.prefix}")
    try:
        day = dt.date.fromisoformat(value["date"])
        start, end = dt.time.fromisoformat(value["start"]), dt.time.fromisoformat(value["end"])
    except ValueError:
        raise fail("date must be YYYY-MM-DD, start and end HH:MM") from None
    if end <= start:
        raise fail("the slot ends before it starts")
    assert queue.id is not None
    return Appointment(
        code=code,
        queue_id=queue.id,
        item_code=item.code if item else None,
        slot_date=day,
        slot_start=start,
        slot_end=end,
        name_masked=mask_name(value["name"]),
        imported_at=utcnow(),
    )


def _same(a: Appointment, b: Appointment) -> bool:
    fields = ("queue_id", "item_code", "slot_date", "slot_start", "slot_end")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


@retry_conflicts
def check_in(engine: Engine, *, code: str, now: dt.datetime | None = None) -> TicketView:
    """Turn an on-time appointment into a priority ticket.

    Refuses unknown, used, cancelled, too-early and too-late codes with the time to come back.
    """
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        tz = settings.timezone
        appt = session.exec(
            select(Appointment).where(Appointment.code == code.strip().upper()).with_for_update()
        ).first()
        if appt is None:
            raise NotFound("appt_unknown", code=code)
        if appt.status == "checked_in":
            used = session.get(Ticket, appt.ticket_id) if appt.ticket_id else None
            raise Refused("appt_used", number=used.number if used else "?")
        if appt.status == "cancelled":
            raise Refused("appt_cancelled")
        slot = from_local(appt.slot_date, appt.slot_start, tz)
        opens = slot - dt.timedelta(minutes=settings.checkin_early_minutes)
        closes = slot + dt.timedelta(minutes=settings.checkin_late_minutes)
        today = business_date(moment, tz)
        if moment < opens:
            raise Refused("appt_early", opens=_when(opens, tz, today))
        if moment > closes:
            raise Refused("appt_late", closes=_when(closes, tz, today))
        queue = session.get(Queue, appt.queue_id)
        assert queue is not None
        ticket = issue(
            session,
            settings=settings,
            queue=queue,
            moment=moment,
            item_code=appt.item_code,
            priority=Priority.APPOINTMENT,
            cap=False,
            appointment_id=appt.id,
        )
        appt.status, appt.ticket_id = "checked_in", ticket.id
        session.add(appt)
        append_event(
            session,
            kind="checked_in",
            ticket_id=ticket.id,
            at=moment,
            data={"number": ticket.number, "appointment": appt.code},
        )
        return view_ticket(session, ticket, settings=settings)


def _when(moment: dt.datetime, tz: str, today: dt.date) -> str:
    here = local(moment, tz)
    return f"{here:%H:%M}" if here.date() == today else f"{here:%Y-%m-%d %H:%M}"
