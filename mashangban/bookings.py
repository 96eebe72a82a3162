"""Appointments: booking for a caller, cancelling, the day's list and figures, the CSV import,
and the nightly jobs (reminders, no-shows, erasing personal data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from mashangban import app, state
from mashangban.output import console, errors, parse_day, print_json, safe, slim_table
from models.errors import Refused
from models.text import commands
from models.timeutil import business_date, utcnow

appointments_app = typer.Typer(
    no_args_is_help=True, help="Appointments: book, cancel, list, stats, import, nightly jobs."
)
app.add_typer(appointments_app, name="appointments")

JSON = typer.Option(False, "--json", help="Print JSON for scripts.")
PARTLY_IMPORTED = 4
"""The exit code of an import that stored the good rows and refused some."""


def _today(ctx: typer.Context) -> dt.date:
    from models.db import reading
    from models.hall import hall_settings

    with reading(state(ctx).engine()) as session:
        return business_date(utcnow(), hall_settings(session).timezone)


def _booking_json(view: object) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(view)  # type: ignore[call-overload]
    data.pop("token", None)  # the citizen's page is theirs: the command line does not show it
    data["qr_text"] = view.qr_text  # type: ignore[attr-defined]
    return data


@appointments_app.command("book")
def appointments_book(
    ctx: typer.Context,
    item: str = typer.Option(..., "--item", help="The item's code (e.g. M01)."),
    day: str = typer.Option(..., "--day", help="YYYY-MM-DD"),
    start: str = typer.Option(..., "--start", help="The slot's start, HH:MM."),
    name: str = typer.Option(..., "--name"),
    mobile: str = typer.Option(..., "--mobile"),
    id_number: str | None = typer.Option(None, "--id-number", help="For the per-person limit."),
    as_json: bool = JSON,
) -> None:
    """Book a slot for a citizen who phones or asks at the desk (the same rules as online)."""
    from models.queue.booking import book

    try:
        at = dt.time.fromisoformat(start.strip())
    except ValueError:
        raise Refused("booking_not_a_slot", start=safe(start), hours="—", minutes="—") from None
    view = book(
        state(ctx).engine(),
        item_code=item,
        day=parse_day(day, dt.date.min),
        start=at,
        name=name,
        mobile=mobile,
        id_number=id_number,
        channel="staff",
    )
    if as_json:
        print_json(_booking_json(view))
        return
    console.print(
        commands.line(
            "booked",
            code=view.code,
            item=safe(view.item_name_zh),
            day=view.day,
            start=f"{view.start:%H:%M}",
            until=f"{view.cancel_until:%Y-%m-%d %H:%M}",
        )
    )
    if view.warning_zh:
        errors.print(f"⚠ {safe(view.warning_zh)}\n  {safe(view.warning_en or '')}")


@appointments_app.command("cancel")
def appointments_cancel(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The booking code."),
    as_json: bool = JSON,
) -> None:
    """Cancel a booking by its code, up to its cancellation deadline."""
    from models.queue.booking import cancel_by_code

    view = cancel_by_code(state(ctx).engine(), code=code)
    if as_json:
        print_json(_booking_json(view))
        return
    console.print(commands.line("booking_cancelled", code=view.code))


@appointments_app.command("list")
def appointments_list(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--day", help="YYYY-MM-DD (default: today)."),
    queue: str | None = typer.Option(None, "--queue", help="Only this queue (its letter)."),
    status: str | None = typer.Option(
        None, "--status", help="booked, checked_in, cancelled or no_show."
    ),
    as_json: bool = JSON,
) -> None:
    """The day's bookings by slot, names and mobile numbers masked."""
    from models.queue.bookingcare import list_bookings

    if status is not None and status not in ("booked", "checked_in", "cancelled", "no_show"):
        raise Refused("booking_bad_status", status=safe(status))
    chosen = parse_day(day, _today(ctx))
    views = list_bookings(state(ctx).engine(), day=chosen, queue=queue, status=status)
    if as_json:
        print_json([_booking_json(v) for v in views])
        return
    out = slim_table(commands.line("bookings_of", day=chosen))
    for key in ("slot", "code", "item", "name", "mobile", "status", "channel"):
        wide = key in ("slot", "code", "mobile")  # never cut: 11 characters each at most
        out.add_column(
            commands.line(f"booking_col_{key}"), no_wrap=wide, min_width=11 if wide else None
        )
    for v in views:
        out.add_row(
            f"{v.start:%H:%M}-{v.end:%H:%M}",
            v.code,
            safe(v.item_code or v.queue),
            safe(v.name_masked or "—"),
            safe(v.mobile_masked or "—"),
            commands.line(f"booking_status_{v.status}"),
            safe(v.channel),
        )
    console.print(out if views else commands.line("no_bookings", day=chosen))


