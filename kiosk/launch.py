"""`mashangban kiosk` and `python -m kiosk`: the kiosk's options, its checks, its run.

``mashangban kiosk`` opens and checks the database before the first screen, like every app
command. ``python -m kiosk`` starts fast: its first screen is drawn from the last run's snapshot
before the database code is even imported; the database is opened and checked by a worker after
it, and a refusal then (an uninitialised database, an unknown kiosk id …) still ends the kiosk
with the message and exit status 1.
"""

from __future__ import annotations

import typer

from appkit.launch import database, hall_engine

KIOSK_ID = typer.Option(
    None,
    "--kiosk-id",
    # \[ keeps the help's markup from eating the hall file's [[kiosk]].
    help=r"Which \[\[kiosk]] of the hall file this is (its printer); the first by default.",
)
PRINTER = typer.Option(None, "--printer", help="Print on this printer instead.")


def kiosk(
    ctx: typer.Context, kiosk_id: str | None = KIOSK_ID, printer: str | None = PRINTER
) -> None:
    """Start the ticket kiosk (touch first; F12 and a staff PIN for the staff menu)."""
    engine = hall_engine(ctx)  # refuses an uninitialised or outdated database, clearly
    from models.db import reading
    from models.hall import hall_config

    with reading(engine) as session:  # a mistyped kiosk id or printer is refused before the screen
        hall_config(session).kiosk_printers(kiosk_id, printer)
    from kiosk.app import KioskSettings, create_app

    create_app(KioskSettings(engine=engine, kiosk_id=kiosk_id, printer=printer)).run()


def kiosk_fast(
    ctx: typer.Context, kiosk_id: str | None = KIOSK_ID, printer: str | None = PRINTER
) -> None:
    """Start the ticket kiosk, first screen first (touch first; F12 and a staff PIN for the
    staff menu)."""
    from kiosk import snapshot
    from kiosk.app import KioskSettings, create_app

    db = database(ctx).db
    app = create_app(
        KioskSettings(
            db=db,
            kiosk_id=kiosk_id,
            printer=printer,
            snapshot=snapshot.default_path(db, kiosk_id),
        )
    )
    app.run()
    if app.refusal is not None:
        raise app.refusal  # shown as the console command shows a refusal
    if app.return_code:
        raise typer.Exit(app.return_code)
