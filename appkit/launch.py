"""Starting an app from the command line, the same way twice.

Each app owns its command (``board/launch.py`` …): a Typer command function with the app's
options, the checks made before its screen opens, and the run; Textual and the app are imported
inside it, so listing the commands costs nothing. ``mashangban`` registers those functions as
its subcommands (mashangban/apps.py); ``python -m <app>`` runs the same function alone through
:func:`run_alone`, with the common ``--db`` option, and shows a refusal as the console command
does: ``✗ 中文`` and ``  English`` on stderr, exit status 1 (3 when nothing waits).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import typer

from models import settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from models.errors import MashangbanError

DB_HELP = "Database: a SQLite file path or a SQLAlchemy URL (default: the user data dir)."


class HasDatabase(Protocol):
    """What a command finds at the root of its context: ``mashangban``'s State, or
    :class:`Database` when an app runs alone."""

    db: str | None

    def engine(self, *, check: bool = True) -> Engine:
        """The engine; with ``check`` the schema must be current (else a clear refusal)."""
        ...


class Database:
    """The ``--db`` of an app run alone, and an engine made (and checked) when first asked."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        """The database path or URL as given (None: MASHANGBAN_DB or the default file)."""
        self._engine: Engine | None = None

    def engine(self, *, check: bool = True) -> Engine:
        """The engine; with ``check`` the schema must be current (else a clear refusal)."""
        if self._engine is None:
            from appkit.database import open_database

            self._engine = open_database(self.db, check=check)
        return self._engine


def database(ctx: typer.Context) -> HasDatabase:
    """The database of the running command (whichever way it was started)."""
    found = ctx.find_root().obj
    assert found is not None and hasattr(found, "engine"), "a command runs under a root object"
    return found


def hall_engine(ctx: typer.Context) -> Engine:
    """The running command's engine, checked: an uninitialised or outdated database is refused
    before any screen opens."""
    return database(ctx).engine()


def bounded(option: str, low: int, high: int) -> Callable[[int | None], int | None]:
    """A Typer callback refusing an integer option outside low–high (a bilingual refusal,
    exit 1) before it reaches the database, where a 20-digit number overflows."""

    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            from models.errors import Refused

            raise Refused("number_out_of_range", option=option, low=low, high=high, value=value)
        return value

    return check


def window_number(value: int | None) -> int | None:
    """The callback for every window-number option."""
    from models.limits import WINDOW_MAX

    return bounded("--window", 1, WINDOW_MAX)(value)


def show_refusal(exc: MashangbanError) -> None:
    """A refusal on stderr as the console command shows it: Chinese, English, the hint."""
    from rich.console import Console
    from rich.text import Text

    from models.textsafe import printable

    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    errors.print(Text(printable(f"✗ {exc.zh}"), style="bold red"))
    errors.print(Text(printable(f"  {exc.en}"), style="red"))
    if exc.hint:
        errors.print(Text(printable(f"  → {exc.hint}"), style="yellow"))


def standalone(command: Callable[..., Any]) -> Callable[..., Any]:
    """The command (whose first parameter is its ``typer.Context``) with the common ``--db``
    option added, setting up :class:`Database` as the root object its body asks for (see
    :func:`database`)."""
    signature = inspect.signature(command, eval_str=True)
    db = inspect.Parameter(
        "db",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(None, "--db", envvar=settings.DB.name, help=DB_HELP),
        annotation=str | None,
    )
    ctx_name = next(p.name for p in signature.parameters.values() if p.annotation is typer.Context)

    def alone(**values: Any) -> Any:
        values[ctx_name].obj = Database(values.pop("db"))
        return command(**values)

    alone.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), db]
    )
    alone.__doc__ = command.__doc__
    alone.__name__ = command.__name__
    return alone


def run_alone(command: Callable[..., Any], *, prog: str, argv: list[str] | None = None) -> None:
    """``python -m <app>``: run the app's command by itself; a refusal (or database trouble)
    is shown in both languages with its exit status, never a traceback."""
    from models.errors import DatabaseError, MashangbanError

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(standalone(command))
    try:
        app(args=argv, prog_name=prog)
    except MashangbanError as exc:
        show_refusal(exc)
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError) or settings.DEBUG.get():
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        show_refusal(DatabaseError("db_error", detail=first))
        raise SystemExit(1) from None
