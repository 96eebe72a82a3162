"""Errors a person can act on. Each carries a catalogue key, so apps and JSON see the same words."""

from __future__ import annotations

from models.text import errors


class MashangbanError(Exception):
    """A refusal or failure to show to a person: never a traceback."""

    exit_code = 1

    def __init__(self, key: str, *, hint: str = "", **values: object) -> None:
        self.key = key
        """The catalogue key (stable, for scripts)."""
        self.values = values
        """The values filled into the message."""
        self.zh, self.en = errors.pair(key, **values)
        self.hint = hint
        """An optional next step for staff (English)."""
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Both languages, Chinese first."""
        return f"{self.zh} / {self.en}"


class DatabaseError(MashangbanError):
    """The database cannot be opened, reached, written or is at the wrong version."""


class HallError(MashangbanError):
    """The hall file is unreadable or invalid; nothing was stored."""


class NotFound(MashangbanError):
    """An unknown queue, item, window, clerk, number or code."""


class Refused(MashangbanError):
    """A valid request the rules refuse (closed hall, full day, wrong state, wrong PIN …)."""


class NothingWaiting(Refused):
    """No ticket waits for this window; commands exit with 3."""

    exit_code = 3
