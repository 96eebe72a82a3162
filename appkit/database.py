"""The database an app runs on: the one its settings hold, or the one their ``db`` names."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine


def open_database(db: str | None, *, check: bool = True) -> Engine:
    """An engine for ``db`` (a path or URL; None: MASHANGBAN_DB or the default file). With
    ``check``, the database must exist (only ``init``, which does not check, creates it), its
    schema be current and the hall's secret key the one the history was written with. Raises
    DatabaseError (in both languages) otherwise."""
    from models.db import make_engine, resolve_url
    from models.events import require_same_key
    from models.schema import require_current

    engine = make_engine(resolve_url(db), create=not check)
    if check:
        require_current(engine)
        require_same_key(engine)
    return engine


def app_engine(engine: Engine | None, db: str | None) -> Engine:
    """The engine an app's settings give (tests, the commands), or the one ``db`` names."""
    return engine if engine is not None else open_database(db)
