"""Locks after wrong PINs: a clerk number, and the place the PINs are typed at.

After :data:`MAX_WRONG` wrong PINs in a row a clerk number is locked for a growing time
(:data:`LOCK_MINUTES`: 1, 5, 15, 60 minutes, 4 hours, then a day each time); while it is locked
even the right PIN is refused, with the time it opens again. A number no clerk has is counted
and locked just the same, so the answers never tell which numbers exist. The place — a kiosk's
staff menu, a window's login, a rating pad — is counted and locked the same way whatever
numbers are tried there, so guessing across many numbers is slowed too. A good PIN clears both
counts; a supervisor unlocks (``mashangban clerk unlock``). Every lock and unlock is an event.

Kept in the table ``pin_lock``, so every host and process sees the same count, and restarting
an app does not reset it. Write transactions lock these rows first (clerk, then place), before
the window row and the chain head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models.clerks.pins import lockable_code
from models.db import reading, writing
from models.errors import Refused
from models.events import append_event
from models.hall import hall_settings
from models.tables import PinLock
from models.text import words
from models.timeutil import local, resolve_now, to_utc

MAX_WRONG = 5
"""Wrong PINs in a row that lock a clerk number or a place."""
LOCK_MINUTES = (1, 5, 15, 60, 240, 1440)
"""How long the first, second … lock lasts; the last one repeats."""
NAME_MAX = 64

L: Table = PinLock.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, order=True)
class Subject:
    """What wrong PINs are counted against: a clerk number, or a place."""

    kind: str
    """clerk or place."""
    name: str

    @property
    def zh(self) -> str:
        """How the Chinese messages name it."""
        if self.kind == "clerk":
            return words.zh("who_clerk", name=self.name)
        what, _, which = self.name.partition(" ")
        if f"who_{what}" in words.CATALOGUE and what != "clerk":
            return words.zh(f"who_{what}", which=which).strip()
        return self.name

    @property
    def en(self) -> str:
        """How the English messages name it."""
        return words.en("who_clerk", name=self.name) if self.kind == "clerk" else self.name


def guarded(*, clerk: str, place: str) -> list[Subject]:
    """The subjects one PIN attempt is counted against: the clerk number (when a clerk could
    have it) and the place, in lock order."""
    subjects = [Subject("place", place.strip()[:NAME_MAX] or "?")]
    code = lockable_code(clerk)
    if code is not None:
        subjects.insert(0, Subject("clerk", code))
    return subjects


@dataclass(frozen=True)
class LockView:
    """A clerk number or place that is locked now."""

    kind: str
    name: str
    locked_until: dt.datetime
    locks: int
    """How many times in a row it has been locked."""
    label_zh: str
    label_en: str


def _locked(row: PinLock | None, moment: dt.datetime) -> bool:
    return row is not None and row.locked_until is not None and to_utc(row.locked_until) > moment


def _view(row: PinLock) -> LockView:
    assert row.locked_until is not None
    subject = Subject(row.kind, row.name)
    return LockView(
        kind=row.kind,
        name=row.name,
        locked_until=to_utc(row.locked_until),
        locks=row.locks,
        label_zh=subject.zh,
        label_en=subject.en,
    )


def _rows(session: Session, subjects: Sequence[Subject], *, for_update: bool) -> list[PinLock]:
    if not subjects:
        return []
    rows = []
    for subject in sorted(subjects):
        query = select(PinLock).where(PinLock.kind == subject.kind, PinLock.name == subject.name)
        if for_update:
            query = query.with_for_update()
        row = session.exec(query).first()
        if row is not None:
            rows.append(row)
    return rows


def until_text(session: Session, until: dt.datetime, moment: dt.datetime) -> str:
    """The hall's local time a lock ends: ``10:15``, or with its date when not today."""
    tz = hall_settings(session).timezone
    end, today = local(until, tz), local(moment, tz).date()
    return f"{end:%H:%M}" if end.date() == today else f"{end:%Y-%m-%d %H:%M}"


def locked_error(session: Session, view: LockView, moment: dt.datetime) -> Refused:
    """The refusal for a locked clerk number or place, saying until when."""
    return Refused(
        "pin_locked",
        who_zh=view.label_zh,
        who_en=view.label_en,
        until=until_text(session, view.locked_until, moment),
    )


