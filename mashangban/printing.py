"""Printing commands: printers, test pages, rendering, previews, print jobs and reprints.

The printer package (python-escpos, Pillow, qrcode) is imported inside the commands, so the
other commands start without it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from sqlalchemy import Engine

from mashangban import app, state
from mashangban.output import bounded, console, parse_day, print_json, row_id, safe, table
from models.db import reading
from models.errors import NotFound, Refused
from models.hall import hall_config, hall_settings
from models.lookup import find_ticket
from models.queue.ticketrows import T, by_token, fetch
from models.text import commands
from models.timeutil import local, utcnow
from models.views.ticket import view_ticket

printer_app = typer.Typer(no_args_is_help=True, help="Printers named in the hall file.")
jobs_app = typer.Typer(no_args_is_help=True, help="Print jobs (stored before they are sent).")
app.add_typer(printer_app, name="printer")
app.add_typer(jobs_app, name="print-jobs")

JSON = typer.Option(False, "--json", help="Print JSON for scripts.")
NUMBER = typer.Option(
    ...,
    "--number",
    "-n",
    help="Ticket number, e.g. M023, or the text of a slip's QR code (MSB:T:…, as a scanner types "
    "it: the ticket the citizen holds now, after any transfer).",
)
DATE = typer.Option(None, "--date", help="Business date YYYY-MM-DD (default: today).")
QR_PREFIX = "MSB:T:"
"""What a ticket's QR code says before its token (printer.documents.ticket_qr)."""


def _ticket_id(engine: Engine, number: str, date: str | None) -> int:
    with reading(engine) as session:
        if number.strip().upper().startswith(QR_PREFIX):
            token = number.strip()[len(QR_PREFIX) :].lower()
            ticket = by_token(session, token)
            if ticket is None:
                raise NotFound("unknown_number", number=number.strip())
            return ticket.id
        tz = hall_settings(session).timezone
        day = parse_day(date, local(utcnow(), tz).date())
        return find_ticket(session, number, day).id


@printer_app.command("list")
def printer_list(ctx: typer.Context, as_json: bool = JSON) -> None:
    """The printers, and which kiosks and windows use them."""
    with reading(state(ctx).engine()) as session:
        config = hall_config(session)
    users: dict[str, list[str]] = {}
    for kiosk in config.kiosk:
        users.setdefault(kiosk.printer, []).append(f"kiosk {kiosk.id}")
        if kiosk.backup_printer:
            users.setdefault(kiosk.backup_printer, []).append(f"kiosk {kiosk.id} (backup)")
    for window in config.window:
        if window.printer:
            users.setdefault(window.printer, []).append(f"window {window.number}")
    if as_json:
        print_json([{**p.model_dump(), "used_by": users.get(p.name, [])} for p in config.printer])
        return
    out = table(
        commands.line("printers"),
        commands.line("name"),
        commands.line("kind"),
        commands.line("address"),
        commands.line("profile"),
        commands.line("paper"),
        commands.line("text"),
        commands.line("used_by"),
    )
    for p in config.printer:
        out.add_row(
            p.name,
            p.kind,
            safe(p.address or "—"),
            p.profile,
            f"{p.paper_mm} mm",
            f"{p.text_mode} ({p.charset})",
            ", ".join(users.get(p.name, [])) or "—",
        )
    console.print(out)


@printer_app.command("status")
def printer_status(
    ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JSON
) -> None:
    """Ask a printer how it is: online, paper, cover (exit 1 when it cannot print, or when a
    two-way printer gives no valid answer within its timeout)."""
    from models.printfile import database_file
    from printer.devices import open_link
    from printer.spooler import get_printer

    engine = state(ctx).engine()
    with reading(engine) as session:
        printer = get_printer(hall_config(session), name)
    link = open_link(printer, database=database_file(engine))
    try:
        status = link.status()
    finally:
        link.close()
    zh, en = status.describe()
    if as_json:
        print_json(
            {
                "printer": name,
                "online": status.online,
                "paper": status.paper,
                "cover_open": status.cover_open,
                "ready": (status.known or None) if status.ready else False,  # null: unknown
                "known": status.known,
            }
        )
    else:
        colour = "green" if status.ready and status.known else ("yellow" if status.ready else "red")
        console.print(f"[{colour}]{name}: {zh} / {en}[/]")
    if not status.ready or (printer.answers_status and not status.known):
        raise typer.Exit(1)


