"""The `mashangban` command: one console command with a subcommand per job.

Every refusal is shown in Chinese and English with a non-zero exit (3 when nothing waits);
``--json`` prints machine-readable output, errors included.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from mashangban.output import errors, show_error
from models.db import make_engine, resolve_url
from models.errors import DatabaseError, MashangbanError
from models.events import require_same_key
from models.schema import require_current


class _Group(TyperGroup):
    """Turns MashangbanError (and stray database errors) into a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        as_json = "--json" in args
        try:
            return super().invoke(ctx)
        except MashangbanError as exc:
            show_error(exc, as_json=as_json)
            raise SystemExit(exc.exit_code) from None
        except SQLAlchemyError as exc:
            if os.environ.get("MASHANGBAN_DEBUG"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            show_error(DatabaseError("db_error", detail=first), as_json=as_json)
            raise SystemExit(1) from None
        except TyperException as exc:
            if getattr(exc, "exit_code", None) == 2:  # a usage error, which Typer says in English
                errors.print("✗ 命令行有误，用法见下（或加 --help）", style="red")
            raise
        except (typer.Exit, typer.Abort):
            raise  # the framework's own exits
        except Exception as exc:
            # A bug, not a refusal: still no traceback for staff, but a way to get one.
            if os.environ.get("MASHANGBAN_DEBUG"):
                raise
            show_error(
                MashangbanError(
                    "internal_error",
                    detail=f"{type(exc).__name__}: {exc}",
                    hint="run again with MASHANGBAN_DEBUG=1 and report the traceback",
                ),
                as_json=as_json,
            )
            raise SystemExit(70) from None


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="马上办 mashangban — queue and counter system for a government service hall.",
)


class State:
    """What every command needs: the database URL, and an engine made when first asked for."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._engine: Engine | None = None

    def engine(self, *, check: bool = True) -> Engine:
        """The engine; with ``check`` the schema must be current (else a clear refusal)."""
        if self._engine is None:
            self._engine = make_engine(resolve_url(self.db))
            if check:
                require_current(self._engine)
                require_same_key(self._engine)
        return self._engine


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="MASHANGBAN_DB",
        help="Database: a SQLite file path or a SQLAlchemy URL (default: the user data dir).",
    ),
) -> None:
    ctx.obj = State(db)


def state(ctx: typer.Context) -> State:
    """The State of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def main() -> None:
    """Console entry point."""
    app()


from mashangban import admin, apps, cases, demo, desk, printing, reports, supervision  # noqa: E402,F401  (registers the commands)
