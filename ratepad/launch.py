"""`mashangban rate` and `python -m ratepad`: the rating pad's options, its checks, its run."""

from __future__ import annotations

import typer

from appkit.launch import hall_engine, window_number


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
    engine = hall_engine(ctx)
    from models.supervision.ratings import ratable_ticket

    ratable_ticket(engine, window=window)  # an unknown window is refused before the screen
    from ratepad.app import RatePadSettings, create_app

    create_app(RatePadSettings(engine=engine, window=window)).run()
