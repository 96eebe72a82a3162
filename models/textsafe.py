"""Stored text made safe to show: on a terminal, and in a spreadsheet.

Names, pause reasons and notes are typed by people and stored as given. Shown raw, an escape
sequence in one clears a supervisor's screen, hides text or sets the terminal's title; a cell
that starts with ``=`` becomes a formula in Excel. These functions show such text visibly
instead. Refusing it at the door (:func:`require_plain`) is for new text; what is already
stored is still escaped wherever it is shown.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar, cast

from models.errors import Refused
from models.text import words

T = TypeVar("T")

# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a
# reader sees (a name that shows one thing and sorts as another).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """The text with every control character (ESC, BEL, newline …) written visibly as
    ``\\x1b``-style escapes, so it prints on one line and changes nothing on the terminal."""
    return _UNSAFE.sub(_visible, str(value))


def has_controls(text: str) -> bool:
    """True when the text holds a character :func:`printable` would escape."""
    return _UNSAFE.search(text) is not None


def require_plain(text: str, *, field: str) -> str:
    """The text, if it has no control characters. Raises Refused (text_control) naming the
    field (its ``field_<field>`` word) otherwise: a reason or a note is one line of plain text."""
    if has_controls(text):
        field_zh, field_en = words.pair(f"field_{field}")
        raise Refused("text_control", field_zh=field_zh, field_en=field_en, text=printable(text))
    return text


def spreadsheet_text(value: str) -> str:
    """A text cell safe for Excel and LibreOffice: controls shown visibly, and a cell that
    would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR) prefixed with a single quote
    (OWASP's advice for CSV injection). Numbers are not text: keep them as numbers."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return printable(value)


def displayable(value: T) -> T:
    """A read model (a dataclass, list, tuple or dict of them) with every text in it made
    :func:`printable`: the one step a screen takes when a read model enters it, so a name or
    reason written straight into the database (past the checks at the door) shows its escape
    sequences instead of obeying them. Numbers, dates and other values are kept as they are."""
    if isinstance(value, str):
        return cast(T, printable(value)) if has_controls(value) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: displayable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return cast(T, dataclasses.replace(value, **changes))
    if isinstance(value, list):
        return cast(T, [displayable(v) for v in value])
    if isinstance(value, tuple):
        items = [displayable(v) for v in value]
        return cast(T, type(value)(*items) if hasattr(value, "_fields") else tuple(items))
    if isinstance(value, dict):
        return cast(T, {displayable(k): displayable(v) for k, v in value.items()})
    return value


def printable_lines(value: object) -> str:
    """Like :func:`printable`, but keeps the newlines of a message of several lines."""
    return "\n".join(printable(line) for line in str(value).split("\n"))
