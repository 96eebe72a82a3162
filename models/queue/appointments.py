"""Appointments booked elsewhere: imported from CSV, checked in at the kiosk by code.

CSV columns (header row required): ``code,queue,item,date,start,end,name`` — item and name may
be empty; date is YYYY-MM-DD, start and end HH:MM local time; name is shown masked to clerks.
Optional columns ``mobile`` and ``id_number`` let the per-person limits and no-show blocks apply
(only keyed hashes of them are kept for that; the mobile number for the reminder, until the
retention period ends). Rows of bookable queues and items obey the booking rules
(:mod:`models.queue.bookingimport`); a refused row is reported with its line, the rest imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from models.db import reading, retry_conflicts, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import hall_config, hall_settings
from models.limits import (
    CSV_FIELD_MAX,
    CSV_MAX_BYTES,
    CSV_MAX_ROWS,
    FIRST_DAY,
    IMPORT_BATCH_ROWS,
    LAST_DAY,
)
from models.lookup import QueueRow, get_item, get_queue
from models.queue.booking import QR_PREFIX
from models.queue.bookingimport import (
    LineRefused,
    check_row_day,
    forget_rows,
    person_fields,
    place_rows,
    stored_rows,
)
from models.queue.bookingpeople import mask_name
from models.queue.dayclose import close_if_first
from models.queue.tickets import issue
from models.tables import Appointment, Priority, Queue, ServiceItem, Ticket
from models.textsafe import has_controls, printable
from models.timeutil import business_date, from_local, local, resolve_now, utcnow
from models.views.ticket import TicketView, view_ticket

COLUMNS = ("code", "queue", "item", "date", "start", "end", "name")
_CODE_RE = re.compile(r"^[A-Z0-9]{4,32}$")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    unchanged: int
    refused: tuple[LineRefused, ...] = ()
    """Lines the booking rules refused (not stored), in line order."""


def import_appointments(
    engine: Engine,
    path: Path,
    *,
    batch_rows: int = IMPORT_BATCH_ROWS,
    on_batch: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a CSV file of appointments: all its rows or none, but for the rows the booking
    rules refuse (each reported with its line and why, in ``refused``).

    The whole file is read and checked first, holding no write lock. The new rows are then
    written in short transactions of ``batch_rows`` rows, tagged with the import's batch so
    that check-in does not see them yet; one last short transaction makes them all visible and
    writes the event. Kiosks and counters work between the batches. If anything fails, the
    batch's rows are deleted. ``on_batch(written, total)`` is called after each batch.

    Raises Refused (csv_unreadable, csv_too_big, csv_error naming the line) — nothing is stored.
    """
    text = _read_csv_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    with _our_field_limit():
        try:
            fieldnames = reader.fieldnames or []
        except csv.Error as exc:
            raise _csv_refusal(exc, path=path, line=1) from None
        missing = [c for c in ("code", "queue", "date", "start", "end") if c not in fieldnames]
        if missing:
            raise Refused(
                "csv_error", path=path, line=1, detail=f"missing column(s): {', '.join(missing)}"
            )
        moment = resolve_now(now)
        new, unchanged, refused = _checked_rows(engine, reader, path=path, moment=moment)
    _forget_batch(engine, None)
    batch = secrets.token_hex(8)
    written, added = 0, 0
    try:
        for first in range(0, len(new), batch_rows):
            chunk = [{**row, "import_batch": batch} for row in new[first : first + batch_rows]]
            with writing(engine) as session:
                config = hall_config(session)
                today = business_date(moment, config.hall.timezone)
                kept, lost = place_rows(session, config, chunk, today=today, moment=moment)
                rest = stored_rows(kept)
                if rest:
                    session.execute(insert(_APPT), rest)
            written += len(chunk)
            added += len(kept)
            refused += lost
            if on_batch is not None:
                on_batch(written, len(new))
        with writing(engine) as session:
            shown = session.execute(
                update(_APPT).where(_APPT.c.import_batch == batch).values(import_batch=None)
            )
            if shown.rowcount != added:  # type: ignore[attr-defined]
                raise Refused("csv_error", path=path, line="?", detail="rows vanished mid-import")
            append_event(
                session,
                kind="appointments_imported",
                data={
                    "file": path.name,
                    "added": added,
                    "unchanged": unchanged,
                    "refused": len(refused),
                },
            )
    except BaseException as exc:
        _forget_batch(engine, batch)
        if isinstance(exc, IntegrityError):  # a code imported by someone else meanwhile
            raise Refused(
                "csv_error", path=path, line="?", detail="a code was imported meanwhile; run again"
            ) from None
        raise
    refused.sort(key=lambda r: r.line)
    return ImportResult(added=added, unchanged=unchanged, refused=tuple(refused))


