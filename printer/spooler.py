"""Print jobs: rendered once, stored, then sent in order by one worker per printer.

The ticket is committed before its job exists, and a failed print never removes or hides it.
A job moves pending → sent → done, or to failed (nothing printed: it can be retried as it is)
or uncertain (the connection broke, the printer went quiet or said it was out of paper or
offline right after the job, or its sender stopped mid-job: a retry prints it again marked 补打
REPRINT, so nothing is printed twice unmarked). Each change writes one event.

Every exchange with a printer ends by its deadline (see printer.devices), so a job still sent
long after that has no sender left: it becomes uncertain when the spooler starts and when jobs
are listed or retried. A retry starts on the job's main printer again, its backup after.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import reading, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import HallConfig, PrinterConfig, hall_config, hall_settings
from models.printfile import database_file
from models.queue.ticketrows import T, chain_ids, fetch
from models.supervision.cases import case_by_id
from models.tables import PrintJob
from models.text import printing
from models.timeutil import local, resolve_now, to_utc, utcnow
from models.views.ticket import view_ticket
from printer.devices import LinkError, open_link
from printer.documents import receipt_blocks, ticket_blocks
from printer.render import PrinterSpec, render
from printer.status import PrinterStatus

STALE_GRACE_S = 60.0
"""Beyond a printer's own deadlines, how long a live sender may wait for the database."""


def stale_after(printer: PrinterConfig | None) -> dt.timedelta:
    """How long a job can stay sent while its sender lives: connecting, asking, sending and
    asking again each end within the printer's ``timeout_s`` (a USB or serial status exchange
    within twice that, CUPS's ``lp`` within 10 s), plus a grace for the database."""
    timeout = printer.timeout_s if printer is not None else 60.0
    return dt.timedelta(seconds=max(8 * timeout, 10.0) + STALE_GRACE_S)


@dataclass(frozen=True)
class JobView:
    """A print job as staff see it."""

    id: int
    kind: str
    number: str | None
    printer: str
    state: str
    attempts: int
    last_error: str
    reprint: bool
    size: int
    created_at: str
    """When the job was made: ISO 8601 in the hall's local time, with its offset."""


def spec_of(printer: PrinterConfig) -> PrinterSpec:
    """How to render for a configured printer."""
    return PrinterSpec(
        profile=printer.profile,
        paper_mm=printer.paper_mm,
        text_mode=printer.text_mode,
        charset=printer.charset,
    )


def get_printer(config: HallConfig, name: str) -> PrinterConfig:
    """A configured printer by name. NotFound otherwise."""
    found = config.find_printer(name)
    if found is None:
        raise NotFound("unknown_printer", printer=name)
    return found


def render_ticket(
    session: Session, ticket_id: int, printer: PrinterConfig, *, reprint: bool = False
) -> bytes:
    """The kiosk ticket's bytes for one printer, as the ticket stands now."""
    settings = hall_settings(session)
    ticket = fetch(session, T.c.id == ticket_id)
    assert ticket is not None, f"print job refers to ticket {ticket_id}"
    view = view_ticket(session, ticket, settings=settings)
    blocks = ticket_blocks(view, settings, paper_mm=printer.paper_mm, reprint=reprint)
    return render(blocks, spec_of(printer))


def render_receipt(
    session: Session, case_id: int, printer: PrinterConfig, *, reprint: bool = False
) -> bytes:
    """A case's receipt (受理回执) for one printer."""
    settings = hall_settings(session)
    case = case_by_id(session, case_id, settings.timezone)
    return render(receipt_blocks(case, settings, reprint=reprint), spec_of(printer))


def _render(session: Session, job: PrintJob, printer: PrinterConfig) -> bytes:
    if job.kind == "receipt" and job.case_id is not None:
        return render_receipt(session, job.case_id, printer, reprint=job.reprint)
    if job.kind == "ticket" and job.ticket_id is not None:
        return render_ticket(session, job.ticket_id, printer, reprint=job.reprint)
    return job.payload  # a test page: nothing to re-render


