"""`mashangban notify …`: messages to citizens (SMS or WeChat through the hall's gateway)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

import typer
from rich.table import Table

from mashangban import app, state
from mashangban.output import console, print_json, safe
from models.text import commands

notify_app = typer.Typer(
    no_args_is_help=True,
    help="Messages to citizens (turn near, called, missed, bookings): send, list, retry, secret.",
)
app.add_typer(notify_app, name="notify")


@notify_app.command("send")
def notify_send(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Send what is due now, then stop."),
    poll: float = typer.Option(1.0, "--poll", min=0.05, max=60, help="Seconds between looks."),
) -> None:
    """Deliver due messages to the hall's webhook gateway (runs until stopped; --once: once)."""
    from models.notify.sender import run_sender

    engine = state(ctx).engine()
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()  # finish the message in hand, then stop

    if not once:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        console.print(commands.line("notify_running"))
    tally = run_sender(engine, once=once, poll_s=poll, stop=stop)
    console.print(
        commands.line(
            "notify_tally",
            sent=tally.sent,
            retrying=tally.retrying,
            failed=tally.failed,
            held=tally.held,
        )
    )


def message_json(message: Any) -> dict[str, Any]:
    """A message for --json (the recipient masked)."""
    return {
        "id": message.id,
        "kind": message.kind,
        "state": message.state,
        "recipient": message.recipient,
        "ticket": message.number,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": message.created_at.isoformat(timespec="seconds"),
        "next_attempt_at": message.next_attempt_at.isoformat(timespec="seconds"),
        "sent_at": message.sent_at.isoformat(timespec="seconds") if message.sent_at else None,
    }


@notify_app.command("list")
def notify_list(
    ctx: typer.Context,
    state_: str | None = typer.Option(
        None,
        "--state",
        help="Only messages in this state: pending, sending, sent, failed, held, expired.",
    ),
    limit: int = typer.Option(200, "--limit", min=1, max=100000, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The newest messages, recipients masked (138****1234)."""
    from models.errors import Refused
    from models.notify.sender import STATES, list_messages

    if state_ is not None and state_ not in STATES:
        raise Refused("bad_message_state", state=state_, states=", ".join(STATES))
    messages = list_messages(state(ctx).engine(), state=state_, limit=limit)
    if as_json:
        print_json([message_json(m) for m in messages])
        return
    table = Table(
        title=commands.line("messages"), title_justify="left", header_style="bold cyan", box=None
    )
    for column in ("col_id", "col_kind", "col_state", "col_to", "col_ticket", "col_tries"):
        table.add_column(commands.line(column), no_wrap=True)
    table.add_column(commands.line("col_error"), overflow="fold")
    for m in messages:
        table.add_row(
            str(m.id),
            m.kind,
            m.state,
            safe(m.recipient),
            safe(m.number or "—"),
            str(m.attempts),
            safe(m.last_error),
        )
    console.print(table)
    console.print(commands.line("messages_count", count=len(messages)))


@notify_app.command("retry")
def notify_retry(
    ctx: typer.Context,
    ids: list[int] = typer.Argument(None, metavar="[ID]...", help="Messages to send again."),
    all_failed: bool = typer.Option(False, "--all-failed", help="Every failed message."),
    held: bool = typer.Option(False, "--held", help="Every held message (a gateway is set now)."),
) -> None:
    """Send failed or held messages again (the sender picks them up at once)."""
    from models.errors import Refused
    from models.notify.sender import retry_messages

    if not ids and not all_failed and not held:
        raise Refused("retry_what")
    count = retry_messages(state(ctx).engine(), ids=ids or None, failed=all_failed, held=held)
    console.print(commands.line("messages_retried", count=count))


@notify_app.command("secret")
def notify_secret() -> None:
    """Print the webhook's signing secret, for the gateway's configuration (keep it private)."""
    from models.notify.webhook import webhook_secret

    print(webhook_secret())
