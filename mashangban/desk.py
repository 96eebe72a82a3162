"""Day-to-day commands: take and check in, call and serve at a window, pause, and status.

What only one command uses is imported inside it: `take`, `call` and `status` are the ones
scripts and call buttons run all day (see mashangban.commands).
"""

from __future__ import annotations

import datetime as dt

import typer

from mashangban import app, state
from mashangban.output import (
    bounded,
    console,
    print_json,
    safe,
    show_ticket,
    slim_table,
    table,
    warn_clock,
    window_number,
    zone_name,
)
from models.errors import Refused
from models.limits import WINDOW_MAX
from models.queue import serving
from models.queue.dayclose import QUIET, close_past_days
from models.queue.tickets import take_ticket
from models.text import commands, words
from models.text.words import pause_words, word
from models.textsafe import printable
from models.views.ticket import TicketView

JSON = typer.Option(False, "--json", help="Print JSON for scripts.")
WINDOW = typer.Option(..., "--window", "-w", help="Window number.", callback=window_number)


def _out(view: TicketView, *, as_json: bool, title: str) -> None:
    if as_json:
        print_json(view.to_json())
    else:
        show_ticket(view, title=title)
    warn_clock(view)


@app.command()
def take(
    ctx: typer.Context,
    queue: str | None = typer.Argument(
        None, help="Queue prefix (A, B, … M); optional with --item."
    ),
    item: str | None = typer.Option(None, "--item", help="Service item code, e.g. M05."),
    priority: str = typer.Option(
        "normal",
        "--priority",
        help="normal, or green (绿色通道: elderly, disabled, military, pregnant).",
    ),
    print_it: bool = typer.Option(
        False, "--print", help="Print it on the kiosk's printer (see printer list)."
    ),
    kiosk: str | None = typer.Option(None, "--kiosk", help="Kiosk id (default: the first)."),
    as_json: bool = JSON,
) -> None:
    """Take a walk-in ticket (and print it with --print)."""
    if queue is None and item is None:
        raise Refused("unknown_queue", queue="", hint="give a queue letter or --item CODE")
    engine = state(ctx).engine()
    view = take_ticket(engine, queue=queue, item=item, priority=priority, source="cli")
    if not print_it:
        _out(view, as_json=as_json, title=commands.line("ticket"))
        return
    from printer.spooler import print_ticket_at_kiosk

    # The ticket is committed: whatever happens to the paper, the number stands, and is shown
    # before the printer is asked anything.
    if not as_json:
        show_ticket(view, title=commands.line("ticket"))
    job = print_ticket_at_kiosk(engine, token=view.token, kiosk=kiosk)
    if as_json:
        print_json({**view.to_json(), "print": job.__dict__})
        return
    if job.state == "done":
        console.print(f"[green]{commands.line('take_ticket', printer=safe(job.printer))}[/]")
    else:
        failed = commands.line(
            "print_failed",
            number=view.number,
            job=job.id,
            state=job.state,
            error=safe(job.last_error),
        )
        console.print(f"[bold red]{failed}[/]")


@app.command()
def checkin(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Appointment code."),
    as_json: bool = JSON,
) -> None:
    """Check in an appointment: an on-time code becomes a priority ticket."""
    from models.queue.appointments import check_in

    _out(check_in(state(ctx).engine(), code=code), as_json=as_json, title=commands.line("check_in"))


@app.command()
def call(
    ctx: typer.Context,
    window: int = WINDOW,
    number: str | None = typer.Option(None, "--number", "-n", help="Call this number instead."),
    finish_current: bool = typer.Option(
        False, "--finish", help="Finish the window's current ticket first (the 'next' key)."
    ),
    as_json: bool = JSON,
) -> None:
    """Call the next ticket for a window (exit 3 when nothing waits), or a given number."""
    from models.queue.calling import call_next, call_number

    engine = state(ctx).engine()
    if number:
        view = call_number(engine, window=window, number=number)
    else:
        view = call_next(engine, window=window, finish_current=finish_current)
    _out(
        view,
        as_json=as_json,
        title=commands.line("called_title", number=view.number, window=window),
    )


def _window_action(name: str, func: serving.WindowOp, title: str, doc: str) -> None:
    def command(ctx: typer.Context, window: int = WINDOW, as_json: bool = JSON) -> None:
        _out(func(state(ctx).engine(), window=window), as_json=as_json, title=title)

    command.__doc__ = doc
    app.command(name)(command)


