"""Creating, upgrading and checking the database schema with Alembic migrations.

Alembic is imported only to create, upgrade or classify a schema; the check every command and
app makes first (require_current) reads the revision with plain SQL and compares it with HEAD.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from models.db import describe_operational
from models.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0013_bookings"
"""The newest revision in migrations/versions, known without importing Alembic (a test checks
it against Alembic's own head, so a new migration cannot leave it behind)."""
VERSION_TABLE = "alembic_version"
"""Where Alembic keeps a database's revision (its default name)."""


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision this version of mashangban knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this version's migrations."""

    revision: str | None
    """The database's revision, None for an empty database."""
    state: str
    """missing, outdated, current or newer."""


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's revision. Raises DatabaseError when it cannot be reached."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise describe_operational(exc) from exc
    if revision is None:
        return SchemaState(None, "missing")
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        return SchemaState(revision, "newer")
    if revision != script.get_current_head():
        return SchemaState(revision, "outdated")
    return SchemaState(revision, "current")


def upgrade(engine: Engine) -> SchemaState:
    """Create or upgrade the schema to this version's head; refuse a newer database."""
    state = schema_state(engine)
    if state.state == "newer":
        raise DatabaseError("db_newer", revision=state.revision, hint="upgrade mashangban")
    if state.state != "current":
        from alembic import command

        try:
            with engine.begin() as conn:
                config = _config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise describe_operational(exc) from exc
    return schema_state(engine)


def _stored_revisions(engine: Engine) -> list[str]:
    """The revisions in the database's version table (none for an empty database), read with
    plain SQL. Raises DatabaseError when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return []
            rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    except OperationalError as exc:
        raise describe_operational(exc) from exc
    return [str(row[0]) for row in rows]


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing, outdated or newer than this version.

    A database at HEAD costs one plain query; Alembic is asked only about any other."""
    if _stored_revisions(engine) == [HEAD]:
        return
    state = schema_state(engine)
    if state.state == "missing":
        raise DatabaseError("db_not_initialised", hint="run: mashangban init")
    if state.state == "outdated":
        raise DatabaseError("db_outdated", revision=state.revision, hint="run: mashangban init")
    if state.state == "newer":
        raise DatabaseError("db_newer", revision=state.revision, hint="upgrade mashangban")
