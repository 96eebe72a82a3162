"""What staff need to look after printers: reprint the last ticket, ask a printer, warnings."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import reading
from models.errors import NotFound
from models.hall import hall_config, hall_settings
from models.printfile import database_file
from models.queue.ticketrows import by_token
from models.tables import Event
from models.text import printing
from models.timeutil import local
from printer.devices import LinkError, open_link
from printer.spooler import JobView, get_printer, reprint
from printer.status import PrinterStatus


def reprint_by_token(engine: Engine, *, token: str, printer: str | None = None) -> JobView:
    """Reprint the ticket with this QR token (a kiosk's 'reprint last ticket'): the ticket the
    citizen holds now, when the one printed was transferred since."""
    with reading(engine) as session:
        ticket = by_token(session, token)
    if ticket is None:
        raise NotFound("unknown_number", number=token)
    return reprint(engine, ticket_id=ticket.id, number=ticket.number, printer=printer)


def printer_state(engine: Engine, name: str) -> PrinterStatus:
    """Ask a configured printer how it is now (unknown parts stay None)."""
    with reading(engine) as session:
        printer = get_printer(hall_config(session), name)
    try:
        link = open_link(printer, database=database_file(engine))
    except LinkError:
        return PrinterStatus(online=False, paper=None, cover_open=None)
    try:
        return link.status()
    finally:
        link.close()


def describe_printer(engine: Engine, name: str) -> tuple[str, str]:
    """Chinese and English words for staff on how a configured printer is now.

    The preview printer prints nothing on paper, so it has no status to ask: it is described as
    what it is (or as unwritable when its preview folder cannot be written).
    """
    with reading(engine) as session:
        printer = get_printer(hall_config(session), name)
    if printer.kind != "preview":
        return printer_state(engine, name).describe()
    try:
        open_link(printer).close()
    except LinkError as exc:
        return printing.pair("preview_unwritable", reason_zh=exc.zh, reason_en=exc.en)
    return printing.pair("preview")


def recent_warnings(engine: Engine, *, limit: int = 10) -> list[str]:
    """The newest printer warnings and failures, for staff (local time, printer, what)."""
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        rows = session.exec(
            select(Event)
            .where(col(Event.kind).in_(["printer_warning", "print_failed", "print_uncertain"]))
            .order_by(col(Event.seq).desc())
            .limit(limit)
        ).all()
    out = []
    for event in rows:
        data = json.loads(event.data)
        what = data.get("warning") or data.get("error") or event.kind
        out.append(f"{local(event.at, tz):%H:%M} {data.get('printer', '?')}: {what}")
    return out


def kiosk_printer(engine: Engine, *, kiosk: str | None, override: str | None = None) -> str:
    """The printer a kiosk prints on (its own from the hall file, unless one is named)."""
    with reading(engine) as session:
        return hall_config(session).kiosk_printers(kiosk, override)[0]
