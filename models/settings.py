"""Settings: every environment variable mashangban reads, named once, with its meaning and default.

A value is read when asked (``DB.get()``), never at import: tests set variables with monkeypatch,
and `mashangban demo` sets them for the apps it starts. An empty variable counts as unset.
The README's "Settings" table lists the same variables (a test keeps the two in step).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One environment variable."""

    name: str
    """The variable, as it is set in the shell."""
    meaning: str
    """What it chooses (the README's words)."""
    default: str
    """What is used when it is unset or empty."""

    def get(self) -> str | None:
        """The value now, or None when the variable is unset or empty."""
        return os.environ.get(self.name) or None


DB = Setting(
    "MASHANGBAN_DB",
    "the database: a SQLite file path or a SQLAlchemy URL (`--db` wins)",
    "`mashangban.db` in the user data folder",
)
KEY_FILE = Setting(
    "MASHANGBAN_KEY_FILE",
    "the hall's secret key file (event chain, checkpoints, PINs)",
    "`hall.key` in the user config folder",
)
WITNESS = Setting(
    "MASHANGBAN_WITNESS",
    "the witness file of the event chain's checkpoints (`--witness` wins)",
    "`witness.log` in the user data folder",
)
PREVIEW_DIR = Setting(
    "MASHANGBAN_PREVIEW_DIR",
    "the folder of the on-screen preview printers",
    "`preview/` in the user data folder",
)
CJK_FONT = Setting(
    "MASHANGBAN_CJK_FONT",
    "the font file that draws Chinese on raster printers",
    "a known CJK font, else fontconfig's pick",
)
PIN = Setting(
    "MASHANGBAN_PIN",
    "a clerk's PIN for `clerk add`, `clerk pin`, `login` (`--pin` wins) and"
    " `counter --window N --clerk C` (which then logs in at once)",
    "asked for",
)
NOW = Setting(
    "MASHANGBAN_NOW",
    "a fixed clock (ISO time with offset) for demos and tests of opening hours",
    "the system clock",
)
DEBUG = Setting(
    "MASHANGBAN_DEBUG",
    "any value: the command line shows a traceback instead of the bilingual error",
    "off",
)

EVERY = (DB, KEY_FILE, WITNESS, PREVIEW_DIR, CJK_FONT, PIN, NOW, DEBUG)
"""All settings, in the README's order."""


@contextmanager
def setting(variable: Setting, value: str) -> Iterator[None]:
    """Set a variable in this process (and the processes it starts) for a while, then restore it."""
    before = os.environ.get(variable.name)
    os.environ[variable.name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(variable.name, None)
        else:
            os.environ[variable.name] = before
