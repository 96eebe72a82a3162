"""Import hygiene: models/ and printer/ never pull in Textual, the shared kit (appkit/) may, and
importing any of them opens nothing (no engine, no file) and loads no app and no command line.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide a leak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib, json, os, pkgutil, sys

import sqlalchemy
import sqlalchemy.engine

engines = []
_real = sqlalchemy.create_engine


def _spy(*args, **kwargs):
    engines.append(str(args[0]) if args else "?")
    return _real(*args, **kwargs)


# Patched before anything of the project is imported, so `from sqlalchemy import create_engine`
# in any module binds the spy.
sqlalchemy.create_engine = _spy
sqlalchemy.engine.create_engine = _spy

# Alembic runs this module itself, inside a migration: at import it reads Alembic's context
# (only set up by a running migration) and migrates the connection handed in, so importing it
# anywhere else fails. models.schema never imports it; Alembic loads it from its path.
EXCLUDED = {"models.migrations.env"}


def walk(name):
    module = importlib.import_module(name)
    yield name
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        child = f"{name}.{info.name}"
        if child in EXCLUDED:
            continue  # not imported at all, so packages below it are skipped too
        if info.ispkg:
            yield from walk(child)
        else:
            importlib.import_module(child)
            yield child


imported = [m for root in ("models", "printer") for m in walk(root)]
for extra in sys.argv[1:]:  # the controls below
    if extra == "make-engine":
        import models.db

        models.db.make_engine("sqlite://")
    else:
        importlib.import_module(extra)
textual = sorted(m for m in sys.modules if m.split(".")[0] == "textual")
kit = list(walk("appkit"))  # after the core: the kit may use Textual
print(
    json.dumps(
        {
            "imported": imported,
            "kit": kit,
            "textual": textual,
            "engines": engines,
            "roots": sorted({m.split(".")[0] for m in sys.modules}),
        }
    )
)
"""


def run_fresh(tmp_path: Path, *extra: str) -> dict[str, list[str]]:
    """Import every module of models, printer and appkit in a new interpreter; report what
    happened."""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("MASHANGBAN_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    tmp = tmp_path_factory.mktemp("hygiene")
    return tmp, run_fresh(tmp)


def test_every_module_was_imported(fresh: tuple[Path, dict[str, list[str]]]) -> None:
    _, report = fresh
    imported = set(report["imported"])
    expected = {
        "models",
        "models.db",
        "models.hall",
        "models.tables",
        "models.queue.tickets",
        "models.queue.calling",
        "models.queue.serving",
        "models.clerks.staff",
        "models.queue.appointments",
        "models.events",
        "models.schema",
        "models.views.status",
        "models.views.board",
        "models.migrations",
        "models.migrations.versions",
        "models.migrations.versions.0001_queue_core",
        "printer",
    }
    assert expected <= imported
    assert not any(m == "mashangban" or m.startswith("mashangban.") for m in imported)
    assert "models.migrations.env" not in imported
    assert {"appkit", "appkit.bigtext", "appkit.idle"} <= set(report["kit"])


def test_the_core_and_the_kit_load_no_app_and_no_command_line(
    fresh: tuple[Path, dict[str, list[str]]],
) -> None:
    _, report = fresh
    apps = {"mashangban", "kiosk", "counter", "board", "monitor", "ratepad"}
    assert apps & set(report["roots"]) == set()


def test_models_and_printer_do_not_import_textual(
    fresh: tuple[Path, dict[str, list[str]]],
) -> None:
    _, report = fresh
    assert report["textual"] == []


def test_importing_creates_no_engine_and_no_files(
    fresh: tuple[Path, dict[str, list[str]]],
) -> None:
    tmp, report = fresh
    assert report["engines"] == []
    # The default database lives in the user data directory; importing must not create it.
    assert not (tmp / "xdg").exists()
    assert not (tmp / "home").exists()


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """Controls: the same harness does see Textual, an engine and an app when they are there."""
    report = run_fresh(tmp_path, "textual.app", "make-engine", "board.app")
    assert "textual" in report["textual"] and "textual.app" in report["textual"]
    assert report["engines"] == ["sqlite://"]
    assert "board" in report["roots"]
