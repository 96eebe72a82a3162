"""The apps stand on their own: `python -m <app>` never loads the `mashangban` command, an
app never loads another app, and an app's screens never load its App module (no circles).

Each check imports in a fresh interpreter, so modules loaded by other tests cannot hide one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kiosk", "counter", "board", "monitor", "ratepad")
SCREENS = {
    "kiosk": ("kiosk.screens", "kiosk.staff"),
    "counter": ("counter.login", "counter.desk", "counter.dialogs", "counter.panels"),
    "ratepad": ("ratepad.screens",),
}


def loaded_after(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing these."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("name", APPS)
def test_an_app_and_its_command_load_neither_the_console_command_nor_another_app(
    name: str,
) -> None:
    loaded = loaded_after(f"{name}.launch", f"{name}.app")
    tops = {m.split(".")[0] for m in loaded}
    assert "mashangban" not in tops
    assert not tops & (set(APPS) - {name}), tops & set(APPS)


@pytest.mark.parametrize("name", APPS)
def test_an_apps_command_loads_no_textual_until_it_runs(name: str) -> None:
    """`mashangban --help` lists every app's command: listing them must stay light."""
    loaded = loaded_after(f"{name}.launch")
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)
    assert f"{name}.app" not in loaded


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_an_apps_screens_do_not_load_its_app_module(name: str) -> None:
    assert f"{name}.app" not in loaded_after(*SCREENS[name])


def test_python_m_board_shows_the_common_db_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "board", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--db" in done.stdout and "--queues" in done.stdout


def test_kiosk_help_names_the_hall_files_kiosk_table() -> None:
    """The help's markup ate "[[kiosk]]": it read "Which [] this is"."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert "Which [[kiosk]] of the hall file" in done.stdout


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", APPS)
def test_no_module_of_an_app_but_its_starters_imports_its_app_module(name: str) -> None:
    """Imports inside functions count too: they were how the circles were held together."""
    starters = {"app.py", "launch.py", "__main__.py"}
    for path in sorted((ROOT / name).glob("*.py")):
        if path.name not in starters:
            assert f"{name}.app" not in imports_of(path), path.name