_APPT: Table = Appointment.__table__  # type: ignore[attr-defined]
STALE_IMPORT = dt.timedelta(hours=1)
"""Rows of an import that stopped (killed) this long ago are deleted by the next import."""


@contextmanager
def _our_field_limit() -> Iterator[None]:
    """The csv module reads fields of at most CSV_FIELD_MAX characters (not its own 128 KiB):
    a longer one stops the read at once. The limit is the module's, process-wide: restored
    after."""
    before = csv.field_size_limit(CSV_FIELD_MAX)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_refusal(exc: csv.Error, *, path: Path, line: int) -> Refused:
    """A csv module error in our words: a field over the limit says so in both languages."""
    if "field larger than field limit" in str(exc):
        return Refused("csv_field_too_long", path=path, line=line, limit=CSV_FIELD_MAX)
    return Refused("csv_error", path=path, line=line, detail=str(exc))


def _read_csv_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without a BOM) or else GB18030 (Excel on Chinese
    Windows saves GBK), at most limits.CSV_MAX_BYTES."""
    try:
        with path.open("rb") as handle:
            data = handle.read(CSV_MAX_BYTES + 1)
    except OSError as exc:
        raise Refused("csv_unreadable", path=path, reason=exc.strerror) from exc
    if len(data) > CSV_MAX_BYTES:
        raise Refused("csv_too_big", path=path, limit=f"{CSV_MAX_BYTES // (1024 * 1024)} MB")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("csv_unreadable", path=path, reason="neither UTF-8 nor GB18030/GBK text")


def _checked_rows(
    engine: Engine, reader: csv.DictReader[str], *, path: Path, moment: dt.datetime
) -> tuple[list[dict[str, Any]], int, list[LineRefused]]:
    """Every row checked (in a read transaction): the new rows to insert, how many are
    already stored as they are, and the new rows the booking rules refuse by their calendar or
    their person data. Raises Refused naming the first bad line."""
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    with reading(engine) as session:
        config = hall_config(session)
        tz = config.hall.timezone
        lookups = _Lookups(session)
        while True:
            # The row starts on the line after the last one read (the csv module counts a
            # line only once its row is whole, so on an error its count is one short).
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a field over our limit, a stray quote
                raise _csv_refusal(exc, path=path, line=start) from None
            line = reader.line_num
            if len(rows) >= CSV_MAX_ROWS:
                raise Refused("csv_too_many", path=path, limit=f"{CSV_MAX_ROWS:,}")
            appt = _parse_row(lookups, row, tz=tz, path=path, line=line)
            if appt["code"] in rows:
                raise Refused(
                    "csv_error", path=path, line=line, detail=f"code {appt['code']} repeats"
                )
            rows[appt["code"]] = (line, appt)
        unchanged = 0
        codes = list(rows)
        for first in range(0, len(codes), 500):
            stored = session.execute(
                select(_APPT).where(_APPT.c.code.in_(codes[first : first + 500]))
            ).mappings()
            for old in stored:
                line, appt = rows.pop(old["code"])
                if old["import_batch"] is None and all(old[k] == appt[k] for k in _SAME):
                    unchanged += 1
                    continue
                detail = (
                    f"code {appt['code']} is being imported by another import"
                    if old["import_batch"]
                    else f"code {appt['code']} exists with other details"
                )
                raise Refused("csv_error", path=path, line=line, detail=detail)
    today = business_date(moment, tz)
    new, refused = [], []
    for line, appt in sorted(rows.values(), key=lambda pair: pair[0]):
        try:
            appt.update(person_fields(appt.pop("_mobile"), appt.pop("_id_number")))
            check_row_day(config, appt.pop("_queue"), appt, today)
        except Refused as exc:
            refused.append(LineRefused(line, appt["code"], exc.key, exc.zh, exc.en))
            continue
        new.append({**appt, "_line": line, "booked_at": moment})
    return new, unchanged, refused


_SAME = ("queue_id", "item_code", "slot_date", "slot_start", "slot_end")


def _forget_batch(engine: Engine, batch: str | None) -> None:
    """Delete the rows of one import (``batch``), or with None those of imports that stopped
    more than STALE_IMPORT ago (a killed process never cleaned up); their places are free again."""
    with writing(engine) as session:
        if batch is not None:
            forget_rows(session, _APPT.c.import_batch == batch)
        else:
            forget_rows(
                session,
                and_(
                    _APPT.c.import_batch.is_not(None), _APPT.c.imported_at < utcnow() - STALE_IMPORT
                ),
            )


class _Lookups:
    """Queues and items by what the file says, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.queues: dict[str, QueueRow] = {}
        self.items: dict[str, ServiceItem] = {}

    def queue(self, prefix: str) -> QueueRow:
        if prefix not in self.queues:
            self.queues[prefix] = get_queue(self.session, prefix)
        return self.queues[prefix]

    def item(self, code: str) -> ServiceItem:
        if code not in self.items:
            self.items[code] = get_item(self.session, code)
        return self.items[code]