_window_action(
    "recall", serving.recall, commands.line("recall"), "Call the window's current ticket again."
)
_window_action(
    "no-show",
    serving.mark_no_show,
    commands.line("no_show"),
    "The called citizen did not come (void after the hall's maximum misses).",
)
_window_action(
    "start", serving.start, commands.line("serving"), "Start serving the called citizen."
)
_window_action("finish", serving.finish, commands.line("done"), "Finish the current service.")


@app.command()
def cancel(
    ctx: typer.Context,
    window: int | None = typer.Option(
        None, "--window", "-w", help="Cancel this window's ticket.", callback=window_number
    ),
    number: str | None = typer.Option(None, "--number", "-n", help="Or cancel this number."),
    as_json: bool = JSON,
) -> None:
    """Cancel a ticket (the window's current one, or any open one by number)."""
    view = serving.cancel(state(ctx).engine(), window=window, number=number)
    _out(view, as_json=as_json, title=commands.line("cancelled"))


@app.command()
def requeue(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="The missed number."),
    as_json: bool = JSON,
) -> None:
    """Put a missed ticket back in line."""
    _out(
        serving.requeue(state(ctx).engine(), number=number),
        as_json=as_json,
        title=commands.line("requeued"),
    )


@app.command()
def transfer(
    ctx: typer.Context,
    window: int = WINDOW,
    to: str | None = typer.Option(None, "--to", help="Target queue prefix."),
    to_window: int | None = typer.Option(
        None, "--to-window", help="Target window.", callback=bounded("--to-window", 1, WINDOW_MAX)
    ),
    as_json: bool = JSON,
) -> None:
    """Send the window's citizen to another queue or window with a new, linked ticket.

    The citizen keeps their number; in a hall that gives transfers new numbers
    (transfer_number = "new") the new slip prints on the window's printer.
    """
    engine = state(ctx).engine()
    view = serving.transfer(engine, window=window, to_queue=to, to_window=to_window)
    if view.number == view.transferred_from:
        _out(view, as_json=as_json, title=commands.line("transferred_kept"))
        return
    from models.errors import MashangbanError
    from printer.receipts import print_transfer_slip

    # The new ticket is committed: it is shown before the printer is asked anything.
    if not as_json:
        show_ticket(view, title=commands.line("transferred_new"))
    try:
        job = print_transfer_slip(engine, window=window, token=view.token)
    except MashangbanError as exc:  # the transfer stands: say the slip did not print
        if as_json:
            failure = f"{exc.zh} {exc.en}"
            print_json({**view.to_json(), "print": {"state": "failed", "last_error": failure}})
        else:
            said = commands.line("slip_not_sent", error_zh=safe(exc.zh), error_en=safe(exc.en))
            console.print(f"[bold red]{said}[/]")
        warn_clock(view)
        return
    if as_json:
        print_json({**view.to_json(), "print": job.__dict__})
    elif job.state == "done":
        console.print(f"[green]{commands.line('slip_printed', printer=safe(job.printer))}[/]")
    else:
        failed = commands.line(
            "slip_failed",
            number=view.number,
            job=job.id,
            state=job.state,
            error=safe(job.last_error),
        )
        console.print(f"[bold red]{failed}[/]")
    warn_clock(view)


@app.command()
def pause(
    ctx: typer.Context,
    window: int = WINDOW,
    reason: str = typer.Option(..., "--reason", "-r", help="break, meeting, backoffice or text."),
) -> None:
    """Pause a window: it calls no one until resumed."""
    from models.clerks import staff

    row = staff.pause(state(ctx).engine(), window=window, reason=reason)
    label = word("pause", row.reason)
    console.print(
        commands.line("paused", window=window, label=safe(label), reason=safe(row.reason))
    )


@app.command()
def resume(ctx: typer.Context, window: int = WINDOW) -> None:
    """Resume a paused window."""
    from models.clerks import staff

    row = staff.resume(state(ctx).engine(), window=window)
    minutes = (row.ended_at - row.started_at).total_seconds() / 60 if row.ended_at else 0
    console.print(commands.line("resumed", window=window, minutes=minutes))