def queue_job(
    engine: Engine,
    *,
    kind: str,
    printer: str,
    ticket_id: int | None = None,
    case_id: int | None = None,
    backup: str | None = None,
    reprint_of: int | None = None,
    payload: bytes | None = None,
) -> JobView:
    """Render a document for a printer and store the job (what it prints is committed first).

    ``kind`` is ticket (``ticket_id``), receipt (``case_id``) or test (``payload``).
    """
    with writing(engine) as session:
        config = hall_config(session)
        target = get_printer(config, printer)
        if backup is not None:
            get_printer(config, backup)
        now = utcnow()
        job = PrintJob(
            kind=kind,
            ticket_id=ticket_id,
            case_id=case_id,
            printer=target.name,
            main_printer=target.name,
            backup=backup,
            payload=payload or b"",
            reprint=reprint_of is not None,
            reprint_of=reprint_of,
            created_at=now,
            updated_at=now,
        )
        if payload is None:
            job.payload = _render(session, job, target)
        session.add(job)
        session.flush()
        _event(session, job, "print_queued", **({"reprint_of": reprint_of} if reprint_of else {}))
        return _view(session, job)


def queue_ticket(
    engine: Engine, *, ticket_id: int, printer: str, backup: str | None = None
) -> JobView:
    """Queue a kiosk ticket for printing (the ticket is already committed)."""
    return queue_job(engine, kind="ticket", ticket_id=ticket_id, printer=printer, backup=backup)


def print_ticket_at_kiosk(
    engine: Engine, *, token: str, kiosk: str | None = None, printer: str | None = None
) -> JobView:
    """Queue and send a just-issued ticket on a kiosk's printer (with its backup)."""
    with reading(engine) as session:
        config = hall_config(session)
        ticket = fetch(session, T.c.token == token)
        if ticket is None:
            raise NotFound("unknown_number", number=token)
    printer, backup = config.kiosk_printers(kiosk, printer)
    job = queue_ticket(engine, ticket_id=ticket.id, printer=printer, backup=backup)
    return deliver(engine, job.id)


def _event(session: Session, job: PrintJob, kind: str, **data: object) -> None:
    append_event(
        session,
        kind=kind,
        ticket_id=job.ticket_id,
        data={"job": job.id, "printer": job.printer, "state": job.state, **data},
    )


def _view(session: Session, job: PrintJob, tz: str | None = None) -> JobView:
    number = None
    if job.ticket_id is not None:
        ticket = fetch(session, T.c.id == job.ticket_id)
        number = ticket.number if ticket else None
    assert job.id is not None
    return JobView(
        id=job.id,
        kind=job.kind,
        number=number,
        printer=job.printer,
        state=job.state,
        attempts=job.attempts,
        last_error=job.last_error,
        reprint=job.reprint,
        size=len(job.payload),
        created_at=local(job.created_at, tz or hall_settings(session).timezone).isoformat(
            timespec="seconds"
        ),
    )


def _set(
    session: Session, job: PrintJob, state: str, kind: str, error: str = "", **data: object
) -> None:
    job.state, job.updated_at = state, utcnow()
    if error:
        job.last_error = error
    session.add(job)
    session.flush()
    extra = {"error": error} if error else {}
    _event(session, job, kind, **extra, **data)


def deliver(engine: Engine, job_id: int) -> JobView:
    """Send one pending job now: check the printer, send, check again; fail over if need be."""
    with writing(engine) as session:
        job = _job(session, job_id, lock=True)
        if job.state != "pending":
            return _view(session, job)
        config = hall_config(session)
        printer = get_printer(config, job.printer)
        job.attempts += 1
        _set(session, job, "sent", "print_sent")
        payload = job.payload
    problem, status = _send(printer, payload, database_file(engine))
    failed_over = False
    with writing(engine) as session:
        job = _job(session, job_id, lock=True)
        if job.state != "sent":  # found stale and settled meanwhile (a very slow database)
            return _view(session, job)
        if problem is None and status is not None and status.paper == "near_end":
            _event(session, job, "printer_warning", warning="paper near end")
        if problem is None:
            state, error = _after_the_job(status)
            _set(session, job, state, f"print_{state}", error)
        elif problem.sent_any:
            _set(session, job, "uncertain", "print_uncertain", problem.message)
        elif job.backup and job.backup != job.printer:
            backup = get_printer(hall_config(session), job.backup)
            job.payload = _render(session, job, backup)
            moved_from = job.printer
            job.printer = backup.name
            _set(session, job, "pending", "print_failover", problem.message, moved_from=moved_from)
            failed_over = True
        else:
            _set(session, job, "failed", "print_failed", problem.message)
        view = _view(session, job)
    return deliver(engine, job_id) if failed_over else view


