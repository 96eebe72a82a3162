"""`mashangban board` and `python -m board`: the board's options, its checks, its run."""

from __future__ import annotations

import typer

from appkit.launch import hall_engine


def board(
    ctx: typer.Context,
    queues: str | None = typer.Option(
        None, "--queues", help="Show only these zones, e.g. A,B,M (default: every zone)."
    ),
    mute: bool = typer.Option(False, "--mute", help="Do not speak the calls."),
    chime: bool = typer.Option(True, "--chime/--no-chime", help="A chime before each call."),
) -> None:
    """Start the display board: the newest calls in large letters, spoken in Mandarin."""
    engine = hall_engine(ctx)
    from models.views.board import board_queues

    # An unknown letter is refused before the screen opens (exit 1, in both languages).
    shown = None if queues is None else tuple(board_queues(engine, queues.split(",")))
    from board.app import BoardSettings, create_app

    create_app(BoardSettings(engine=engine, queues=shown, mute=mute, chime=chime)).run()
