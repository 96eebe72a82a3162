"""Receipts at a window: the 受理回执 of a case, a 办结单 on request, reprints, and the slip of a
transfer's new number.

A window prints on its own printer from the hall file (``printer`` and ``backup_printer`` in
its ``[[window]]``). The case is committed before anything is printed, so a failed print loses
nothing: the job stays for a retry or a reprint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import reading
from models.errors import NotFound, Refused
from models.hall import hall_config
from models.queue.ticketrows import T, fetch
from models.supervision.cases import CaseView, open_case
from models.tables import Case, PrintJob
from models.views.window import window_view
from printer.spooler import JobView, deliver, queue_job


@dataclass(frozen=True)
class ReceiptPrint:
    """A receipt sent to a window's printer."""

    case: CaseView
    job: JobView


def window_printers(engine: Engine, window: int) -> tuple[str, str | None]:
    """The window's receipt printer and its backup. Refused when the hall file names none."""
    with reading(engine) as session:
        config = hall_config(session)
    found = next((w for w in config.window if w.number == window), None)
    if found is None or found.printer is None:
        raise Refused("no_window_printer", window=window)
    return found.printer, found.backup_printer


def print_receipt(engine: Engine, *, window: int, case: CaseView) -> ReceiptPrint:
    """Queue and send a case's receipt on the window's printer (failing over to its backup)."""
    printer, backup = window_printers(engine, window)
    with reading(engine) as session:
        row = session.exec(select(Case).where(Case.case_number == case.case_number)).one()
    job = queue_job(
        engine,
        kind="receipt",
        printer=printer,
        backup=backup,
        case_id=row.id,
        ticket_id=row.ticket_id,
    )
    return ReceiptPrint(case=case, job=deliver(engine, job.id))


def print_last_receipt(
    engine: Engine, *, window: int, now: dt.datetime | None = None
) -> ReceiptPrint:
    """The receipt of the ticket this window finished last today: its case's 受理回执, or for an
    instant item a 办结单 (its case opened now). Refused when nothing was finished here today."""
    last = window_view(engine, window=window, now=now).last_finished
    if last is None:
        raise Refused("nothing_finished", window=window)
    return print_ticket_receipt(engine, window=window, number=last.number, now=now)


def print_ticket_receipt(
    engine: Engine, *, window: int, number: str, now: dt.datetime | None = None
) -> ReceiptPrint:
    """The receipt of one ticket served at this window today (its case, opened if need be)."""
    case = open_case(engine, ticket_number=number, now=now)
    return print_receipt(engine, window=window, case=case)


def print_transfer_slip(engine: Engine, *, window: int, token: str) -> JobView:
    """Print the slip of a transfer's new number on the printer of the window that made it.

    Only a hall that gives transfers new numbers (``transfer_number = "new"``) needs it: the
    citizen must hold the number the board will call. Refused when the window has no printer;
    the ticket stands whatever the printer does (its job can be retried like any ticket's).
    """
    printer, backup = window_printers(engine, window)
    with reading(engine) as session:
        ticket = fetch(session, T.c.token == token)
        if ticket is None:
            raise NotFound("unknown_number", number=token)
    job = queue_job(engine, kind="ticket", ticket_id=ticket.id, printer=printer, backup=backup)
    return deliver(engine, job.id)


def reprint_receipt(engine: Engine, *, window: int) -> JobView:
    """Print the newest receipt of this window again, marked 补打 REPRINT."""
    with reading(engine) as session:
        last = session.exec(
            select(PrintJob)
            .join(Case, col(Case.id) == col(PrintJob.case_id))
            .where(PrintJob.kind == "receipt", Case.window == window)
            .order_by(col(PrintJob.id).desc())
        ).first()
    if last is None:
        raise Refused("no_receipt", window=window)
    job = queue_job(
        engine,
        kind="receipt",
        printer=last.printer,
        backup=last.backup,
        case_id=last.case_id,
        ticket_id=last.ticket_id,
        reprint_of=last.id,
    )
    return deliver(engine, job.id)
