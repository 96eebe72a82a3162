"""The hall's secret key file: owner-only, never replaced, and a clear error when it is lost."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from models import secret, settings


def test_key_is_created_owner_only_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "hall.key"
    assert secret.create_key(path) is True
    first = secret.load_key(path)
    assert len(first) == secret.KEY_BYTES
    # Nobody but the owner reads the key or lists its folder.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # A second init keeps the key: events and PINs written with it still verify.
    assert secret.create_key(path) is False
    assert secret.load_key(path) == first


def test_subkeys_differ_per_purpose_and_per_key(tmp_path: Path) -> None:
    a, b = tmp_path / "a.key", tmp_path / "b.key"
    secret.create_key(a)
    secret.create_key(b)
    key_a, key_b = secret.load_key(a), secret.load_key(b)
    assert secret.subkey("events", key_a) != secret.subkey("pins", key_a)
    assert secret.subkey("events", key_a) != secret.subkey("events", key_b)
    assert secret.fingerprint(key_a) != secret.fingerprint(key_b)


def test_a_lost_or_damaged_key_is_its_own_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone.key"
    with pytest.raises(secret.SecretError) as lost:
        secret.load_key(missing)
    assert lost.value.key == "key_missing"
    assert str(missing) in lost.value.zh and "MASHANGBAN_KEY_FILE" in lost.value.en
    damaged = tmp_path / "bad.key"
    damaged.write_text("not hex at all\n")
    with pytest.raises(secret.SecretError) as bad:
        secret.load_key(damaged)
    assert bad.value.key == "key_bad"


def test_the_environment_names_the_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.key"
    monkeypatch.setenv(settings.KEY_FILE.name, str(path))
    assert secret.key_path() == path
    secret.create_key()
    assert secret.load_key() == secret.load_key(path)
