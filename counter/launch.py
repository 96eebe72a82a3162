"""`mashangban counter` and `python -m counter`: the counter's options, its checks, its run."""

from __future__ import annotations

import typer

from appkit.launch import bounded, hall_engine, window_number
from models import settings


def counter(
    ctx: typer.Context,
    window: int | None = typer.Option(
        None, "--window", help="The window this counter is at.", callback=window_number
    ),
    clerk: str | None = typer.Option(None, "--clerk", help="Fill in this clerk number."),
    rating_wait: int = typer.Option(
        20,
        "--rating-wait",
        help="Seconds n waits for the citizen's rating before calling the next (0: no pad).",
        callback=bounded("--rating-wait", 0, 600),
    ),
) -> None:
    """Start the clerk's counter for a window (log in with the clerk number and PIN)."""
    engine = hall_engine(ctx)
    if window is not None:
        from models.views.window import window_view

        window_view(engine, window=window)  # an unknown window is refused before the screen
    from counter.app import CounterSettings, create_app

    # MASHANGBAN_PIN (as for `login`) logs in at once when window and clerk are given too.
    pin = settings.PIN.get()
    create_app(
        CounterSettings(
            engine=engine, window=window, clerk=clerk, pin=pin, rating_wait_seconds=rating_wait
        )
    ).run()
