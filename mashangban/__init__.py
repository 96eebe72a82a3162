"""The `mashangban` command: one console command with a subcommand per job.

Every refusal is shown in Chinese and English with a non-zero exit (3 when nothing waits);
``--json`` prints machine-readable output, errors included.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import TyperException

from appkit.launch import Database
from mashangban.commands import COMMANDS
from models import settings
from models.errors import DatabaseError, MashangbanError
from models.text import commands

if TYPE_CHECKING:
    from sqlalchemy import Engine


class _Group(TyperGroup):
    """The root command. Imports a subcommand's module only when that subcommand runs (the
    table is mashangban.commands), and turns MashangbanError (and stray database errors) into a
    message and an exit code."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        """True while --help lists the commands: their help comes from the table."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command in the table's order, then any registered beside it."""
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command, its module imported on first use; while --help lists the commands, a
        stand-in with the table's help, so listing them imports none."""
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help)
        importlib.import_module(COMMANDS[cmd_name].module)
        self.commands[cmd_name] = _registered(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Typer suggests close names among the commands built so far; offer the whole table's.
        suggest, self.suggest_commands = self.suggest_commands, False
        try:
            return super().resolve_command(ctx, args)
        except TyperException as exc:
            if suggest and args:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    suggestions = ", ".join(f"{m!r}" for m in matches)
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise
        finally:
            self.suggest_commands = suggest

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        as_json = "--json" in args
        try:
            return super().invoke(ctx)
        except MashangbanError as exc:
            _show_error(exc, as_json=as_json)
            raise SystemExit(exc.exit_code) from None
        except SQLAlchemyError as exc:
            if settings.DEBUG.get():
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            _show_error(DatabaseError("db_error", detail=first), as_json=as_json)
            raise SystemExit(1) from None
        except TyperException as exc:
            if getattr(exc, "exit_code", None) == 2:  # a usage error, which Typer says in English
                from mashangban.output import errors

                errors.print(commands.line("usage_error"), style="red")
            raise
        except (typer.Exit, typer.Abort):
            raise  # the framework's own exits
        except Exception as exc:
            # A bug, not a refusal: still no traceback for staff, but a way to get one.
            if settings.DEBUG.get():
                raise
            _show_error(
                MashangbanError(
                    "internal_error",
                    detail=f"{type(exc).__name__}: {exc}",
                    hint=f"run again with {settings.DEBUG.name}=1 and report the traceback",
                ),
                as_json=as_json,
            )
            raise SystemExit(70) from None


def _show_error(exc: MashangbanError, *, as_json: bool) -> None:
    from mashangban.output import show_error  # Rich, imported when there is something to show

    show_error(exc, as_json=as_json)


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="马上办 mashangban — queue and counter system for a government service hall.",
)


class State(Database):
    """What every command needs: the database URL, and an engine made (and checked) when first
    asked for — as an app run alone has it, and with a warning when the key file is loose."""

    def engine(self, *, check: bool = True) -> Engine:
        first = self._engine is None
        engine = super().engine(check=check)
        if first and check:
            _warn_loose_key()
        return engine


def _warn_loose_key() -> None:
    """Say on stderr (and go on) when the key file is readable by others: refusing would stop
    the hall over a file mode; staying silent would leave the key exposed."""
    from models.secret import loose_key

    warning = loose_key()
    if warning is not None:
        from mashangban.output import errors

        errors.print(f"! {warning.message}", style="yellow")


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar=settings.DB.name,
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


def _registered(name: str) -> Any:
    """The click command (or group) that importing its module registered on ``app``."""
    for info in app.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=app.rich_markup_mode,
            )
    raise LookupError(f"{COMMANDS[name].module} registers no command {name!r}")
