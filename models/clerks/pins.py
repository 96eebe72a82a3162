"""Staff PINs as keyed, salted, slow hashes, and the rules for clerk codes, names and PINs.

A PIN is first keyed with the hall's secret (HMAC-SHA256 with ``secret.subkey("pins")``, a key
kept outside the database), then hashed with scrypt and a random salt. A copy of the database
alone is not enough to test guesses: without the key there is nothing to feed scrypt. Stored as
``scrypt-hmac$n$r$p$salt$digest``. Hashes of the old scheme (``scrypt$…``, the PIN itself fed
to scrypt) still verify, and :func:`needs_rehash` says to replace them at the next good PIN.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from models import secret
from models.errors import Refused

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
KEYED = "scrypt-hmac"
"""The scheme tag of a keyed hash; ``scrypt`` is the old unkeyed one."""
PIN_MAX_DIGITS = 12
DEFAULT_PIN_MIN_DIGITS = 6
NAME_MAX = 40

_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,16}$")
# Checked against when a clerk number is unknown, so an unknown number takes as long to refuse
# as a known one (its timing must not tell which numbers exist).
_DUMMY = f"{KEYED}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${'00' * 16}${'00' * 64}"


def _scrypt(material: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(material, salt=salt, n=n, r=r, p=p)


def _keyed(pin: str) -> bytes:
    return hmac.new(secret.subkey("pins"), pin.encode(), "sha256").digest()


def hash_pin(pin: str) -> str:
    """A keyed, salted scrypt hash of a PIN, with its scheme and parameters.

    Raises SecretError when the hall's key cannot be read.
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(_keyed(pin), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{KEYED}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str | None) -> bool:
    """True when the PIN matches the stored hash (constant-time compare).

    ``None`` (no such clerk) costs the same work as a real hash and is always False. Raises
    SecretError for a keyed hash when the hall's key cannot be read.
    """
    try:
        scheme, n, r, p, salt, digest = (stored or _DUMMY).split("$")
        if scheme not in (KEYED, "scrypt"):
            return False
        material = _keyed(pin) if scheme == KEYED else pin.encode()
        actual = _scrypt(material, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return stored is not None and hmac.compare_digest(actual.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """True for a hash of the old unkeyed scheme (or older parameters)."""
    return not stored.startswith(f"{KEYED}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


def check_new_pin(pin: str, min_digits: int = DEFAULT_PIN_MIN_DIGITS) -> None:
    """Refuse a new PIN that is not ``min_digits``–12 digits (Refused ``bad_pin``)."""
    if not (pin.isascii() and pin.isdigit() and min_digits <= len(pin) <= PIN_MAX_DIGITS):
        raise Refused("bad_pin", min=min_digits, max=PIN_MAX_DIGITS)


def check_code(code: str) -> str:
    """A new clerk number, stripped: 1–16 letters or digits. Raises Refused ``bad_clerk_code``."""
    code = code.strip()
    if not _CODE_RE.match(code):
        raise Refused("bad_clerk_code")
    return code


def check_name(name: str) -> str:
    """A clerk's name, stripped: 1–40 characters, none of them a control or format character
    (no ANSI escapes, no bidi overrides). Raises Refused ``bad_clerk_name``."""
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX or any(
        unicodedata.category(ch).startswith("C") for ch in name
    ):
        raise Refused("bad_clerk_name", max=NAME_MAX)
    return name


def lockable_code(code: str) -> str | None:
    """The clerk number a login names, as a lock is kept for it; None when no clerk can have it
    (too long, or not printable: such guesses count against the place only)."""
    code = code.strip()
    if 1 <= len(code) <= 16 and code.isprintable():
        return code
    return None
