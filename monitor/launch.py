"""`mashangban monitor` and `python -m monitor`: the manager's monitor, started."""

from __future__ import annotations

import typer

from appkit.launch import hall_engine


def monitor(ctx: typer.Context) -> None:
    """Start the hall manager's live monitor: queues, windows and alarms (q quits)."""
    engine = hall_engine(ctx)
    from monitor.app import MonitorSettings, create_app

    create_app(MonitorSettings(engine=engine)).run()
