"""Creating, upgrading and checking the database schema with Alembic migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from models.db import describe_operational
from models.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision this version of mashangban knows."""
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
        try:
            with engine.begin() as conn:
                config = _config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise describe_operational(exc) from exc
    return schema_state(engine)


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing, outdated or newer than this version."""
    state = schema_state(engine)
    if state.state == "missing":
        raise DatabaseError("db_not_initialised", hint="run: mashangban init")
    if state.state == "outdated":
        raise DatabaseError("db_outdated", revision=state.revision, hint="run: mashangban init")
    if state.state == "newer":
        raise DatabaseError("db_newer", revision=state.revision, hint="upgrade mashangban")
