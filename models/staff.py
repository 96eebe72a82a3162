"""Clerks, logins and pauses at windows.

PINs are kept as salted scrypt hashes (slow on purpose); a wrong PIN is refused and counted
in the event log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import reading, writing
from models.errors import Refused
from models.events import append_event
from models.lookup import get_window, open_pause
from models.tables import Clerk, Pause, Window
from models.textsafe import require_plain
from models.timeutil import resolve_now, utcnow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PAUSE_REASONS = {"break": "休息", "meeting": "会议", "backoffice": "后台业务"}
"""Common pause reasons; any other short text is accepted too."""

_PIN_RE = re.compile(r"^\d{4,12}$")


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of a PIN, with its parameters."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    """True when the PIN matches the stored hash (constant-time compare)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual.hex(), digest)


@dataclass(frozen=True)
class ClerkView:
    """A clerk as listed for staff (never the PIN)."""

    code: str
    name: str
    active: bool
    window: int | None


def add_clerk(engine: Engine, *, code: str, name: str, pin: str) -> ClerkView:
    """Register a clerk. Raises Refused for a taken code or a PIN that is not 4-12 digits."""
    code = code.strip()
    if not _PIN_RE.match(pin):
        raise Refused("bad_pin")
    pin_hash = hash_pin(pin)  # slow: outside the write lock
    with writing(engine) as session:
        if session.get(Clerk, code) is not None:
            raise Refused("clerk_exists", clerk=code)
        session.add(Clerk(code=code, name=name.strip(), pin_hash=pin_hash, created_at=utcnow()))
        append_event(session, kind="clerk_added", clerk_code=code, data={"name": name})
    return ClerkView(code=code, name=name, active=True, window=None)


def list_clerks(engine: Engine) -> list[ClerkView]:
    """Every clerk, with the window each is logged in at."""
    with reading(engine) as session:
        at = {w.clerk_code: w.number for w in session.exec(select(Window)).all() if w.clerk_code}
        return [
            ClerkView(code=c.code, name=c.name, active=c.active, window=at.get(c.code))
            for c in session.exec(select(Clerk).order_by(col(Clerk.code))).all()
        ]


def login(engine: Engine, *, window: int, clerk: str, pin: str) -> ClerkView:
    """Log a clerk in at a window.

    Refuses a wrong PIN (and records the attempt), a window held by another clerk, and a clerk
    logged in elsewhere. Logging in again where one already is, is allowed (a restarted counter).
    """
    with reading(engine) as session:
        get_window(session, window)
        row = session.get(Clerk, clerk.strip())
        stored = row.pin_hash if row is not None and row.active else None
    if stored is None or not check_pin(pin, stored):  # slow: outside the write lock
        with writing(engine) as session:
            append_event(session, kind="login_failed", window=window, data={"clerk": clerk})
        raise Refused("wrong_pin")
    with writing(engine) as session:
        target = get_window(session, window)
        code = clerk.strip()
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
        name = row.name if row else code
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
    require_plain(reason, field_zh="暂停原因", field_en="pause reason")
    moment = resolve_now(now)
    with writing(engine) as session:
        target = get_window(session, window)
        current = open_pause(session, window)
        if current is not None:
            raise Refused("window_paused", window=window, reason=current.reason)
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


def verify_staff(engine: Engine, *, clerk: str, pin: str, place: str) -> ClerkView:
    """Check a clerk's PIN to unlock a staff menu (a kiosk's); every attempt is an event.

    Raises Refused("wrong_pin") for a wrong or unknown clerk number or PIN.
    """
    with reading(engine) as session:
        row = session.get(Clerk, clerk.strip())
        stored = row.pin_hash if row is not None and row.active else None
        name = row.name if row is not None else ""
    ok = stored is not None and check_pin(pin, stored)
    with writing(engine) as session:
        append_event(
            session,
            kind="staff_unlocked" if ok else "staff_denied",
            clerk_code=clerk.strip() if ok else None,
            data={"place": place, "clerk": clerk.strip()},
        )
    if not ok:
        raise Refused("wrong_pin")
    return ClerkView(code=clerk.strip(), name=name, active=True, window=None)