def _after_the_job(status: PrinterStatus | None) -> tuple[str, str]:
    """done only when the printer said, after the job, that it is fine (or cannot say: one-way
    link); out of paper, offline or silent then, the ticket may be cut short: uncertain."""
    if status is None or (status.known and status.ready):
        return "done", ""
    if not status.ready:
        zh, en = status.describe()
        return "uncertain", printing.line("after_the_job", state_zh=zh, state_en=en)
    return "uncertain", printing.en("no_reply_after")


@dataclass(frozen=True)
class _Problem:
    message: str
    sent_any: bool


def _send(
    printer: PrinterConfig, payload: bytes, database: str | None
) -> tuple[_Problem | None, PrinterStatus | None]:
    """Talk to the printer. Returns (problem, status after) — status None on one-way links."""
    try:
        link = open_link(printer, database=database)
    except LinkError as exc:
        return _Problem(exc.message, sent_any=False), None
    try:
        before = link.status() if printer.answers_status else None
        if before is not None and not before.ready:
            zh, en = before.describe()
            return _Problem(f"{zh} / {en}", sent_any=False), before
        try:
            link.send(payload)
        except LinkError as exc:
            return _Problem(exc.message, sent_any=True), None
        return None, (link.status() if printer.answers_status else None)
    finally:
        link.close()


def _job(session: Session, job_id: int, *, lock: bool = False) -> PrintJob:
    query = select(PrintJob).where(PrintJob.id == job_id)
    if lock:
        query = query.with_for_update()
    job = session.exec(query).first()
    if job is None:
        raise NotFound("unknown_job", job=job_id)
    return job


def retry(engine: Engine, job_id: int) -> JobView:
    """Try a job again, on its main printer first (its backup after): a failed one as it was;
    an uncertain one (a stale sent one too) as a new 补打 REPRINT job. Refused otherwise."""
    recover_stale(engine)
    with writing(engine) as session:
        job = _job(session, job_id, lock=True)
        again: PrintJob | None = None
        if job.state == "failed":
            _back_to_main(session, job)
            _set(session, job, "pending", "print_retry")
        elif job.state == "uncertain" and job.kind in ("ticket", "receipt"):
            again = job
        else:
            hint = _settles_hint(session, job) if job.state == "sent" else ""
            raise Refused("job_not_retryable", job=job_id, state=job.state, hint=hint)
    if again is None:
        return deliver(engine, job_id)
    view = queue_job(
        engine,
        kind=again.kind,
        ticket_id=again.ticket_id,
        case_id=again.case_id,
        printer=again.main_printer or again.printer,
        backup=again.backup,
        reprint_of=job_id,
    )
    return deliver(engine, view.id)


def _settles_hint(session: Session, job: PrintJob) -> str:
    """When a sent job can be retried if its sender is gone (local time)."""
    settles = to_utc(job.updated_at) + stale_after(hall_config(session).find_printer(job.printer))
    at = local(settles, hall_settings(session).timezone)
    return f"still being sent; if its sender stopped, retry after {at:%H:%M:%S}"


def _back_to_main(session: Session, job: PrintJob) -> None:
    """Queue a failed-over job on its main printer again, rendered for that printer's paper."""
    main = hall_config(session).find_printer(job.main_printer or job.printer)
    if main is None or main.name == job.printer:
        return  # already there, or the hall file no longer has it: stay where it is
    job.printer = main.name
    job.payload = _render(session, job, main)


