"""Commands that start the terminal apps (imported only when asked for: they need Textual)."""

from __future__ import annotations

import typer

from mashangban import app, state
from mashangban.output import window_number
from models import settings


@app.command()
def kiosk(
    ctx: typer.Context,
    kiosk_id: str | None = typer.Option(None, "--kiosk-id", help="Which [[kiosk]] this is."),
    printer: str | None = typer.Option(None, "--printer", help="Print on this printer instead."),
) -> None:
    """Start the ticket kiosk (touch first; F12 and a staff PIN for the staff menu)."""
    engine = state(ctx).engine()  # refuses an uninitialised or outdated database, clearly
    from models.db import reading
    from models.hall import hall_config

    with reading(engine) as session:  # a mistyped kiosk id or printer is refused before the screen
        hall_config(session).kiosk_printers(kiosk_id, printer)
    from kiosk.app import KioskSettings, create_app

    create_app(KioskSettings(engine=engine, kiosk_id=kiosk_id, printer=printer)).run()


@app.command()
def board(
    ctx: typer.Context,
    queues: str | None = typer.Option(
        None, "--queues", help="Show only these zones, e.g. A,B,M (default: every zone)."
    ),
    mute: bool = typer.Option(False, "--mute", help="Do not speak the calls."),
    chime: bool = typer.Option(True, "--chime/--no-chime", help="A chime before each call."),
) -> None:
    """Start the display board: the newest calls in large letters, spoken in Mandarin."""
    engine = state(ctx).engine()
    from models.views.board import board_queues

    # An unknown letter is refused before the screen opens (exit 1, in both languages).
    shown = None if queues is None else tuple(board_queues(engine, queues.split(",")))
    from board.app import BoardSettings, create_app

    create_app(BoardSettings(engine=engine, queues=shown, mute=mute, chime=chime)).run()


@app.command()
def counter(
    ctx: typer.Context,
    window: int | None = typer.Option(
        None, "--window", help="The window this counter is at.", callback=window_number
    ),
    clerk: str | None = typer.Option(None, "--clerk", help="Fill in this clerk number."),
) -> None:
    """Start the clerk's counter for a window (log in with the clerk number and PIN)."""
    engine = state(ctx).engine()
    if window is not None:
        from models.views.window import window_view

        window_view(engine, window=window)  # an unknown window is refused before the screen
    from counter.app import CounterSettings, create_app

    # MASHANGBAN_PIN (as for `login`) logs in at once when window and clerk are given too.
    pin = settings.PIN.get()
    create_app(CounterSettings(engine=engine, window=window, clerk=clerk, pin=pin)).run()


@app.command()
def monitor(ctx: typer.Context) -> None:
    """Start the hall manager's live monitor: queues, windows and alarms (q quits)."""
    engine = state(ctx).engine()
    from monitor.app import MonitorSettings, create_app

    create_app(MonitorSettings(engine=engine)).run()


@app.command("rate")
def rate_pad(
    ctx: typer.Context,
    window: int = typer.Option(
        ...,
        "--window",
        help="The window the pad faces the citizens of.",
        callback=window_number,
    ),
) -> None:
    """Start the rating pad (好差评) facing the citizen at a window (F12 and a staff PIN quit)."""
    engine = state(ctx).engine()
    from models.supervision.ratings import ratable_ticket

    ratable_ticket(engine, window=window)  # an unknown window is refused before the screen
    from ratepad.app import RatePadSettings, create_app

    create_app(RatePadSettings(engine=engine, window=window)).run()
