"""Settings: the environment is read in one module, when asked, and the README lists it all."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from models import settings
from models.db import resolve_url
from models.secret import key_path
from models.supervision.witness import witness_path
from models.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["models", "printer", "mashangban", "appkit"]
PACKAGES += ["kiosk", "counter", "board", "monitor", "ratepad"]  # the apps
BUILDS_CHILD_ENVIRONMENTS = {
    # the demo hands its tmux panes their environment (TERM, and the rest without TMUX)
    "mashangban/demo.py",
}


def test_a_setting_is_read_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.DB.name, raising=False)
    assert settings.DB.get() is None
    monkeypatch.setenv(settings.DB.name, "")
    assert settings.DB.get() is None  # empty is unset, as each reader always took it
    monkeypatch.setenv(settings.DB.name, "/srv/hall.db")
    assert settings.DB.get() == "/srv/hall.db"


def test_the_readers_follow_their_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(settings.DB.name, str(tmp_path / "hall.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'hall.db'}"
    monkeypatch.setenv(settings.KEY_FILE.name, str(tmp_path / "hall.key"))
    assert key_path() == tmp_path / "hall.key"
    monkeypatch.setenv(settings.WITNESS.name, str(tmp_path / "witness.log"))
    assert witness_path() == tmp_path / "witness.log"
    monkeypatch.setenv(settings.NOW.name, "2026-11-25T10:00:00+08:00")
    assert utcnow().isoformat() == "2026-11-25T02:00:00+00:00"


def test_setting_a_variable_for_a_while_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.WITNESS.name, "before")
    monkeypatch.delenv(settings.PIN.name, raising=False)
    with settings.setting(settings.WITNESS, "during"), settings.setting(settings.PIN, "246813"):
        assert settings.WITNESS.get() == "during" and os.environ[settings.PIN.name] == "246813"
    assert settings.WITNESS.get() == "before"
    assert settings.PIN.name not in os.environ
    with pytest.raises(RuntimeError), settings.setting(settings.PIN, "246813"):
        raise RuntimeError("even when the work fails")
    assert settings.PIN.name not in os.environ


def environment_reads(source: str) -> list[str]:
    """Where a module touches the environment itself, or names a variable of ours in code."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "putenv", "unsetenv")
        ):
            found.append(f"line {node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"MASHANGBAN_[A-Z_]+", node.value)
        ):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_only_the_settings_module_reads_the_environment() -> None:
    offenders = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == "models/settings.py":
                continue
            found = environment_reads(path.read_text(encoding="utf-8"))
            if name in BUILDS_CHILD_ENVIRONMENTS:
                found = [f for f in found if "MASHANGBAN_" in f]  # still named in settings
            if found:
                offenders[name] = found
    assert offenders == {}


def test_the_check_can_fail() -> None:
    """Control: the scan does see each way of reading the environment."""
    source = (
        "import os\n"
        "from os import getenv\n"
        "a = os.environ.get('X')\n"
        "b = os.getenv('Y')\n"
        "c = typer.Option(None, envvar='MASHANGBAN_DB')\n"
    )
    assert len(environment_reads(source)) == 4


def test_the_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(MASHANGBAN_[A-Z_]+)` \| (.+?) \| (.+?) \|$", readme, re.MULTILINE)
    assert rows == [(s.name, s.meaning, s.default) for s in settings.EVERY]