def _parse_row(
    lookups: _Lookups, row: dict[str | Any, str | Any], *, tz: str, path: Path, line: int
) -> dict[str, Any]:
    def fail(detail: str) -> Refused:
        return Refused("csv_error", path=path, line=line, detail=detail)

    for key, raw in row.items():
        for field in raw if isinstance(raw, list) else [raw or ""]:  # a list: extra fields
            if len(field) > CSV_FIELD_MAX:  # the csv module stops first; kept as a guard
                raise Refused("csv_field_too_long", path=path, line=line, limit=CSV_FIELD_MAX)
            if has_controls(field):
                raise fail(f"{key or 'a field'} holds control characters: {printable(field)[:80]}")
    value = {k: (row.get(k) or "").strip() for k in COLUMNS}
    code = value["code"].upper()
    if not _CODE_RE.match(code):
        raise fail(f"code {value['code']!r} must be 4-32 letters or digits")
    try:
        queue = lookups.queue(value["queue"])
        item = lookups.item(value["item"]) if value["item"] else None
    except NotFound as exc:
        raise fail(exc.en) from exc
    if item is not None and item.queue_id != queue.id:
        raise fail(f"item {item.code} is not served by queue {queue.prefix}")
    try:
        day = dt.date.fromisoformat(value["date"])
        start, end = dt.time.fromisoformat(value["start"]), dt.time.fromisoformat(value["end"])
    except ValueError:
        raise fail("date must be YYYY-MM-DD, start and end HH:MM") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise fail(f"date {day} is not between {FIRST_DAY} and {LAST_DAY}")
    start, end = _hall_time(start, day, tz, fail), _hall_time(end, day, tz, fail)
    if end <= start:
        raise fail("the slot ends before it starts")
    return {
        "code": code,
        "queue_id": queue.id,
        "item_code": item.code if item else None,
        "slot_date": day,
        "slot_start": start,
        "slot_end": end,
        "name_masked": mask_name(value["name"]),
        "status": "booked",
        "imported_at": utcnow(),
        "channel": "csv",
        "pool": None,
        "_queue": queue.prefix,
        "_mobile": (row.get("mobile") or "").strip(),
        "_id_number": (row.get("id_number") or "").strip(),
    }


def _hall_time(at: dt.time, day: dt.date, tz: str, fail: Callable[[str], Refused]) -> dt.time:
    """A slot time as the hall's local time. A time written with a UTC offset is accepted only
    when the offset is the hall's own on that day (15:00+08:00 in Jinan): any other offset is
    refused rather than converted, since the slot would then move to another hour, or day."""
    if at.tzinfo is None:
        return at
    plain = at.replace(tzinfo=None)
    offset = at.utcoffset()
    hall = dt.datetime.combine(day, plain, tzinfo=zoneinfo.ZoneInfo(tz)).utcoffset()
    if offset != hall:
        raise fail(f"{at.isoformat(timespec='minutes')} is not the hall's local time ({tz})")
    return plain


@retry_conflicts
def check_in(engine: Engine, *, code: str, now: dt.datetime | None = None) -> TicketView:
    """Turn an on-time appointment into a priority ticket. ``code`` is the booking code, or
    what the booking's QR carries (``MSB:B:<code>``, as the kiosk's scanner types it).

    Refuses unknown, used, cancelled, too-early and too-late codes with the time to come back.
    """
    moment = resolve_now(now)
    wanted = code.strip().upper()
    wanted = wanted.removeprefix(QR_PREFIX)
    with writing(engine) as session:
        settings = hall_settings(session)
        tz = settings.timezone
        appt = session.exec(
            orm_select(Appointment)
            .where(Appointment.code == wanted, col(Appointment.import_batch).is_(None))
            .with_for_update()
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
        view = view_ticket(session, ticket, settings=settings)
    close_if_first(engine, ticket.seq, moment)  # the first number of the day closes the last
    return view


def _when(moment: dt.datetime, tz: str, today: dt.date) -> str:
    here = local(moment, tz)
    return f"{here:%H:%M}" if here.date() == today else f"{here:%Y-%m-%d %H:%M}"
