"""A hall key file that other users can read (0644 after a careless copy) is not used silently:
every command that opens the hall, `audit verify` included, warns on stderr and says how to fix
it, and still works (refusing would stop the hall over a file mode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models import secret, settings
from tests.unit.test_audit_witness import a_morning, checkpoint, url_of

runner = CliRunner()


@pytest.fixture
def key_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hall's own key, copied to a file of its own (same key: the chain still verifies)."""
    copy = tmp_path / "keys" / "hall.key"
    copy.parent.mkdir()
    copy.write_bytes(secret.key_path().read_bytes())
    copy.chmod(0o600)
    monkeypatch.setenv(settings.KEY_FILE.name, str(copy))
    return copy


def run(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url_of(engine), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_key_file_others_can_read_is_warned_about(
    engine: Engine, key_copy: Path, mode: int
) -> None:
    a_morning(engine)
    checkpoint(engine)
    os.chmod(key_copy, mode)

    code, out, err = run(engine, "audit", "verify")
    assert code == 0, out + err  # the hall keeps working
    assert "records match the events" in out
    assert f"can be read by other users (mode {mode:04o})" in err
    assert f"chmod 600 {key_copy}" in err and "其他用户也能读取" in err

    code, out, err = run(engine, "clerk", "list")
    assert code == 0, out + err
    assert "can be read by other users" in err


def test_an_owner_only_key_file_is_used_quietly(engine: Engine, key_copy: Path) -> None:
    a_morning(engine)
    checkpoint(engine)
    code, out, err = run(engine, "audit", "verify")
    assert code == 0, out + err
    assert "other users" not in err
