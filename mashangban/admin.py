"""Set-up commands for IT staff and the hall manager: database, hall, clerks, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import col, select

from mashangban import app, state
from mashangban.output import (
    console,
    errors,
    print_json,
    safe,
    show_error,
    slim_table,
    table,
    window_number,
    zone_name,
)
from models import secret, settings
from models.clerks.lockout import unlock, until_text
from models.clerks.pins import PIN_MAX_DIGITS, check_code, check_name
from models.clerks.staff import add_clerk, change_pin, list_clerks, login, logout, pin_min_digits
from models.db import reading
from models.errors import Refused
from models.events import sealed_with, verify_chain
from models.hall import default_hall_path, hall_settings, read_hall_file, store_hall
from models.schema import head_revision, upgrade
from models.supervision.audit import verify_records
from models.supervision.witness import read_witness, take_checkpoint
from models.tables import Hall, Queue, ServiceItem, Window, WindowQueue
from models.text import commands
from models.textsafe import printable
from models.timeutil import utcnow

hall_app = typer.Typer(no_args_is_help=True, help="The hall file: queues, items, windows.")
clerk_app = typer.Typer(no_args_is_help=True, help="Clerks who log in at windows.")
audit_app = typer.Typer(no_args_is_help=True, help="Checks on the event log and the records.")
app.add_typer(hall_app, name="hall")
app.add_typer(clerk_app, name="clerk")
app.add_typer(audit_app, name="audit")

JSON = typer.Option(False, "--json", help="Print JSON for scripts.")


@app.command()
def init(
    ctx: typer.Context,
    hall: Path | None = typer.Option(
        None, "--hall", help="Hall file to load when none is loaded yet (default: the Jinan hall)."
    ),
) -> None:
    """Create or upgrade the database and the hall's key file; load the default hall."""
    engine = state(ctx).engine(check=False)
    sealed = sealed_with(engine)
    if sealed and not secret.key_path().exists():  # a second host: the key must be copied
        raise secret.SecretError("key_missing_sealed", path=secret.key_path(), stored=sealed)
    created = secret.create_key()
    before = upgrade(engine)
    local, sealed = secret.fingerprint(), sealed_with(engine)
    if sealed != local:
        raise secret.SecretError("key_wrong", stored=sealed, local=local)
    with reading(engine) as session:
        loaded = session.get(Hall, 1) is not None
    if not loaded:
        config, text = read_hall_file(hall or default_hall_path())
        store_hall(engine, config, text)
    url = engine.url.render_as_string(hide_password=True)
    console.print(commands.line("db_ready", url=url, revision=before.revision))
    made = commands.line("created") if created else commands.line("in_use")
    console.print(commands.line("hall_key", made=made, path=secret.key_path(), fingerprint=local))
    if not loaded:
        console.print(
            commands.line(
                "hall_loaded", name_zh=safe(config.hall.name_zh), name_en=safe(config.hall.name_en)
            )
        )


@hall_app.command("load")
def hall_load(
    ctx: typer.Context, file: Path = typer.Argument(..., help="The hall TOML file.")
) -> None:
    """Validate a hall file and store it (nothing is stored if it has an error)."""
    config, text = read_hall_file(file)
    store_hall(state(ctx).engine(), config, text)
    console.print(
        commands.line(
            "hall_file_loaded",
            file=file,
            queues=len(config.queue),
            items=len(config.item),
            windows=len(config.window),
        )
    )


