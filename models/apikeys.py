"""API keys for the hall server's write API: what another system may do, and checking its key.

A key is ``msb_`` and 43 random characters, shown once when it is made (``mashangban apikey
add``). The database keeps only its HMAC-SHA256 with a key derived from the hall's secret key
(``secret.subkey("apikeys")``): the key is long and random, so a fast keyed hash is enough, and
a copy of the database alone cannot test guesses. A presented key is hashed the same way, found
by its hash, and compared in constant time.

Scopes: ``take`` (take tickets), ``read`` (the event feed), ``book`` (online bookings for a
partner channel: book, look up, cancel, the open slots), ``window:N`` (act at window N: call
next, recall, no-show, finish), ``window:*`` (at any window). A revoked key stays listed, for
the record; its name cannot be used again.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, update
from sqlmodel import col, select

from models import secret
from models.db import reading, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.limits import WINDOW_MAX
from models.tables import ApiKey
from models.timeutil import to_utc, utcnow

PREFIX = "msb_"
NAME_MAX = 32
_NAME_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
SCOPES = ("take", "read", "book", "window:*")
"""The scopes besides ``window:N``."""
LAST_USED_STEP = dt.timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key: a call button pressed all day does
not add a write to every call."""


@dataclass(frozen=True)
class KeyView:
    """An API key as listed: never the key itself."""

    name: str
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def to_json(self) -> dict[str, object]:
        def iso(moment: dt.datetime | None) -> str | None:
            return to_utc(moment).isoformat(timespec="seconds") if moment else None

        return {
            "name": self.name,
            "scopes": self.scopes,
            "created_at": iso(self.created_at),
            "last_used_at": iso(self.last_used_at),
            "revoked": self.revoked_at is not None,
            "revoked_at": iso(self.revoked_at),
        }


def _view(row: ApiKey) -> KeyView:
    return KeyView(
        name=row.name,
        scopes=row.scopes.split(),
        created_at=to_utc(row.created_at),
        last_used_at=to_utc(row.last_used_at) if row.last_used_at else None,
        revoked_at=to_utc(row.revoked_at) if row.revoked_at else None,
    )


def key_hash(key: str) -> str:
    """The keyed hash a key is stored and found by. Raises SecretError without the hall's key."""
    return hmac.new(secret.subkey("apikeys"), key.encode(), "sha256").hexdigest()


def check_name(name: str) -> str:
    """A key's name, stripped: 1–32 letters, digits, ``.``, ``_`` or ``-``, starting with a
    letter or digit. Raises Refused ``bad_apikey_name``."""
    name = name.strip()
    if not _NAME_RE.match(name):
        raise Refused("bad_apikey_name", max=NAME_MAX)
    return name


def parse_scopes(values: list[str]) -> list[str]:
    """The scopes given (each may list several, split by commas or spaces), checked and sorted.
    Raises Refused ``bad_scope`` for an unknown one or none at all."""
    found: set[str] = set()
    for value in values:
        for scope in re.split(r"[,\s]+", value.strip()):
            if not scope:
                continue
            scope = scope.lower()
            number = scope.removeprefix("window:")
            if scope in SCOPES:
                found.add(scope)
            elif number != scope and number.isascii() and number.isdigit():
                if not 1 <= int(number) <= WINDOW_MAX:
                    raise Refused("bad_scope", scope=scope)
                found.add(f"window:{int(number)}")
            else:
                raise Refused("bad_scope", scope=scope)
    if not found:
        raise Refused("bad_scope", scope="")
    return sorted(found)


def allows(scopes: list[str], need: str) -> bool:
    """True when these scopes cover ``need`` (``take``, ``read``, ``book`` or ``window:N``)."""
    return need in scopes or (need.startswith("window:") and "window:*" in scopes)


def add_key(engine: Engine, *, name: str, scopes: list[str]) -> tuple[KeyView, str]:
    """Make a key; returns it with the key itself, which is shown once and never stored.

    Raises Refused for a bad name or scope, or a name already used (revoked keys included).
    """
    name, scopes = check_name(name), parse_scopes(scopes)
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, scopes=" ".join(scopes), key_hash=key_hash(key), created_at=utcnow())
    with writing(engine) as session:
        if session.get(ApiKey, name) is not None:
            raise Refused("apikey_exists", name=name)
        session.add(row)
        append_event(session, kind="apikey_added", data={"name": name, "scopes": scopes})
        view = _view(row)
    return view, key


def list_keys(engine: Engine) -> list[KeyView]:
    """Every key made, by name."""
    with reading(engine) as session:
        return [_view(r) for r in session.exec(select(ApiKey).order_by(col(ApiKey.name)))]


def revoke_key(engine: Engine, *, name: str) -> KeyView:
    """Revoke a key: refused from now on, by every server at once (it is read on every use).

    Raises NotFound for an unknown name, Refused when it is revoked already.
    """
    with writing(engine) as session:
        row = session.get(ApiKey, name.strip(), with_for_update=True)
        if row is None:
            raise NotFound("unknown_apikey", name=name.strip())
        if row.revoked_at is not None:
            raise Refused("apikey_revoked_already", name=row.name)
        row.revoked_at = utcnow()
        session.add(row)
        append_event(session, kind="apikey_revoked", data={"name": row.name})
        return _view(row)


def record_refusal(
    engine: Engine, *, name: str, need: str, route: str, reason: str, refused: int = 1
) -> None:
    """An ``api_refused`` event: the known key ``name`` was refused ``reason``
    (``api_key_revoked``, ``api_key_scope``) when it asked to do ``need`` at ``route``;
    ``refused`` counts the refusals of the same kind this event stands for (the hall server
    writes one a minute at most, see server.limits.Refusals). A wrong or missing key is never
    an event: whoever sends garbage cannot write to the hall's log."""
    data = {"name": name, "need": need, "route": route[:200], "reason": reason, "refused": refused}
    with writing(engine) as session:
        append_event(session, kind="api_refused", data=data)


def authenticate(engine: Engine, key: str | None, need: str) -> str:
    """The name of the key that may do ``need`` (``take``, ``read``, ``window:N``).

    Raises Refused ``api_key_missing`` (no key given), ``api_key_wrong`` (no such key),
    ``api_key_revoked``, or ``api_key_scope`` (the key may not do this): the server answers
    401 for the first three and 403 for the last.
    """
    if not key or not key.strip():
        raise Refused("api_key_missing")
    digest = key_hash(key.strip())
    with reading(engine) as session:
        row = session.exec(select(ApiKey).where(col(ApiKey.key_hash) == digest)).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        raise Refused("api_key_wrong")
    if row.revoked_at is not None:
        raise Refused("api_key_revoked", name=row.name)
    if not allows(row.scopes.split(), need):
        raise Refused("api_key_scope", name=row.name, scope=need)
    now = utcnow()
    if row.last_used_at is None or now - to_utc(row.last_used_at) >= LAST_USED_STEP:
        with writing(engine) as session:
            session.execute(
                update(ApiKey).where(col(ApiKey.name) == row.name).values(last_used_at=now)
            )
    return row.name
