"""``mashangban apikey``: keys for other systems (call buttons, LED window displays, a
mini-program's backend) on the hall server's API. The key is printed once, never listed."""

from __future__ import annotations

import datetime as dt

import typer

from mashangban import app, state
from mashangban.output import console, print_json, safe, slim_table
from models.text import commands

JSON = typer.Option(False, "--json", help="Print JSON for scripts.")

apikey_app = typer.Typer(
    no_args_is_help=True, help="API keys for other systems on the hall server's API."
)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("add")
def apikey_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the key, e.g. button-18 (1-32 characters)."),
    scope: list[str] = typer.Option(
        ...,
        "--scope",
        help="What it may do: take, read, book (online bookings), window:N (act at window N) "
        "or window:* (repeatable).",
    ),
    as_json: bool = JSON,
) -> None:
    """Make a key and print it once (only a keyed hash of it is stored)."""
    from models.apikeys import add_key

    view, key = add_key(state(ctx).engine(), name=name, scopes=scope)
    if as_json:
        print_json({**view.to_json(), "key": key})
        return
    console.print(commands.line("apikey_added", name=safe(view.name), scopes=" ".join(view.scopes)))
    console.print(commands.line("apikey_once"))
    console.print(key, soft_wrap=True)


@apikey_app.command("list")
def apikey_list(ctx: typer.Context, as_json: bool = JSON) -> None:
    """List the keys: name, scopes, made, last used, revoked (never the key)."""
    from models.apikeys import list_keys
    from models.db import reading
    from models.hall import hall_settings
    from models.timeutil import local

    engine = state(ctx).engine()
    keys = list_keys(engine)
    if as_json:
        print_json([k.to_json() for k in keys])
        return
    with reading(engine) as session:
        tz = hall_settings(session).timezone

    def when(moment: dt.datetime | None, shape: str = "%Y-%m-%d") -> str:
        return local(moment, tz).strftime(shape) if moment else "—"

    out = slim_table(commands.line("apikeys"))
    out.add_column(commands.line("name"), no_wrap=True)
    out.add_column(commands.line("col_scopes"))
    for heading in ("col_created", "col_last_used", "col_revoked"):
        out.add_column(commands.line(heading), no_wrap=True)
    for k in keys:
        revoked = f"[red]{when(k.revoked_at)}[/]" if k.revoked_at else "—"
        used = when(k.last_used_at, "%Y-%m-%d %H:%M")
        out.add_row(safe(k.name), " ".join(k.scopes), when(k.created_at), used, revoked)
    console.print(out)


@apikey_app.command("revoke")
def apikey_revoke(
    ctx: typer.Context, name: str = typer.Argument(..., help="The key's name.")
) -> None:
    """Revoke a key: every server refuses it from its next use."""
    from models.apikeys import revoke_key

    view = revoke_key(state(ctx).engine(), name=name)
    console.print(commands.line("apikey_revoked", name=safe(view.name)))
