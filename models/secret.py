"""The hall's secret key: kept outside the database, so a copy of the database alone is not enough.

One random key per hall, in an owner-only file (``mashangban init`` creates it). Every use
derives its own key from it (:func:`subkey`): the event chain's keyed hashes, the staff PINs'
keyed hashes. Someone who can write the database but cannot read this file can neither re-hash
a rewritten history nor test PIN guesses against a copied database. Several hosts on one
PostgreSQL database need the same key file (copy it as you would a TLS key).

The file's path: ``MASHANGBAN_KEY_FILE``, else ``hall.key`` in the user config directory
(``~/.config/mashangban/hall.key`` on Linux).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from platformdirs import user_config_dir

from models import settings
from models.errors import MashangbanError

KEY_BYTES = 32
_cache: dict[tuple[str, int], bytes] = {}


class SecretError(MashangbanError):
    """The hall's key file is missing, unreadable or not a key."""


def default_key_path() -> Path:
    """Where the key lives when ``MASHANGBAN_KEY_FILE`` names no other file."""
    return Path(user_config_dir("mashangban", appauthor=False)) / "hall.key"


def key_path(path: str | Path | None = None) -> Path:
    """The key file to use: the one given, ``MASHANGBAN_KEY_FILE``, or the default."""
    chosen = path or settings.KEY_FILE.get() or default_key_path()
    return Path(chosen).expanduser().absolute()


def create_key(path: str | Path | None = None) -> bool:
    """Create the key file (folder 0700, file 0600) unless it exists; True when created.

    An existing key is never replaced: events and PINs written with it would stop verifying.
    Raises SecretError when the file cannot be written.
    """
    target = key_path(path)
    if target.exists():
        return False
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise SecretError("key_unwritable", path=target, reason=exc.strerror) from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def loose_key(path: str | Path | None = None) -> SecretError | None:
    """A warning when the key file can be read or written by others than its owner (group or
    other bits set, e.g. 0644 after a copy): anyone who can read it can re-seal a rewritten
    history and test PIN guesses. None when it is owner-only, or missing (that is its own error).
    """
    target = key_path(path)
    try:
        mode = target.stat().st_mode
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return SecretError("key_loose", path=target, mode=f"{mode & 0o777:04o}")


def load_key(path: str | Path | None = None) -> bytes:
    """The hall's key. Raises SecretError: missing, unreadable, or not a key."""
    target = key_path(path)
    try:
        stat = target.stat()
    except FileNotFoundError as exc:
        raise SecretError("key_missing", path=target) from exc
    except OSError as exc:
        raise SecretError("key_unreadable", path=target, reason=exc.strerror) from exc
    cached = _cache.get((str(target), stat.st_mtime_ns))
    if cached is not None:
        return cached
    try:
        text = target.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except OSError as exc:
        raise SecretError("key_unreadable", path=target, reason=exc.strerror) from exc
    except ValueError as exc:
        raise SecretError("key_bad", path=target) from exc
    if len(key) != KEY_BYTES:
        raise SecretError("key_bad", path=target)
    _cache[(str(target), stat.st_mtime_ns)] = key
    return key


def subkey(purpose: str, key: bytes | None = None) -> bytes:
    """A key for one use (``"events"``, ``"pins"`` …), derived from the hall's key."""
    return hmac.new(key if key is not None else load_key(), purpose.encode(), "sha256").digest()


def fingerprint(key: bytes | None = None) -> str:
    """A short public name of a key, to tell "the wrong key" from "a rewritten record"."""
    return hashlib.sha256(subkey("fingerprint", key)).hexdigest()[:16]