def recover_stale(engine: Engine, *, now: dt.datetime | None = None) -> list[int]:
    """Settle sent jobs whose sender is gone (killed mid-job): they become uncertain, so a
    retry reprints them marked 补打. Returns their ids."""
    moment = resolve_now(now)
    with reading(engine) as session:
        sent = session.exec(select(PrintJob).where(PrintJob.state == "sent")).all()
        if not sent:
            return []
        config = hall_config(session)
        stale = [
            job.id
            for job in sent
            if job.id is not None
            and to_utc(job.updated_at) + stale_after(config.find_printer(job.printer)) < moment
        ]
    settled = []
    for job_id in stale:
        with writing(engine) as session:
            job = _job(session, job_id, lock=True)
            if job.state != "sent":
                continue  # its sender finished after all, or another look settled it
            since = to_utc(job.updated_at).isoformat(timespec="seconds")
            _set(
                session,
                job,
                "uncertain",
                "print_uncertain",
                printing.line("sender_stopped", since=since),
            )
            settled.append(job_id)
    return settled


def reprint(engine: Engine, *, ticket_id: int, number: str, printer: str | None = None) -> JobView:
    """Print a ticket's last document again, marked 补打 REPRINT (same or named printer).

    A ticket made by a transfer that kept the citizen's number was never printed itself: it is
    printed on the printer of the slip the citizen holds (the ticket it came from).
    """
    with reading(engine) as session:
        last = session.exec(
            select(PrintJob)
            .where(PrintJob.ticket_id == ticket_id)
            .order_by(col(PrintJob.id).desc())
        ).first()
        ticket = fetch(session, T.c.id == ticket_id)
        if last is None and ticket is not None and ticket.parent_id is not None:
            earlier = chain_ids(session, ticket)[1:]
            last = session.exec(
                select(PrintJob)
                .where(col(PrintJob.ticket_id).in_(earlier), PrintJob.kind == "ticket")
                .order_by(col(PrintJob.id).desc())
            ).first()
    if last is None and printer is None:
        raise Refused("nothing_printed", number=number, hint="name a printer with --printer")
    view = queue_job(
        engine,
        kind=last.kind if last else "ticket",
        ticket_id=ticket_id,
        case_id=last.case_id if last and last.ticket_id == ticket_id else None,
        printer=printer or (last.main_printer or last.printer if last else ""),
        backup=last.backup if last else None,
        reprint_of=last.id if last else 0,
    )
    return deliver(engine, view.id)


def list_jobs(engine: Engine, *, limit: int = 50, state: str | None = None) -> list[JobView]:
    """The newest jobs first (stale sent ones settled as uncertain first)."""
    recover_stale(engine)
    with reading(engine) as session:
        query = select(PrintJob).order_by(col(PrintJob.id).desc()).limit(limit)
        if state:
            query = query.where(PrintJob.state == state)
        tz = hall_settings(session).timezone
        return [_view(session, job, tz) for job in session.exec(query).all()]


class PrinterWorker(threading.Thread):
    """Sends one printer's pending jobs in order, until stopped."""

    def __init__(self, engine: Engine, printer: str, *, poll_s: float = 0.5) -> None:
        super().__init__(name=f"printer-{printer}", daemon=True)
        self.engine, self.printer, self.poll_s = engine, printer, poll_s
        self.stopping = threading.Event()
        self.wake = threading.Event()

    def run(self) -> None:
        recover_stale(self.engine)  # jobs a sender killed mid-job left as sent
        while not self.stopping.is_set():
            for job_id in self.pending():
                if self.stopping.is_set():
                    break
                deliver(self.engine, job_id)
            self.wake.wait(self.poll_s)
            self.wake.clear()

    def pending(self) -> list[int]:
        """This printer's pending job ids, oldest first."""
        with reading(self.engine) as session:
            rows = session.exec(
                select(PrintJob.id)
                .where(PrintJob.printer == self.printer, PrintJob.state == "pending")
                .order_by(col(PrintJob.id))
            ).all()
        return [int(r) for r in rows if r is not None]

    def stop(self) -> None:
        """Finish the job in hand and stop."""
        self.stopping.set()
        self.wake.set()