@printer_app.command("test")
def printer_test(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """Print a test page (sizes, alignment, Chinese punctuation, QR)."""
    from printer.documents import test_page_blocks
    from printer.render import render
    from printer.spooler import deliver, get_printer, queue_job, spec_of

    engine = state(ctx).engine()
    with reading(engine) as session:
        printer = get_printer(hall_config(session), name)
        settings = hall_settings(session)
    payload = render(
        test_page_blocks(name, settings, at=local(utcnow(), settings.timezone)), spec_of(printer)
    )
    job = deliver(engine, queue_job(engine, kind="test", printer=name, payload=payload).id)
    _show_job(job, as_json=as_json)


@printer_app.command("render")
def printer_render(
    ctx: typer.Context,
    number: str = NUMBER,
    date: str | None = DATE,
    kind: str = typer.Option("ticket", "--kind", help="ticket or receipt"),
    printer_name: str | None = typer.Option(None, "--printer", help="Render for this printer."),
    out: Path = typer.Option(..., "--out", help="File to write the bytes to."),
) -> None:
    """Write the exact ESC/POS bytes that would be sent for a ticket or receipt."""
    from models.supervision.cases import case_for_ticket
    from printer.documents import receipt_blocks, ticket_blocks
    from printer.receipts import window_printers
    from printer.render import render
    from printer.spooler import get_printer, spec_of

    if kind not in ("ticket", "receipt"):
        raise typer.BadParameter("ticket or receipt", param_hint="--kind")
    engine = state(ctx).engine()
    ticket_id = _ticket_id(engine, number, date)
    # A receipt renders for the printer of the window that printed it, a ticket for the kiosk's.
    case = case_for_ticket(engine, ticket_id=ticket_id) if kind == "receipt" else None
    name = printer_name
    if name is None and case is not None:
        try:
            name = window_printers(engine, case.window)[0]
        except Refused as exc:
            raise Refused(
                "no_window_printer", window=case.window, hint="give --printer NAME"
            ) from exc
    with reading(engine) as session:
        config = hall_config(session)
        settings = hall_settings(session)
        name = name or (config.kiosk[0].printer if config.kiosk else None)
        if name is None:
            raise Refused("unknown_printer", printer="", hint="give --printer NAME")
        printer = get_printer(config, name)
        row = fetch(session, T.c.id == ticket_id)
        assert row is not None
        view = view_ticket(session, row, settings=settings)
    if case is not None:
        blocks = receipt_blocks(case, settings)
    else:
        blocks = ticket_blocks(view, settings, paper_mm=printer.paper_mm)
    data = render(blocks, spec_of(printer))
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise Refused("file_unwritable", path=out, reason=exc.strerror) from exc
    console.print(
        f"✓ {len(data)} bytes → {out} ({printer.name}, {printer.text_mode}, {printer.paper_mm} mm)"
    )


@printer_app.command("preview")
def printer_preview(
    ctx: typer.Context,
    number: str = NUMBER,
    date: str | None = DATE,
    paper_mm: int = typer.Option(80, "--paper", help="58 or 80 (mm)."),
) -> None:
    """Draw a ticket in the terminal as it will look on paper, QR included."""
    from printer.documents import ticket_blocks
    from printer.preview import preview

    engine = state(ctx).engine()
    ticket_id = _ticket_id(engine, number, date)
    with reading(engine) as session:
        settings = hall_settings(session)
        row = fetch(session, T.c.id == ticket_id)
        assert row is not None
        view = view_ticket(session, row, settings=settings)
    console.print(preview(ticket_blocks(view, settings, paper_mm=paper_mm), paper_mm=paper_mm))


def _show_job(job: object, *, as_json: bool) -> None:
    from printer.spooler import JobView

    assert isinstance(job, JobView)
    if as_json:
        print_json(job.__dict__)
        return
    colour = {"done": "green", "failed": "red", "uncertain": "yellow"}.get(job.state, "cyan")
    what = f"{job.kind} {job.number or ''}".strip()
    mark = commands.line("reprint_mark") if job.reprint else ""
    console.print(
        f"[{colour}]job {job.id}: {what}{mark} → {job.printer}: {job.state}[/]"
        + (f"  ({safe(job.last_error)})" if job.last_error else ""),
        soft_wrap=True,
    )
    if job.state in ("failed", "uncertain"):
        raise typer.Exit(1)


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context,
    job_state: str | None = typer.Option(
        None, "--state", help="pending, sent, done, uncertain or failed"
    ),
    limit: int = typer.Option(50, "--limit", callback=bounded("--limit", 1, 10_000)),
    as_json: bool = JSON,
) -> None:
    """The newest print jobs and their state."""
    from printer.spooler import list_jobs

    jobs = list_jobs(state(ctx).engine(), limit=limit, state=job_state)
    if as_json:
        print_json([j.__dict__ for j in jobs])
        return
    # Five columns fit 80: the error goes under what was printed, tries and size under the state.
    out = table(
        commands.line("print_jobs"),
        "ID",
        commands.line("time"),
        commands.line("what"),
        commands.line("printer"),
        commands.line("state"),
    )
    for column in out.columns:
        column.overflow = "fold"
    for j in jobs:
        what = safe(
            f"{j.kind} {j.number or ''}" + (commands.line("reprint_mark_zh") if j.reprint else "")
        )
        if j.last_error:
            what += "\n" + safe(commands.line("job_error", error=j.last_error))
        out.add_row(
            str(j.id),
            _job_time(j.created_at),
            what,
            safe(j.printer),
            f"{safe(j.state)}\n{j.attempts}× {j.size:,} B",
        )
    console.print(out)


def _job_time(created_at: str) -> str:
    """A job's local time: HH:MM:SS today, MM-DD HH:MM on an earlier day."""
    moment = dt.datetime.fromisoformat(created_at)
    if moment.date() == utcnow().astimezone(moment.tzinfo).date():
        return f"{moment:%H:%M:%S}"
    return f"{moment:%m-%d %H:%M}"


@jobs_app.command("retry")
def jobs_retry(
    ctx: typer.Context, job_id: int = typer.Argument(..., callback=row_id), as_json: bool = JSON
) -> None:
    """Send a failed job again, or reprint an uncertain one marked 补打 REPRINT."""
    from printer.spooler import retry

    _show_job(retry(state(ctx).engine(), job_id), as_json=as_json)


@app.command()
def reprint(
    ctx: typer.Context,
    number: str = NUMBER,
    date: str | None = DATE,
    printer_name: str | None = typer.Option(None, "--printer", help="Print on this printer."),
    as_json: bool = JSON,
) -> None:
    """Print a ticket (or its receipt) again, marked 补打 REPRINT."""
    from printer.spooler import reprint as reprint_job

    engine = state(ctx).engine()
    ticket_id = _ticket_id(engine, number, date)
    with reading(engine) as session:
        row = fetch(session, T.c.id == ticket_id)
    assert row is not None
    job = reprint_job(engine, ticket_id=ticket_id, number=row.number, printer=printer_name)
    _show_job(job, as_json=as_json)
