"""The import contract (pyproject.toml, run by `make lint`) holds on the tree and can fail.

The controls copy the packages and the contract into a temporary folder, break one rule there
and run `lint-imports` on the copy: it must name the contracts that broke, and only those.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
PACKAGES: list[str] = TOOLS["importlinter"]["root_packages"]
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """Run the contract of ``where``/pyproject.toml on the packages in ``where``."""
    env = {**os.environ, "PYTHONPATH": str(where)}  # the copy, never the installed tree
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-logo", "--no-cache"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_tree(target: Path) -> Path:
    """The packages and pyproject.toml, without caches."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_contract_holds_on_the_tree() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout
    assert " 0 broken" in done.stdout


CORE = "The core and printing import no Textual, no app, no shared kit and no command line"
APPS = "The apps are independent of each other (each may use appkit, models and printer)"


@pytest.mark.parametrize(
    ("module", "line", "broken", "chain"),
    [
        ("models/timeutil.py", "import textual.app", [CORE], "models.timeutil -> textual"),
        ("kiosk/snapshot.py", "import board.app", [APPS], "kiosk.snapshot -> board.app"),
        # through printer, the counter (which prints receipts) now reaches the kiosk too
        ("printer/layout.py", "import kiosk.app", [CORE, APPS], "printer.layout -> kiosk.app"),
    ],
)
def test_the_contract_can_fail(
    tmp_path: Path, module: str, line: str, broken: list[str], chain: str
) -> None:
    """Controls: one forbidden import in a copy of the tree breaks the contracts that forbid it."""
    tree = copy_tree(tmp_path)
    changed = tree / module
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n{line}  # the control\n")
    done = lint_imports(tree)
    assert done.returncode != 0, done.stdout
    out = " ".join(done.stdout.split())  # the report wraps long contract names
    for name in broken:
        assert re.search(rf"{re.escape(name)} ?BROKEN", out), out
    assert f"{len(broken)} broken" in out
    assert chain in out.split("Broken contracts", 1)[1]
