"""The schema and the engine: migrations, versions, SQLite settings and locking, URLs, paths."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import models.db
from models.db import make_engine, reading, resolve_url, writing
from models.errors import DatabaseError
from models.hall import hall_settings
from models.schema import SchemaState, head_revision, require_current, schema_state, upgrade
from models.tables import Hall


def sqlite_path(url: str) -> str:
    path = make_url(url).database
    assert path
    return path


# ---------------------------------------------------------------- migrations and versions


def test_empty_database_is_missing(empty_engine: Engine) -> None:
    assert schema_state(empty_engine) == SchemaState(None, "missing")
    with pytest.raises(DatabaseError) as info:
        require_current(empty_engine)
    assert info.value.key == "db_not_initialised"
    assert "数据库尚未初始化" in info.value.zh and "mashangban init" in info.value.hint


def test_upgrade_empty_database_to_current(empty_engine: Engine) -> None:
    state = upgrade(empty_engine)
    assert (state.state, state.revision) == ("current", head_revision())
    require_current(empty_engine)  # no error
    assert upgrade(empty_engine) == state  # a second run changes nothing
    tables = set(inspect(empty_engine).get_table_names())
    assert {"ticket", "event", "queue", "window", "clerk", "alembic_version"} <= tables


def test_database_of_a_newer_version_is_refused(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert schema_state(empty_engine) == SchemaState("9999", "newer")
    with pytest.raises(DatabaseError) as info:
        upgrade(empty_engine)
    err = info.value
    assert err.key == "db_newer"
    assert "更新版本" in err.zh and "9999" in err.zh
    assert "newer version of mashangban (9999)" in err.en
    with pytest.raises(DatabaseError) as again:
        require_current(empty_engine)
    assert again.value.key == "db_newer"
    with empty_engine.connect() as conn:  # upgrade touched nothing
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"


def test_migration_matches_the_table_models(empty_engine: Engine) -> None:
    """The tables the migration creates are the tables the code declares.

    ``compare_type`` is on, so a column whose type differs is reported too. Nothing is filtered:
    with the pinned sqlmodel/alembic versions, sqlmodel's AutoString columns compare equal to
    the migration's sa.String (VARCHAR) on both backends, so there are no false positives.
    """
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []


def test_comparison_would_see_a_missing_column(empty_engine: Engine) -> None:
    """Control for the test above: a real difference is reported."""
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("ALTER TABLE pause DROP COLUMN reason"))
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "pause", "reason")]


# ---------------------------------------------------------------- SQLite settings and locking


def test_sqlite_connection_settings(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:

            def pragma(name: str) -> object:
                return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 30000
            assert pragma("foreign_keys") == 1
    finally:
        engine.dispose()


def try_begin_immediate(path: str) -> str:
    """What a second, independent connection gets when it asks for the write lock."""
    conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return "got the lock"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        conn.close()


def hold(
    engine: Engine,
    opener: Callable[[Engine], AbstractContextManager[Session]],
    action: Callable[[Session], object],
) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """In another thread: open a transaction, do `action`, then hold it until released."""
    ready, release = threading.Event(), threading.Event()

    def run() -> None:
        with opener(engine) as session:
            action(session)
            ready.set()
            release.wait(20)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the holding thread did not start"
    return thread, ready, release


WRITER_ACTIONS = {
    "begin": lambda session: session.connection(),  # the transaction has begun, nothing read
    "read": lambda session: hall_settings(session),
}


@pytest.mark.parametrize("action", list(WRITER_ACTIONS), ids=list(WRITER_ACTIONS))
def test_write_transaction_takes_the_write_lock_at_begin(sqlite_url: str, action: str) -> None:
    engine = make_engine(sqlite_url)
    path = sqlite_path(sqlite_url)
    try:
        assert try_begin_immediate(path) == "got the lock"
        thread, _, release = hold(engine, writing, WRITER_ACTIONS[action])
        try:
            assert try_begin_immediate(path) == "database is locked"
        finally:
            release.set()
            thread.join(10)
        assert try_begin_immediate(path) == "got the lock"
    finally:
        engine.dispose()


def test_read_transaction_does_not_take_the_write_lock(sqlite_url: str) -> None:
    """Control for the test above: the same probe passes while a reader holds its transaction."""
    engine = make_engine(sqlite_url)
    try:
        thread, _, release = hold(engine, reading, WRITER_ACTIONS["read"])
        try:
            assert try_begin_immediate(sqlite_path(sqlite_url)) == "got the lock"
        finally:
            release.set()
            thread.join(10)
    finally:
        engine.dispose()


def test_readers_do_not_wait_for_a_writer(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        change = text("UPDATE hall SET name_en = 'Changed' WHERE id = 1")
        thread, _, release = hold(engine, writing, lambda s: s.execute(change))
        try:
            with reading(engine) as session:
                hall = session.get(Hall, 1)
                assert hall is not None and hall.name_en == "Jinan Government Service Center"
            assert thread.is_alive()  # read while the writer holds its lock, not after it
        finally:
            release.set()
            thread.join(10)
        with reading(engine) as session:
            hall = session.get(Hall, 1)
            assert hall is not None and hall.name_en == "Changed"
    finally:
        engine.dispose()


def test_a_writer_that_stays_busy_gets_db_busy(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    monkeypatch.setattr(models.db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    impatient = make_engine(sqlite_url)
    try:
        thread, _, release = hold(engine, writing, WRITER_ACTIONS["begin"])
        try:
            with pytest.raises(DatabaseError) as info, writing(impatient) as session:
                hall_settings(session)
            assert info.value.key == "db_busy"
            assert "数据库忙" in info.value.zh and "busy" in info.value.en
        finally:
            release.set()
            thread.join(10)
    finally:
        impatient.dispose()
        engine.dispose()


# ---------------------------------------------------------------- URLs


def test_path_becomes_absolute_sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_url("hall.db") == f"sqlite:///{tmp_path}/hall.db"
    assert resolve_url("data/hall.db") == f"sqlite:///{tmp_path}/data/hall.db"
    assert resolve_url("~/hall.db") == f"sqlite:///{tmp_path}/home/hall.db"
    assert resolve_url(f"sqlite:///{tmp_path}/x.db") == f"sqlite:///{tmp_path}/x.db"


def test_url_from_environment_then_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_DB", str(tmp_path / "env.db"))
    assert resolve_url() == f"sqlite:///{tmp_path}/env.db"
    assert resolve_url(str(tmp_path / "flag.db")) == f"sqlite:///{tmp_path}/flag.db"
    monkeypatch.delenv("MASHANGBAN_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_url() == f"sqlite:///{tmp_path}/xdg/mashangban/mashangban.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://hall:s3cret@db.example:5433/jinan",
            "postgresql+psycopg://hall:s3cret@db.example:5433/jinan",
        ),
        (
            "postgresql+psycopg://hall@db.example/jinan",
            "postgresql+psycopg://hall@db.example/jinan",
        ),
        ("postgres://hall@db.example/jinan", "postgresql+psycopg://hall@db.example/jinan"),
    ],
    ids=["postgresql", "already-psycopg", "postgres-scheme"],
)
def test_postgres_urls_get_the_psycopg_driver(given: str, expected: str) -> None:
    assert resolve_url(given) == expected


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(DatabaseError) as info:
        resolve_url("mysql://x")
    assert info.value.key == "db_unsupported"
    assert (
        "不支持的数据库：mysql" in info.value.zh and "unsupported database: mysql" in info.value.en
    )
    assert "SQLite or PostgreSQL" in info.value.hint


@pytest.mark.parametrize(
    "url", ["postgresql://:bad", "postgresql://db.example:port/jinan", "://x", "::::://x"]
)
def test_malformed_url_is_refused(url: str) -> None:
    for func in (resolve_url, make_engine):
        with pytest.raises(DatabaseError) as info:
            func(url)
        assert info.value.key == "db_bad_url"
        assert f"不是有效的数据库地址：{url}" in info.value.zh
        assert f"not a valid database URL: {url}" in info.value.en


# ---------------------------------------------------------------- paths that cannot hold a database


def test_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(DatabaseError) as info:
        make_engine(f"sqlite:///{blocker}/hall.db")
    assert info.value.key == "db_dir"
    assert str(blocker) in info.value.zh and "无法创建数据库目录" in info.value.zh
    assert f"cannot create the database directory {blocker}" in info.value.en


def permissions_enforced(directory: Path) -> bool:
    """False when running as root (or similar): a 0o500 directory is still writable."""
    probe = directory / "probe"
    try:
        probe.touch()
    except PermissionError:
        return True
    probe.unlink()
    return False


def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if permissions_enforced(locked):
            target, key, named = locked / "hall.db", "db_readonly", locked
        else:  # root writes anywhere it may create; /proc takes no new directories at all
            target = Path("/proc/mashangban-test/hall.db")
            key, named = "db_dir", target.parent
        with pytest.raises(DatabaseError) as info:
            make_engine(f"sqlite:///{target}")
        assert info.value.key == key
        assert str(named) in info.value.en
        assert not target.exists()
    finally:
        locked.chmod(0o700)


def test_default_data_directory_is_not_created_before_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)
    url = resolve_url()
    assert not (tmp_path / "xdg").exists()  # resolving a URL creates nothing
    engine = make_engine(url)
    try:
        assert (tmp_path / "xdg" / "mashangban").is_dir()  # the engine prepares the directory
        assert upgrade(engine).state == "current"
        assert os.path.exists(tmp_path / "xdg" / "mashangban" / "mashangban.db")
    finally:
        engine.dispose()
