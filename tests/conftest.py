"""Shared fixtures: a fresh database per test, on SQLite and on a real PostgreSQL server.

Each backend gets one template database (migrated, the default Jinan hall loaded, three clerks
added) built once per test run; every test then gets its own copy of it, so tests are isolated
and fast. PostgreSQL runs for real: the server is started here and a failure to start it fails
the run (it is never skipped).
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from models import secret, settings
from models.clerks import staff
from models.db import make_engine
from models.hall import default_hall_path, read_hall_file, store_hall
from models.schema import upgrade
from tests.support.pgserver import PostgresServer

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)
"""A Wednesday morning in Jinan: a working day, inside opening hours."""
CLERKS = {"1001": "王芳", "1002": "李明", "1003": "张伟"}
PIN = "246813"

_counter = itertools.count()


def prepare(url: str) -> None:
    """Migrate a database and load the default hall and the test clerks."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        config, text = read_hall_file(default_hall_path())
        store_hall(engine, config, text)
        for code, name in CLERKS.items():
            staff.add_clerk(engine, code=code, name=name, pin=PIN)
    finally:
        engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def hall_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The hall's secret key for the whole run, never the user's own (subprocesses inherit it)."""
    path = tmp_path_factory.mktemp("secret") / "hall.key"
    secret.create_key(path)
    with settings.setting(settings.KEY_FILE, str(path)):
        yield path


@pytest.fixture(autouse=True)
def witness_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own witness of checkpoints, never the user's."""
    path = tmp_path / "witness" / "witness.log"
    monkeypatch.setenv(settings.WITNESS.name, str(path))
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run (per xdist worker)."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> str:
    """The name of a prepared PostgreSQL template database."""
    prepare(pg_server.create_database("mashangban_template"))
    return "mashangban_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prepared SQLite database file to copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    prepare(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, prepared database for one test, on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "hall.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"t{next(_counter)}"
    url = server.create_database(name, template=request.getfixturevalue("pg_template"))
    yield url
    server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (nothing migrated), on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield eng
        eng.dispose()
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"empty_{next(_counter)}"
    eng = make_engine(server.create_database(name))
    yield eng
    eng.dispose()
    server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, prepared SQLite database (for tests about SQLite itself)."""
    path = tmp_path / "hall.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test's database, disposed afterwards."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def preview_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preview printers write here, never into the user's data folder."""
    folder = tmp_path / "preview"
    monkeypatch.setenv("MASHANGBAN_PREVIEW_DIR", str(folder))
    return folder


@pytest.fixture
def lite(sqlite_url: str) -> Iterator[Engine]:
    """A fresh SQLite hall, for tests that need only one backend."""
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def now() -> dt.datetime:
    """The fixed moment tests act at (see NOW)."""
    return NOW


def open_window(engine: Engine, window: int, clerk: str = "1001") -> None:
    """Log a test clerk in at a window so it can call."""
    staff.login(engine, window=window, clerk=clerk, pin=PIN)


@pytest.fixture
def children() -> Iterator[list[Any]]:
    """Processes started by a test; any still alive at the end are killed (by their pid)."""
    started: list[Any] = []
    yield started
    for proc in started:
        if proc.is_alive():
            proc.kill()
        proc.join(10)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sqlite-only",
        action="store_true",
        help="the quick tier: leave out the PostgreSQL cases (make test runs every one of them)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --sqlite-only, the PostgreSQL cases are deselected (reported as such, not skipped)."""
    if not config.getoption("--sqlite-only"):
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (drop if "postgresql" in params.values() else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