def refuse_if_locked(session: Session, subjects: Sequence[Subject], moment: dt.datetime) -> None:
    """Raise Refused ``pin_locked`` when any of the subjects is locked now (the PIN is then not
    even checked)."""
    for row in _rows(session, subjects, for_update=False):
        if _locked(row, moment):
            raise locked_error(session, _view(row), moment)


def _row_for_update(session: Session, subject: Subject) -> PinLock:
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        make(L)
        .values(kind=subject.kind, name=subject.name, failures=0, locks=0)
        .on_conflict_do_nothing(index_elements=["kind", "name"])
    )
    (row,) = _rows(session, [subject], for_update=True)
    return row


def record_failure(
    session: Session, subjects: Sequence[Subject], moment: dt.datetime
) -> list[tuple[LockView, int]]:
    """Count a wrong PIN against each subject, inside the caller's write transaction; lock
    those that reach :data:`MAX_WRONG`. Returns the new locks with their minutes.

    A guess that raced a lock (checked before another process locked) is not counted again.
    """
    new = []
    for subject in sorted(subjects):
        row = _row_for_update(session, subject)
        if _locked(row, moment):
            continue
        row.failures += 1
        row.last_failure_at = moment
        if row.failures >= MAX_WRONG:
            minutes = LOCK_MINUTES[min(row.locks, len(LOCK_MINUTES) - 1)]
            row.locked_until = moment + dt.timedelta(minutes=minutes)
            row.locks += 1
            row.failures = 0
            new.append((_view(row), minutes))
        session.add(row)
    return new


def write_locks(
    session: Session, locks: Sequence[tuple[LockView, int]], *, window: int | None = None
) -> None:
    """One ``pin_locked`` event per new lock (after :func:`record_failure`)."""
    for view, minutes in locks:
        append_event(
            session,
            kind="pin_locked",
            window=window,
            data={
                "kind": view.kind,
                "name": view.name,
                "minutes": minutes,
                "until": view.locked_until.isoformat(timespec="seconds"),
            },
        )


def clear(session: Session, subjects: Sequence[Subject], moment: dt.datetime) -> None:
    """A good PIN: refuse if a subject got locked meanwhile, else forget their wrong PINs."""
    for row in _rows(session, subjects, for_update=True):
        if _locked(row, moment):
            raise locked_error(session, _view(row), moment)
        session.delete(row)
    session.flush()


def current_locks(session: Session, moment: dt.datetime) -> list[LockView]:
    """Every clerk number and place locked now, the clerks first."""
    rows = session.exec(
        select(PinLock)
        .where(col(PinLock.locked_until).is_not(None))
        .order_by(col(PinLock.kind), col(PinLock.name))
    ).all()
    return [_view(row) for row in rows if _locked(row, moment)]


def unlock(
    engine: Engine,
    *,
    clerk: str | None = None,
    place: str | None = None,
    now: dt.datetime | None = None,
) -> LockView:
    """A supervisor unlocks a clerk number or a place (an event); its wrong PINs start again
    from nothing, its next lock still lasts longer. Raises Refused ``not_locked``."""
    moment = resolve_now(now)
    subject = (
        Subject("clerk", clerk.strip())
        if clerk is not None
        else Subject("place", (place or "").strip())
    )
    with writing(engine) as session:
        rows = _rows(session, [subject], for_update=True)
        if not rows or not _locked(rows[0], moment):
            raise Refused("not_locked", who_zh=subject.zh, who_en=subject.en)
        row = rows[0]
        view = _view(row)
        row.locked_until, row.failures = None, 0
        session.add(row)
        append_event(
            session,
            kind="pin_unlocked",
            data={
                "kind": subject.kind,
                "name": subject.name,
                "until": view.locked_until.isoformat(timespec="seconds"),
            },
        )
    return view


def locks_now(engine: Engine, *, now: dt.datetime | None = None) -> list[LockView]:
    """Every clerk number and place locked now (for ``clerk list`` and ``status``)."""
    with reading(engine) as session:
        return current_locks(session, resolve_now(now))
