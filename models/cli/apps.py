"""Commands that start the terminal apps (imported only when asked for: they need Textual)."""

from __future__ import annotations

import typer

from models.cli import app, state


@app.command()
def kiosk(
    ctx: typer.Context,
    kiosk_id: str | None = typer.Option(None, "--kiosk-id", help="Which [[kiosk]] this is."),
    printer: str | None = typer.Option(None, "--printer", help="Print on this printer instead."),
) -> None:
    """Start the ticket kiosk (touch first; F12 and a staff PIN for the staff menu)."""
    engine = state(ctx).engine()  # refuses an uninitialised or outdated database, clearly
    from kiosk.app import KioskSettings, create_app

    create_app(KioskSettings(engine=engine, kiosk_id=kiosk_id, printer=printer)).run()
