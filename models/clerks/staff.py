"""Clerks, logins and pauses at windows.

PINs are kept as keyed, salted scrypt hashes (:mod:`models.clerks.pins`); a wrong PIN is refused and
written to the event log, and a few in a row lock the clerk number and the place for a growing
time (:mod:`models.clerks.lockout`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from models.clerks import lockout
from models.clerks.pins import (
    DEFAULT_PIN_MIN_DIGITS,
    check_code,
    check_name,
    check_new_pin,
    check_pin,
    hash_pin,
    lockable_code,
    needs_rehash,
)
from models.db import reading, writing
from models.errors import HallError, MashangbanError, NotFound, Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import get_window, open_pause
from models.secret import SecretError
from models.tables import Clerk, Pause, Window
from models.text.words import pause_words
from models.textsafe import require_plain
from models.timeutil import resolve_now, utcnow

PAUSE_REASONS = ("break", "meeting", "backoffice")
"""Common pause reasons (their words: ``pause_<reason>`` in models.text.words); any other short
text is accepted too."""


@dataclass(frozen=True)
class ClerkView:
    """A clerk as listed for staff (never the PIN)."""

    code: str
    name: str
    active: bool
    window: int | None
    locked_until: dt.datetime | None = None
    """Until when wrong PINs have locked this clerk number (UTC), or None."""


def pin_min_digits(engine: Engine) -> int:
    """The fewest digits a new PIN may have: the hall file's ``pin_min_digits`` (default 6)."""
    try:
        with reading(engine) as session:
            return hall_settings(session).pin_min_digits
    except HallError:
        return DEFAULT_PIN_MIN_DIGITS


def add_clerk(engine: Engine, *, code: str, name: str, pin: str) -> ClerkView:
    """Register a clerk.

    Raises Refused for a code that is not 1-16 letters or digits, a name with control
    characters (or empty, or too long), a PIN that is not ``pin_min_digits``-12 digits, or a
    taken code.
    """
    code, name = check_code(code), check_name(name)
    check_new_pin(pin, pin_min_digits(engine))
    pin_hash = hash_pin(pin)  # slow: outside the write lock
    with writing(engine) as session:
        if session.get(Clerk, code) is not None:
            raise Refused("clerk_exists", clerk=code)
        session.add(Clerk(code=code, name=name, pin_hash=pin_hash, created_at=utcnow()))
        append_event(session, kind="clerk_added", clerk_code=code, data={"name": name})
    return ClerkView(code=code, name=name, active=True, window=None)


def change_pin(engine: Engine, *, code: str, pin: str) -> ClerkView:
    """Give a clerk a new PIN (a supervisor's job; an event, never the PIN).

    Raises NotFound for an unknown clerk and Refused for a PIN that is not
    ``pin_min_digits``-12 digits.
    """
    code = code.strip()
    check_new_pin(pin, pin_min_digits(engine))
    pin_hash = hash_pin(pin)  # slow: outside the write lock
    with writing(engine) as session:
        row = session.get(Clerk, code) if lockable_code(code) else None
        if row is None:
            raise NotFound("unknown_clerk", clerk=lockable_code(code) or "?")
        row.pin_hash = pin_hash
        session.add(row)
        append_event(session, kind="pin_changed", clerk_code=code)
        return ClerkView(code=code, name=row.name, active=row.active, window=None)


def list_clerks(engine: Engine, *, now: dt.datetime | None = None) -> list[ClerkView]:
    """Every clerk, with the window each is logged in at and any lock in force."""
    with reading(engine) as session:
        at = {w.clerk_code: w.number for w in session.exec(select(Window)).all() if w.clerk_code}
        locked = {
            lock.name: lock.locked_until
            for lock in lockout.current_locks(session, resolve_now(now))
            if lock.kind == "clerk"
        }
        return [
            ClerkView(
                code=c.code,
                name=c.name,
                active=c.active,
                window=at.get(c.code),
                locked_until=locked.get(c.code),
            )
            for c in session.exec(select(Clerk).order_by(col(Clerk.code))).all()
        ]


@dataclass(frozen=True)
class _Attempt:
    """One PIN typed somewhere: what it is counted against and how its events read."""

    code: str
    guard: list[lockout.Subject]
    moment: dt.datetime
    window: int | None


def _stored_hash(session: Any, attempt: _Attempt) -> tuple[str | None, str]:
    """Refuse a locked clerk number or place; else the clerk's PIN hash (None: no such active
    clerk) and name."""
    lockout.refuse_if_locked(session, attempt.guard, attempt.moment)
    row = session.get(Clerk, attempt.code) if lockable_code(attempt.code) else None
    if row is None or not row.active:
        return None, ""
    return row.pin_hash, row.name


def _wrong_pin(engine: Engine, attempt: _Attempt, event: dict[str, Any]) -> MashangbanError:
    """Count a wrong PIN (its event, and the locks it leads to); the refusal to raise."""
    with writing(engine) as session:
        locks = lockout.record_failure(session, attempt.guard, attempt.moment)
        append_event(session, at=attempt.moment, **event)
        lockout.write_locks(session, locks, window=attempt.window)
        if locks:
            return lockout.locked_error(session, locks[0][0], attempt.moment)
    return Refused("wrong_pin")


def _new_hash(pin: str, stored: str) -> str | None:
    """A keyed hash to replace an old unkeyed one, after a good PIN (None: keep it)."""
    if not needs_rehash(stored):
        return None
    try:
        return hash_pin(pin)  # slow: outside the write lock
    except SecretError:
        return None  # no key here yet: the old hash keeps working