@app.command()
def status(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Waiting per queue and each window's current ticket and state."""
    from models.views.status import hall_status

    report = hall_status(state(ctx).engine())
    if as_json:
        print_json(report.to_json())
        return
    moment = dt.datetime.fromisoformat(report.now)  # the hall's local time
    weekday = f"weekday_{moment.weekday()}"
    console.print(
        f"[bold]{report.business_date}[/] {words.zh(weekday)} {words.en(weekday)}  "
        f"{moment:%H:%M:%S}"
    )
    qt = slim_table(commands.line("queues"))
    qt.add_column(commands.line("name"), no_wrap=True)
    qt.add_column(commands.line("col_waiting"), justify="right")
    qt.add_column(commands.line("col_issued"), justify="right")
    qt.add_column(commands.line("col_longest"), justify="right")
    qt.add_column(commands.line("col_next"))
    for q in report.queues:
        over = q.waiting and q.longest_wait_minutes > q.wait_limit_minutes
        wait = f"{q.longest_wait_minutes} min"
        if over:
            wait = f"[bold red]{commands.line('over_limit', wait=wait)}[/]"
        qt.add_row(
            zone_name(q.prefix, q.name_zh, q.name_en),
            str(q.waiting),
            str(q.issued),
            wait if q.waiting else "—",
            safe(" ".join(q.next) or "—"),
        )
    console.print(qt)
    wt = slim_table(commands.line("windows"))
    for heading in ("col_window", "col_queues", "col_clerk_name", "col_state"):
        wt.add_column(
            commands.line(heading), justify="right" if heading == "col_window" else "left"
        )
    wt.add_column(commands.line("col_current"), no_wrap=True)
    wt.add_column(commands.line("col_since"), no_wrap=True)
    styles = {"called": "yellow", "serving": "green", "paused": "magenta", "closed": "dim"}
    for w in report.windows:
        state_text = f"{word('window', w.state)} {w.state}"
        if w.pause_reason:  # paused, or paused after the citizen at the window
            reason = pause_words(w.pause_reason)
            state_text = (
                commands.line("state_paused", **reason)
                if w.state == "paused"
                else commands.line(
                    "state_then_paused", state_zh=word("window", w.state), state=w.state, **reason
                )
            )
        style = styles.get(w.state, "")
        clerk = " ".join(part for part in (w.clerk, w.clerk_name) if part)
        wt.add_row(
            str(w.number),
            safe("→".join(w.queues)),
            safe(clerk or "—"),
            f"[{style}]{safe(state_text)}[/]" if style else safe(state_text),
            safe(w.ticket or "—"),
            safe((w.since or "")[11:16] or "—"),
        )
    console.print(wt)
    if report.locked:
        from rich.text import Text

        lt = table(
            commands.line("locked_by_wrong_pins"),
            commands.line("locked"),
            commands.line("until"),
            commands.line("unlock_with"),
        )
        for lock in report.locked:
            how = (
                f"mashangban clerk unlock {lock.name}"
                if lock.kind == "clerk"
                else f'mashangban clerk unlock --place "{lock.name}"'
            )
            until = lock.until[11:16] if lock.until[:10] == report.now[:10] else lock.until[:16]
            lt.add_row(
                Text(printable(f"{lock.label_zh} {lock.label_en}"), "bold red"),
                safe(until.replace("T", " ")),
                Text(printable(how)),
            )
        console.print(lt)


@app.command("close-day")
def close_day(
    ctx: typer.Context,
    as_json: bool = JSON,
    force: bool = typer.Option(
        False, "--force", help="Close a day even if it still had tickets taken or called lately."
    ),
) -> None:
    """Close the tickets of past days still open: waiting ones (and ones left at a window
    overnight) expire, missed ones become void. Safe to run at any time (e.g. nightly from cron);
    the first ticket of each day does it too. Refuses (exit 1) when this host's clock is ahead of
    the database's, and holds a day still active in the last hours unless --force."""
    done = close_past_days(state(ctx).engine(), force=force)
    held = Refused(
        "dayclose_held",
        days=", ".join(sorted(day.isoformat() for day in done.held)),
        hours=f"{QUIET.total_seconds() / 3600:g}",
    )
    if as_json:
        if done.held:
            raise held
        print_json(
            {
                "expired": done.expired,
                "void": done.voided,
                "days": sorted(day.isoformat() for day in done.days),
                "no_shows": done.no_shows,
            }
        )
        return
    if done.closed:
        days = ", ".join(sorted(day.isoformat() for day in done.days))
        console.print(
            commands.line(
                "days_closed",
                days=days,
                expired=done.expired,
                expired_zh=word("status", "expired"),
                voided=done.voided,
            )
        )
    if done.no_shows:
        console.print(commands.line("bookings_no_shows", n=done.no_shows))
    if done.held:
        raise held
    if not done.closed:
        console.print(commands.line("no_open_past_days"))
