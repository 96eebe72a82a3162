"""What staff read on a screen when something went wrong: a refusal in both languages, the
database's trouble, or a bug named so it can be reported."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from models.errors import DatabaseError, MashangbanError

TEXT: dict[str, str] = {
    "busy": "数据库忙，请再按一次 The database is busy, press again",
    "db_trouble": "数据库出错，请再试或联系管理员 Database trouble, try again: {detail}",
    "internal": "程序出错，请联系管理员 Internal error, please report: {detail}",
}


def describe(exc: Exception) -> str:
    """What the clerk reads for an error: the refusal in both languages, or the database's
    trouble; anything else is a bug, named so it can be reported."""
    if isinstance(exc, DatabaseError) and exc.key == "db_busy":
        return TEXT["busy"]
    if isinstance(exc, MashangbanError):
        return f"{exc.zh}\n{exc.en}"
    if isinstance(exc, SQLAlchemyError):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return TEXT["db_trouble"].format(detail=first)
    return TEXT["internal"].format(detail=f"{type(exc).__name__}: {exc}")