def _good_pin(session: Any, attempt: _Attempt, stored: str, rehashed: str | None) -> None:
    """Inside the write transaction of a good PIN: refuse if locked meanwhile, clear the
    counts, store the keyed hash."""
    lockout.clear(session, attempt.guard, attempt.moment)
    if rehashed is not None:
        row = session.get(Clerk, attempt.code)
        if row is not None and row.pin_hash == stored:
            row.pin_hash = rehashed
            session.add(row)


def login(
    engine: Engine, *, window: int, clerk: str, pin: str, now: dt.datetime | None = None
) -> ClerkView:
    """Log a clerk in at a window.

    Refuses a wrong PIN (and records the attempt), a locked clerk number or window login (even
    with the right PIN), a window held by another clerk, and a clerk logged in elsewhere.
    Logging in again where one already is, is allowed (a restarted counter).
    """
    code = clerk.strip()
    attempt = _Attempt(
        code=code,
        guard=lockout.guarded(clerk=code, place=f"window {window}"),
        moment=resolve_now(now),
        window=window,
    )
    with reading(engine) as session:
        get_window(session, window)
        stored, name = _stored_hash(session, attempt)
    if not check_pin(pin, stored):  # slow: outside the write lock
        raise _wrong_pin(
            engine,
            attempt,
            {"kind": "login_failed", "window": window, "data": {"clerk": code[:32]}},
        )
    assert stored is not None
    rehashed = _new_hash(pin, stored)
    with writing(engine) as session:
        _good_pin(session, attempt, stored, rehashed)
        target = get_window(session, window)
        if target.clerk_code not in (None, code):
            raise Refused("window_held", window=window, clerk=target.clerk_code)
        elsewhere = session.exec(
            select(Window).where(Window.clerk_code == code, Window.number != window)
        ).first()
        if elsewhere is not None:
            raise Refused("clerk_elsewhere", clerk=code, window=elsewhere.number)
        target.clerk_code, target.login_at = code, utcnow()
        session.add(target)
        append_event(session, kind="login", window=window, clerk_code=code)
    return ClerkView(code=code, name=name, active=True, window=window)


def logout(engine: Engine, *, window: int) -> None:
    """Log the clerk out of a window (its current ticket stays as it is)."""
    with writing(engine) as session:
        target = get_window(session, window)
        if target.clerk_code is None:
            raise Refused("no_clerk", window=window)
        clerk = target.clerk_code
        target.clerk_code, target.login_at = None, None
        session.add(target)
        append_event(session, kind="logout", window=window, clerk_code=clerk)


def pause(engine: Engine, *, window: int, reason: str, now: dt.datetime | None = None) -> Pause:
    """Stop calling at a window with a reason (break, meeting, backoffice or free text)."""
    reason = reason.strip()
    if not reason:
        raise Refused("bad_reason")
    require_plain(reason, field="pause_reason")
    moment = resolve_now(now)
    with writing(engine) as session:
        target = get_window(session, window)
        current = open_pause(session, window)
        if current is not None:
            raise Refused("window_paused", window=window, **pause_words(current.reason))
        row = Pause(
            window_number=window, reason=reason, clerk_code=target.clerk_code, started_at=moment
        )
        session.add(row)
        append_event(
            session,
            kind="paused",
            window=window,
            clerk_code=target.clerk_code,
            at=moment,
            data={"reason": reason},
        )
        return row


def resume(engine: Engine, *, window: int, now: dt.datetime | None = None) -> Pause:
    """End the window's pause; returns it with its end time."""
    moment = resolve_now(now)
    with writing(engine) as session:
        target = get_window(session, window)
        current = open_pause(session, window)
        if current is None:
            raise Refused("window_not_paused", window=window)
        current.ended_at = moment
        session.add(current)
        minutes = round((moment - current.started_at).total_seconds() / 60, 1)
        append_event(
            session,
            kind="resumed",
            window=window,
            clerk_code=target.clerk_code,
            at=moment,
            data={"reason": current.reason, "minutes": minutes},
        )
        return current


def verify_staff(
    engine: Engine, *, clerk: str, pin: str, place: str, now: dt.datetime | None = None
) -> ClerkView:
    """Check a clerk's PIN to unlock a staff menu (a kiosk's, a rating pad's); every attempt is
    an event.

    Raises Refused("wrong_pin") for a wrong or unknown clerk number or PIN, and
    Refused("pin_locked") while the clerk number or the place is locked (even for the right
    PIN).
    """
    code = clerk.strip()
    attempt = _Attempt(
        code=code,
        guard=lockout.guarded(clerk=code, place=place),
        moment=resolve_now(now),
        window=None,
    )
    with reading(engine) as session:
        stored, name = _stored_hash(session, attempt)
    if not check_pin(pin, stored):  # slow: outside the write lock
        raise _wrong_pin(
            engine,
            attempt,
            {"kind": "staff_denied", "data": {"place": place, "clerk": code[:32]}},
        )
    assert stored is not None
    rehashed = _new_hash(pin, stored)
    with writing(engine) as session:
        _good_pin(session, attempt, stored, rehashed)
        append_event(
            session,
            kind="staff_unlocked",
            clerk_code=code,
            data={"place": place, "clerk": code},
        )
    return ClerkView(code=code, name=name, active=True, window=None)
