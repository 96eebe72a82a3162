"""A fast command line: `take`, `call` and `status` import only what they use, ``--help`` lists
every command without importing one, and the command table says what the commands say.

The commands run for real in a fresh interpreter, so modules imported by other tests cannot hide
a heavy import; what they loaded is read from sys.modules afterwards (behaviour, not timing:
``python -m bench --only cli`` times them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from mashangban.commands import COMMANDS
from models.schema import HEAD, head_revision
from tests.conftest import NOW, open_window

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    *("alembic", "mako", "textual", "openpyxl", "escpos", "PIL", "qrcode", "printer"),
    *("server", "fastapi", "starlette", "uvicorn", "jinja2", "prometheus_client"),
)
"""Packages no take, call or status may load: migrations, the apps, spreadsheets, printing,
the hall server and its web framework."""

CHILD = r"""
import json, sys

report, sys.argv = sys.argv[1], ["mashangban", *sys.argv[2:]]
code = 0
try:
    from mashangban import main

    main()
except SystemExit as exc:
    code = exc.code
with open(report, "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def run_fresh(tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run `mashangban ARGS` in a new interpreter: its exit code, stdout and loaded modules."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    env = {**os.environ, "MASHANGBAN_NOW": NOW.isoformat(), "PYTHONPATH": str(ROOT)}
    env.pop("MASHANGBAN_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(report), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    result["stdout"] = done.stdout
    return result


def heavy(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY})


def command_modules(modules: list[str]) -> list[str]:
    return sorted({entry.module for entry in COMMANDS.values()} & set(modules))


@pytest.fixture
def hall(lite: Engine, sqlite_url: str) -> str:
    """A prepared SQLite hall with a clerk at window 18 (M)."""
    open_window(lite, 18)
    return sqlite_url


def test_take_call_and_status_load_nothing_heavy(hall: str, tmp_path: Path) -> None:
    # The real commands, their schema and key checks included, one after the other.
    take = run_fresh(tmp_path, "--db", hall, "take", "M", "--json")
    assert take["code"] == 0 and json.loads(take["stdout"])["number"] == "M001"
    call = run_fresh(tmp_path, "--db", hall, "call", "--window", "18", "--json")
    assert call["code"] == 0 and json.loads(call["stdout"])["status"] == "called"
    status = run_fresh(tmp_path, "--db", hall, "status", "--json")
    assert status["code"] == 0 and json.loads(status["stdout"])
    for run in (take, call, status):
        assert heavy(run["modules"]) == []
        assert command_modules(run["modules"]) == ["mashangban.desk"]
        assert "rich" not in run["modules"]  # JSON for scripts needs no Rich
        assert not any(m.startswith("models.reports") for m in run["modules"])


def test_a_refusal_loads_nothing_heavy_either(hall: str, tmp_path: Path) -> None:
    nothing = run_fresh(tmp_path, "--db", hall, "call", "--window", "18", "--json")
    assert nothing["code"] == 3 and json.loads(nothing["stdout"])["error"] == "nothing_waiting"
    assert heavy(nothing["modules"]) == []


def test_the_check_can_fail(hall: str, tmp_path: Path) -> None:
    """Control: the same harness sees Alembic and the printing when a command uses them."""
    version = run_fresh(tmp_path, "version")
    assert version["code"] == 0 and "alembic" in heavy(version["modules"])
    printed = run_fresh(tmp_path, "--db", hall, "take", "M", "--print", "--json")
    assert printed["code"] == 0 and "printer" in heavy(printed["modules"])


def test_help_lists_every_command_and_imports_none(tmp_path: Path) -> None:
    result = run_fresh(tmp_path, "--help")
    assert result["code"] == 0
    assert command_modules(result["modules"]) == []
    listed = [line.split()[1] for line in result["stdout"].splitlines() if line.startswith("│ ")]
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)


TABLE = r"""
import importlib, inspect, json
import typer.main
from mashangban import app

# As the command line registered them before it was lazy: every module, in name order; each
# command belongs to the module whose import registered it (an app's command is defined in the
# app's launch module and registered by mashangban.apps).
modules = {}
names = (
    "admin", "apikeys", "apps", "bookings", "cases", "demo", "desk", "notify", "planning",
    "printing",
    "reports", "supervision",
)
for module in names:
    commands, groups = len(app.registered_commands), len(app.registered_groups)
    importlib.import_module(f"mashangban.{module}")
    for info in app.registered_commands[commands:]:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        modules[name] = f"mashangban.{module}"
    for group in app.registered_groups[groups:]:
        modules[group.name] = f"mashangban.{module}"
rows = []
for name, command in typer.main.get_group(app).commands.items():
    text = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0].strip()
    rows.append([name, modules[name], text])
print(json.dumps(rows))
"""


def test_the_command_table_is_what_the_modules_register() -> None:
    """Names, order, modules and help of mashangban.commands against the real commands."""
    done = subprocess.run(
        [sys.executable, "-c", TABLE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    registered = [tuple(row) for row in json.loads(done.stdout)]
    assert [(name, e.module, e.help) for name, e in COMMANDS.items()] == registered


def test_help_is_the_same_once_the_commands_are_loaded() -> None:
    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], terminal_width=100)
    for entry in COMMANDS.values():
        __import__(entry.module)
    loaded = runner.invoke(app, ["--help"], terminal_width=100)
    assert lazy.exit_code == loaded.exit_code == 0
    assert lazy.output == loaded.output


def test_a_misspelt_command_is_offered_the_right_one() -> None:
    result = CliRunner().invoke(app, ["cal"])
    assert result.exit_code == 2
    assert "Did you mean 'call'" in result.output


def test_the_head_revision_constant_is_alembics_head() -> None:
    """HEAD is how the schema check knows the newest migration without importing Alembic."""
    assert head_revision() == HEAD