@hall_app.command("show")
def hall_show(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Print the loaded hall: settings, queues, items and windows."""
    with reading(state(ctx).engine()) as session:
        settings = hall_settings(session)
        queues = session.exec(
            select(Queue).where(col(Queue.active)).order_by(col(Queue.position))
        ).all()
        prefixes = {q.id: q.prefix for q in queues}
        items = session.exec(
            select(ServiceItem).where(col(ServiceItem.active)).order_by(col(ServiceItem.position))
        ).all()
        windows = session.exec(
            select(Window).where(col(Window.active)).order_by(col(Window.number))
        ).all()
        served: dict[int, list[str]] = {}
        for wq in session.exec(select(WindowQueue).order_by(col(WindowQueue.position))).all():
            served.setdefault(wq.window_number, []).append(prefixes.get(wq.queue_id, "?"))
    if as_json:
        print_json(
            {
                "hall": settings.model_dump(),
                "queues": [q.model_dump(exclude={"id"}) for q in queues],
                "items": [
                    {
                        **i.model_dump(exclude={"id", "queue_id"}),
                        "queue": prefixes.get(i.queue_id),
                        "materials": json.loads(i.materials),
                    }
                    for i in items
                ],
                "windows": [
                    {"number": w.number, "queues": served.get(w.number, [])} for w in windows
                ],
            }
        )
        return
    console.print(
        f"[bold]{safe(settings.name_zh)}[/]  {safe(settings.name_en)}  ({settings.timezone})"
    )
    console.print(
        commands.line("hall_open", days=settings.open_days, hours=", ".join(settings.hours))
    )
    console.print(
        commands.line(
            "hall_rules",
            run=settings.priority_run,
            offset=settings.requeue_offset,
            misses=settings.max_misses,
        )
    )
    qt = slim_table(commands.line("queues_caps_title"))
    qt.add_column(commands.line("name"), no_wrap=True)
    qt.add_column(commands.line("col_cap"), justify="right")
    qt.add_column(commands.line("col_wait"), justify="right")
    qt.add_column(commands.line("col_service"), justify="right")
    qt.add_column(commands.line("hours"), no_wrap=True)
    for q in queues:
        hours = "\n".join(json.loads(q.hours)) or "(hall)"
        qt.add_row(
            zone_name(q.prefix, q.name_zh, q.name_en),
            str(q.daily_cap or "—"),
            str(q.wait_limit_minutes),
            str(q.service_minutes),
            hours,
        )
    console.print(qt)
    from rich.cells import cell_len

    it = slim_table(commands.line("items"))
    it.add_column(commands.line("col_item_code"), no_wrap=True)
    it.add_column(commands.line("col_queue"), no_wrap=True)
    it.add_column(
        commands.line("col_name_department"),
        min_width=max([cell_len(f"{i.name_zh}  {i.department}") for i in items], default=0),
    )
    it.add_column(commands.line("col_done"), no_wrap=True)
    for i in items:
        name = Text(printable(i.name_zh))
        name.append(printable(f"  {i.department}"), "cyan")
        name.append("\n" + printable(i.name_en), "dim")
        it.add_row(
            i.code,
            prefixes.get(i.queue_id, "?"),
            name,
            commands.line("instant_cell")
            if i.instant
            else (commands.line("workdays_cell", days=i.promised_days) if i.promised_days else ""),
        )
    console.print(it)
    wt = table(
        commands.line("windows"),
        commands.line("window"),
        commands.line("queues_in_order"),
        commands.line("label"),
    )
    for w in windows:
        wt.add_row(str(w.number), " → ".join(served.get(w.number, [])), safe(w.label_zh))
    console.print(wt)


def _new_pin(ctx: typer.Context, pin: str | None) -> str:
    """The PIN given (``--pin`` or MASHANGBAN_PIN), else asked for twice without echo."""
    if pin is not None:
        return pin
    fewest = pin_min_digits(state(ctx).engine())
    return str(
        typer.prompt(
            commands.line("pin_prompt", fewest=fewest, most=PIN_MAX_DIGITS),
            hide_input=True,
            confirmation_prompt=True,
        )
    )


NEW_PIN = typer.Option(
    None,
    "--pin",
    envvar=settings.PIN.name,
    help="PIN (6-12 digits unless the hall file says pin_min_digits); asked for when not given.",
)


@clerk_app.command("add")
def clerk_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Clerk number: 1-16 letters or digits, e.g. 1001."),
    name: str = typer.Option(..., "--name", help="Clerk's name."),
    pin: str | None = NEW_PIN,
) -> None:
    """Register a clerk with a PIN (stored as a slow salted hash keyed with the hall's key)."""
    code, name = check_code(code), check_name(name)  # refused before the PIN is asked for
    clerk = add_clerk(state(ctx).engine(), code=code, name=name, pin=_new_pin(ctx, pin))
    console.print(commands.line("clerk_added", code=safe(clerk.code), name=safe(clerk.name)))


@clerk_app.command("pin")
def clerk_pin(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Clerk number."),
    pin: str | None = NEW_PIN,
) -> None:
    """Give a clerk a new PIN (an old 4-digit PIN keeps working until changed here)."""
    clerk = change_pin(state(ctx).engine(), code=code, pin=_new_pin(ctx, pin))
    console.print(commands.line("pin_changed", code=clerk.code, name=clerk.name))


def _until(engine: Engine, until: dt.datetime) -> str:
    with reading(engine) as session:
        return until_text(session, until, utcnow())


@clerk_app.command("list")
def clerk_list(ctx: typer.Context, as_json: bool = JSON) -> None:
    """List clerks, where each is logged in, and which are locked by wrong PINs until when."""
    engine = state(ctx).engine()
    clerks = list_clerks(engine)
    if as_json:
        print_json(
            [
                {
                    **c.__dict__,
                    "locked_until": (
                        c.locked_until.isoformat(timespec="seconds") if c.locked_until else None
                    ),
                }
                for c in clerks
            ]
        )
        return
    out = table(
        commands.line("clerks"),
        commands.line("clerk_code"),
        commands.line("clerk_name"),
        commands.line("window"),
        commands.line("locked_until"),
    )
    for c in clerks:
        locked = Text(_until(engine, c.locked_until), "bold red") if c.locked_until else "—"
        out.add_row(safe(c.code), safe(c.name), str(c.window) if c.window else "—", locked)
    console.print(out)


@clerk_app.command("unlock")
def clerk_unlock(
    ctx: typer.Context,
    code: str | None = typer.Argument(None, help="Clerk number locked by wrong PINs."),
    place: str | None = typer.Option(
        None,
        "--place",
        help='A place locked by wrong PINs instead, as status shows it: "kiosk K1".',
    ),
) -> None:
    """Unlock a clerk (or a place) locked by wrong PINs; written to the event log."""
    if (code is None) == (place is None):
        raise Refused("unlock_target")
    view = unlock(state(ctx).engine(), clerk=code, place=place)
    console.print(commands.line("unlocked", label_zh=view.label_zh, label_en=view.label_en))


@app.command("login")
def login_cmd(
    ctx: typer.Context,
    window: int = typer.Option(..., "--window", help="Window number.", callback=window_number),
    clerk: str = typer.Option(..., "--clerk", help="Clerk number."),
    pin: str = typer.Option(
        ..., "--pin", prompt="PIN", hide_input=True, envvar=settings.PIN.name, help="PIN."
    ),
) -> None:
    """Log a clerk in at a window."""
    who = login(state(ctx).engine(), window=window, clerk=clerk, pin=pin)
    console.print(
        commands.line("logged_in", code=safe(who.code), name=safe(who.name), window=window)
    )


@app.command("logout")
def logout_cmd(
    ctx: typer.Context, window: int = typer.Option(..., "--window", callback=window_number)
) -> None:
    """Log the clerk out of a window."""
    logout(state(ctx).engine(), window=window)
    console.print(commands.line("logged_out", window=window))


WITNESS = typer.Option(
    None,
    "--witness",
    envvar=settings.WITNESS.name,
    help="The witness file of checkpoints (default: witness.log in the user data dir).",
)


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, witness: Path | None = WITNESS, as_json: bool = JSON) -> None:
    """Walk the event chain with the hall's key and check it against every checkpoint in the
    witness, then check that every ticket, rating, rectification and case agrees with its
    events (exit 1 if anything does not)."""
    engine = state(ctx).engine()
    seen = read_witness(witness)
    report = verify_chain(engine, checkpoints=seen.checkpoints)
    whole = report.broken_at is None
    records = verify_records(engine) if whole else None
    if as_json:
        data: dict[str, object] = dict(report.__dict__)
        data["witness"] = str(seen.path)
        data["witness_unreadable_lines"] = seen.unreadable_lines
        if seen.unreadable_lines and not report.problem:
            data["problem"] = "witness_garbled"
        if records is not None:
            data["records"] = records.checked
            data["differences"] = [d.__dict__ for d in records.differences]
            data["difference_count"] = records.count
        print_json(data)
        sound = whole and records and not records.count and not seen.unreadable_lines
        raise typer.Exit(0 if sound else 1)
    if not whole:
        raise Refused(report.problem, **report.values)
    console.print(commands.line("chain_intact", events=report.events, keyed_from=report.keyed_from))
    if report.checkpoints:
        console.print(
            commands.line("witness_matches", checkpoints=report.checkpoints, path=seen.path)
        )
    else:
        errors.print(
            commands.line("witness_none", path=seen.path),
            style="yellow",
        )
    # A line mashangban did not write whole (cut short, changed, blanked): tampering, or a
    # damaged disk; either way the witness no longer vouches for the history. Exit 1.
    garbled = None
    if seen.unreadable_lines:
        lines = ", ".join(str(n) for n in seen.unreadable_lines[:10])
        more = len(seen.unreadable_lines) - 10
        garbled = Refused(
            "witness_garbled", path=seen.path, lines=lines + (f" (+{more})" if more > 0 else "")
        )
        errors.print(f"✗ {garbled.message}", style="red")
    assert records is not None
    checked = ", ".join(f"{n} {name}" for name, n in records.checked.items())
    if records.count:
        out = table(
            commands.line("records_differ", first=len(records.differences)),
            *map(commands.line, ("table", "row", "field", "stored", "from_the_events")),
        )
        for d in records.differences:
            out.add_row(*(safe(v) for v in (d.table, d.key, d.field, d.stored, d.expected)))
        console.print(out)
        raise Refused("records_changed", count=records.count, checked=checked)
    console.print(commands.line("records_match", checked=checked))
    if garbled is not None:
        raise garbled


@audit_app.command("checkpoint")
def audit_checkpoint(
    ctx: typer.Context,
    witness: Path | None = WITNESS,
    to_syslog: bool = typer.Option(False, "--syslog", help="Send the line to syslog too."),
    webhook: str | None = typer.Option(
        None, "--webhook", help="POST the line to this URL too (a failure is reported)."
    ),
    as_json: bool = JSON,
) -> None:
    """Append the event chain's head to the witness file (outside the database), so that
    `audit verify` finds a history later cut short, wiped or re-hashed. Run it from a timer."""
    written = take_checkpoint(
        state(ctx).engine(), path=witness, to_syslog=to_syslog, webhook=webhook
    )
    if as_json:
        print_json(
            {
                **written.checkpoint.__dict__,
                "witness": str(written.path),
                "line": written.line,
                "failures": [{"key": f.key, "message_en": f.en} for f in written.failures],
            }
        )
        return
    point = written.checkpoint
    console.print(
        commands.line("checkpoint_written", seq=point.seq, hash=point.hash[:16], path=written.path)
    )
    for failure in written.failures:
        show_error(failure, as_json=False)


@app.command("version")
def version() -> None:
    """Print the version and the database revision it expects."""
    from importlib.metadata import version as dist_version

    console.print(f"mashangban {dist_version('mashangban')} (schema {head_revision()})")