@appointments_app.command("stats")
def appointments_stats(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--day", help="YYYY-MM-DD (default: today)."),
    as_json: bool = JSON,
) -> None:
    """Bookings per slot, check-ins, no-shows, and the people blocked for no-shows today."""
    from dataclasses import asdict

    from models.queue.bookingcare import booking_stats

    chosen = parse_day(day, _today(ctx))
    stats = booking_stats(state(ctx).engine(), day=chosen)
    statuses = ("booked", "checked_in", "cancelled", "no_show")
    if as_json:
        print_json(
            {
                **asdict(stats),
                "totals": {s: stats.total(s) for s in statuses},
            }
        )
        return
    out = slim_table(commands.line("bookings_of", day=chosen))
    out.add_column(commands.line("booking_col_slot"), no_wrap=True)
    out.add_column(commands.line("booking_col_queue"))
    for s in statuses:
        out.add_column(commands.line(f"booking_status_{s}"), justify="right")
    for slot in stats.slots:
        out.add_row(
            f"{slot.start:%H:%M}-{slot.end:%H:%M}",
            slot.queue,
            *(str(getattr(slot, s)) for s in statuses),
        )
    out.add_row(commands.line("booking_total"), "", *(str(stats.total(s)) for s in statuses))
    console.print(out)
    blocked = commands.line("booking_blocked_people", n=len(stats.blocked), warned=stats.warned)
    console.print(blocked)
    for person in stats.blocked:
        console.print(
            commands.line(
                "booking_blocked_person",
                mobile=safe(person.mobile_masked),
                n=person.no_shows,
                until=person.until,
            )
        )


@appointments_app.command("import")
def appointments_import(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="CSV: code,queue,item,date,start,end,name[,mobile][,id_number]"
    ),
    as_json: bool = JSON,
) -> None:
    """Import appointments from CSV. A bad file is refused whole (exit 1); rows the booking
    rules refuse are listed by line and the rest imported (exit 4 when any was refused)."""
    from models.queue.appointments import import_appointments

    result = import_appointments(state(ctx).engine(), file)
    if as_json:
        print_json(
            {
                "added": result.added,
                "unchanged": result.unchanged,
                "refused": [
                    {"line": r.line, "code": r.code, "error": r.key, "zh": r.zh, "en": r.en}
                    for r in result.refused
                ],
            }
        )
    else:
        console.print(commands.line("imported", added=result.added, unchanged=result.unchanged))
        for r in result.refused:
            errors.print(commands.line("import_refused_line", line=r.line, code=r.code))
            errors.print(f"  {safe(r.zh)}\n  {safe(r.en)}")
    if result.refused:
        raise typer.Exit(PARTLY_IMPORTED)


@appointments_app.command("remind")
def appointments_remind(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Write the reminders for tomorrow's bookings into the outbox (run daily; a second run
    adds none)."""
    from models.queue.bookingcare import remind

    made = remind(state(ctx).engine())
    if as_json:
        print_json({"reminders": made})
        return
    console.print(commands.line("reminders_written", n=made))


@appointments_app.command("no-shows")
def appointments_no_shows(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Mark bookings whose check-in window closed unused as no-shows (close-day does it too)."""
    from models.queue.bookingcare import mark_no_shows

    marked = mark_no_shows(state(ctx).engine())
    if as_json:
        print_json({"no_shows": marked})
        return
    console.print(commands.line("bookings_no_shows", n=marked))


@appointments_app.command("erase")
def appointments_erase(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Erase names and mobile numbers past the hall's retention period (safe to run nightly)."""
    from models.queue.bookingcare import erase_personal_data

    done = erase_personal_data(state(ctx).engine())
    if as_json:
        print_json({"bookings": done.bookings, "keys": done.keys, "messages": done.messages})
        return
    console.print(
        commands.line("erased", bookings=done.bookings, keys=done.keys, messages=done.messages)
    )
