"""What staff read on a screen when something went wrong: a refusal in both languages, the
database's trouble, or a bug named so it can be reported."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from models.errors import DatabaseError, MashangbanError
from models.text import staff


def describe(exc: Exception) -> str:
    """What the clerk reads for an error: the refusal in both languages, or the database's
    trouble; anything else is a bug, named so it can be reported."""
    if isinstance(exc, DatabaseError) and exc.key == "db_busy":
        return staff.line("busy")
    if isinstance(exc, MashangbanError):
        return f"{exc.zh}\n{exc.en}"
    if isinstance(exc, SQLAlchemyError):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return staff.line("db_trouble", detail=first)
    return staff.line("internal", detail=f"{type(exc).__name__}: {exc}")
