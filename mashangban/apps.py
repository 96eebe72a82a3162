"""Commands that start the terminal apps: each app owns its command (its launch.py, which
imports Textual only when run); here they become subcommands of `mashangban`."""

from __future__ import annotations

from board.launch import board
from counter.launch import counter
from kiosk.launch import kiosk
from mashangban import app
from monitor.launch import monitor
from ratepad.launch import rate_pad
from server.launch import serve

app.command()(kiosk)
app.command()(board)
app.command()(counter)
app.command()(monitor)
app.command("rate")(rate_pad)
app.command()(serve)
