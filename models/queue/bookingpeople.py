"""The person behind a booking: their name and mobile number checked and masked, their keys.

A person is known to the rules (per-person limits, no-show blocks) only by keyed hashes of
their mobile number and, when given, their ID number (:func:`person_key`, keyed with the hall's
secret, :func:`models.secret.subkey`): the rules keep working after the name and number are
erased, and a copy of the database alone cannot tell whose bookings they were.
"""

from __future__ import annotations

import hmac
import re
import unicodedata

from models.errors import Refused
from models.secret import subkey
from models.textsafe import has_controls

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
NAME_MAX = 32
"""The longest name accepted (a foreign name in Latin letters is long; a Chinese one is 2-4)."""


def clean_mobile(text: str) -> str:
    """A mainland mobile number (11 digits from 13-19), spaces, dashes and +86 allowed around.

    Raises Refused("booking_bad_mobile")."""
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not _MOBILE_RE.match(digits):
        raise Refused("booking_bad_mobile")
    return digits


def clean_name(text: str) -> str:
    """A person's name: letters of any script, with spaces, ·, ., ' or - between; at most
    :data:`NAME_MAX` characters. Raises Refused("booking_bad_name")."""
    name = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not name or len(name) > NAME_MAX or has_controls(name):
        raise Refused("booking_bad_name", limit=NAME_MAX)
    if not all(ch.isalpha() or ch in " ·.'-" for ch in name) or not name[0].isalpha():
        raise Refused("booking_bad_name", limit=NAME_MAX)
    return name


def clean_id_number(text: str | None) -> str | None:
    """A resident ID number (18 characters, its check digit right), or None when not given.

    Raises Refused("booking_bad_id")."""
    if text is None or not text.strip():
        return None
    number = unicodedata.normalize("NFKC", text).strip().upper()
    if not _ID_RE.match(number):
        raise Refused("booking_bad_id")
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise Refused("booking_bad_id")
    return number


def mask_mobile(mobile: str) -> str:
    """13812341234 → 138****1234."""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


def person_key(kind: str, value: str, key: bytes | None = None) -> str:
    """A keyed hash naming a person by their mobile (``kind`` "m") or ID number ("id")."""
    return hmac.new(subkey("booking-person", key), f"{kind}:{value}".encode(), "sha256").hexdigest()


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*: clerks see enough to greet, no more."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
