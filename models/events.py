"""The event log: every step in the hall, append-only, each row chained to the one before.

A writer locks the single chain-head row, so events get consecutive sequence numbers in commit
order on both databases, and apps can poll "the last event" cheaply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Table, bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy import text as sql_text
from sqlmodel import Session, col, select

from models import secret
from models.db import reading
from models.tables import ChainHead, Event
from models.timeutil import resolve_now, to_utc

if TYPE_CHECKING:
    from models.supervision.witness import Checkpoint

GENESIS = "0" * 64

_api_key: ContextVar[str | None] = ContextVar("api_key", default=None)


@contextmanager
def by_api_key(name: str) -> Iterator[None]:
    """Every event written inside this block records the API key that asked for it
    (``"api_key": name`` in its data), whichever operation writes it: the hall server wraps the
    core operations in it, so a call button's calls are told from a clerk's in the log."""
    token = _api_key.set(name)
    try:
        yield
    finally:
        _api_key.reset(token)


def canonical(data: dict[str, Any]) -> str:
    """The JSON form of event data that the hash is taken over."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    kind: str,
    ticket_id: int | None,
    window: int | None,
    clerk_code: str | None,
    data: str,
    key: bytes | None = None,
) -> str:
    """The hash over the previous hash and every field of the event.

    With ``key`` (:func:`events_key`) an HMAC-SHA-256, which only the holder of the hall's key
    can compute; without it the plain SHA-256 of events written before keyed hashing began.
    """
    body = "\x1f".join(
        [
            prev_hash,
            str(seq),
            at.isoformat(timespec="microseconds"),
            kind,
            "" if ticket_id is None else str(ticket_id),
            "" if window is None else str(window),
            clerk_code or "",
            data,
        ]
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, "sha256").hexdigest()


_subkeys: dict[bytes, bytes] = {}


def events_key(key: bytes | None = None) -> bytes:
    """The key the chain's hashes are taken with, derived from the hall's key (cached: it is
    asked for on every event). Raises SecretError when the key file is missing or bad."""
    hall = key if key is not None else secret.load_key()
    derived = _subkeys.get(hall)
    if derived is None:
        derived = _subkeys[hall] = secret.subkey("events", hall)
    return derived


def chain_mark(key: bytes, *, chain_id: str, keyed_from: int, anchor: str) -> str:
    """The seal on where keyed hashing began (``key``: :func:`events_key`).

    ``anchor`` is the hash of the event before ``keyed_from`` (GENESIS for a chain keyed from
    its first event), so neither the start nor the unkeyed history before it can be changed.
    """
    body = f"mark\x1f{chain_id}\x1f{keyed_from}\x1f{anchor}".encode()
    return hmac.new(key, body, "sha256").hexdigest()


H: Table = ChainHead.__table__  # type: ignore[attr-defined]
E: Table = Event.__table__  # type: ignore[attr-defined]
_HEAD = sa_select(H.c.seq, H.c.hash).where(H.c.id == 1).with_for_update()
_HEAD_SET = (
    update(H).where(H.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_INSERT = insert(E)


def append_event(
    session: Session,
    *,
    kind: str,
    ticket_id: int | None = None,
    window: int | None = None,
    clerk_code: str | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Append one event inside the caller's write transaction; returns its number.

    Pending ORM changes are flushed first, so the chain head is always the last row a
    transaction locks (no lock-order deadlocks on PostgreSQL) and is held for the least time.
    """
    key = events_key()
    session.flush()
    head_seq, head_hash = session.execute(_HEAD).one()
    moment = resolve_now(at)
    actor = _api_key.get()
    text = canonical({**(data or {}), "api_key": actor} if actor else data or {})
    seq = head_seq + 1
    digest = event_hash(
        prev_hash=head_hash,
        seq=seq,
        at=moment,
        kind=kind,
        ticket_id=ticket_id,
        window=window,
        clerk_code=clerk_code,
        data=text,
        key=key,
    )
    session.execute(_HEAD_SET, {"new_seq": seq, "new_hash": digest})
    session.execute(
        _INSERT,
        [
            {
                "seq": seq,
                "at": moment,
                "kind": kind,
                "ticket_id": ticket_id,
                "window": window,
                "clerk_code": clerk_code,
                "data": text,
                "prev_hash": head_hash,
                "hash": digest,
            }
        ],
    )
    _notify(session)
    return seq


CHANGE_CHANNEL = "mashangban_change"
"""On PostgreSQL every write transaction that appends an event notifies this channel as it
commits (LISTEN/NOTIFY): the hall server wakes at once instead of polling the change mark."""
_NOTIFY = sql_text(f"NOTIFY {CHANGE_CHANNEL}")


def _notify(session: Session) -> None:
    """NOTIFY the change channel in this transaction, once (PostgreSQL only; delivered at
    COMMIT, never for a rolled-back one)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is None or session.info.get("notified") is transaction:
        return
    session.execute(_NOTIFY)
    session.info["notified"] = transaction


def last_event_seq(engine: Engine) -> int:
    """The newest event's number: apps poll this to learn that something changed.

    One row by primary key (the chain head) in a deferred read: cheap enough to poll several
    times a second from every screen, and it never waits for a writer.
    """
    with reading(engine) as session:
        return head_seq(session)


def head_seq(session: Session) -> int:
    """The newest event's number, read in the caller's transaction (0 for an empty log)."""
    return int(session.exec(select(ChainHead.seq).where(ChainHead.id == 1)).first() or 0)


FEED_MAX = 1000
"""The most events one page of the feed holds."""


def events_after(engine: Engine, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Up to ``limit`` events numbered after ``after``, oldest first, each as its fields with its
    data decoded (what the log holds, its hashes left out); and the newest event's number."""
    limit = max(1, min(limit, FEED_MAX))
    with reading(engine) as session:
        rows = session.exec(
            select(Event).where(Event.seq > after).order_by(col(Event.seq)).limit(limit)
        ).all()
        head = head_seq(session)
    found = [
        {
            "seq": row.seq,
            "at": to_utc(row.at).isoformat(timespec="microseconds"),
            "kind": row.kind,
            "ticket_id": row.ticket_id,
            "window": row.window,
            "clerk_code": row.clerk_code,
            "data": json.loads(row.data or "{}"),
        }
        for row in rows
    ]
    return found, head


PUBLIC_FIELDS = frozenset(
    {
        # tickets
        "number", "priority", "item", "source", "by_number", "recalls", "misses", "void",
        "from_window", "put_back", "renumbered", "new_ticket_id", "new_number", "to_queue",
        "to_window", "keeps_issued_at", "clock_behind_s", "business_date", "from", "status",
        # cases, ratings, the hall
        "case", "late", "promised", "level", "rating", "rectification", "due", "provisional",
        "added", "unchanged", "queues", "items", "windows",
    }
)  # fmt: skip
"""The event data a partner following the hall may read (the API's event feed): ticket and
window facts. Any other field (a clerk's or a key's name, a clerk number typed at a PIN, a
note, a reason, an appointment code, a place) is left out, and so is a field added later until
it is listed here."""
STAFF_KINDS = ("pin_", "login_failed", "staff_", "clerk_", "apikey_", "api_refused")
"""Kinds (by prefix) about staff, PINs and keys: a partner sees that one happened, and when and
at which window, never its data."""


def public_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event of :func:`events_after` as a partner may read it: no clerk number, and of its
    data only :data:`PUBLIC_FIELDS` (nothing for :data:`STAFF_KINDS`)."""
    kind: str = event["kind"]
    data = event["data"] if not kind.startswith(STAFF_KINDS) else {}
    return {
        "seq": event["seq"],
        "at": event["at"],
        "kind": kind,
        "ticket_id": event["ticket_id"],
        "window": event["window"],
        "data": {key: value for key, value in data.items() if key in PUBLIC_FIELDS},
    }


@dataclass(frozen=True)
class ChainReport:
    """What `audit verify` found."""

    events: int
    """Events checked."""
    broken_at: int | None
    """The first event whose link or hash is wrong, or None."""
    detail: str = ""
    keyed_from: int = 1
    """The first event hashed with the hall's key (those before are from before the upgrade)."""
    checkpoints: int = 0
    """Checkpoints of this chain in the witness, all checked."""
    problem: str = ""
    """The catalogue key of what was found ("" when the chain is whole)."""
    values: dict[str, Any] = field(default_factory=dict)
    """The values for the problem's message."""


def verify_chain(
    engine: Engine, *, batch: int = 5000, checkpoints: Sequence[Checkpoint] = ()
) -> ChainReport:
    """Walk the whole chain from the first event with the hall's key; report the first problem.

    Events from ``keyed_from`` on must be HMACs with the key, the seal on ``keyed_from`` must
    hold, and every checkpoint of this chain (from the witness, outside the database) must
    name an event that is still there with the same hash: so a history re-hashed, cut short
    or wiped by someone without the key is found. Raises SecretError when the key is missing
    or is not the one the chain was sealed with.
    """
    key = events_key()
    with reading(engine) as session:
        head = session.get(ChainHead, 1)
        if head is None:
            return _broken(0, 1, "the chain head is gone")
        local = secret.fingerprint()
        if head.key_fingerprint and head.key_fingerprint != local:
            raise secret.SecretError("key_wrong", stored=head.key_fingerprint, local=local)
        keyed_from = head.keyed_from
        seen: dict[int, list[Checkpoint]] = {}
        for point in checkpoints:
            if point.chain != head.chain_id:
                continue  # another database's checkpoint in a shared witness
            if not point.valid:
                return ChainReport(
                    0, point.seq, "a witness line is not valid", keyed_from, len(seen),
                    "witness_line_bad", {"where": point.where},
                )  # fmt: skip
            seen.setdefault(point.seq, []).append(point)
        marks = sum(len(points) for points in seen.values())

        def report(
            count: int, broken_at: int, problem: str, detail: str, /, **values: Any
        ) -> ChainReport:
            return ChainReport(count, broken_at, detail, keyed_from, marks, problem, values)

        def seal_holds(anchor: str) -> bool:
            mark = chain_mark(key, chain_id=head.chain_id, keyed_from=keyed_from, anchor=anchor)
            return (
                bool(head.key_mark)
                and hmac.compare_digest(mark, head.key_mark)
                and all(p.keyed_from == keyed_from for ps in seen.values() for p in ps)
            )

        def seal_broken(count: int) -> ChainReport:
            detail = "the key seal does not match: history re-hashed or cut"
            return report(count, keyed_from, "chain_mark_bad", detail, keyed_from=keyed_from)

        prev = GENESIS
        expected_seq = 1
        count = 0
        sealed = False
        while True:
            rows = session.exec(
                select(Event).where(Event.seq >= expected_seq).order_by(col(Event.seq)).limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                if row.seq != expected_seq:
                    return _broken(count, expected_seq, "event missing", report)
                if row.prev_hash != prev:
                    return _broken(count, row.seq, "does not link to the event before", report)
                if row.seq == keyed_from:
                    if not seal_holds(prev):
                        return seal_broken(count)
                    sealed = True
                digest = event_hash(
                    prev_hash=row.prev_hash,
                    seq=row.seq,
                    at=row.at,
                    kind=row.kind,
                    ticket_id=row.ticket_id,
                    window=row.window,
                    clerk_code=row.clerk_code,
                    data=row.data,
                    key=key if row.seq >= keyed_from else None,
                )
                if not hmac.compare_digest(digest, row.hash):
                    return _broken(count, row.seq, "contents changed after it was written", report)
                for point in seen.get(row.seq, ()):
                    if point.hash != row.hash:
                        return report(
                            count, row.seq, "chain_rewritten", "differs from a checkpoint",
                            seq=row.seq, at=point.at,
                        )  # fmt: skip
                prev, expected_seq, count = row.hash, row.seq + 1, count + 1
        if not sealed and (count != keyed_from - 1 or not seal_holds(prev)):
            return seal_broken(count)
        for point in seen.get(0, ()):
            if point.hash != GENESIS:
                return report(
                    count, 0, "chain_rewritten", "differs from a checkpoint", seq=0, at=point.at
                )
        if head.seq != count or head.hash != prev:
            return _broken(count, count + 1, "the newest events were removed", report)
        beyond = [point for seq, points in seen.items() if seq > count for point in points]
        if beyond:
            last = max(beyond, key=lambda point: point.seq)
            return report(
                count, count + 1, "chain_truncated", "events after the head were removed",
                seq=last.seq, at=last.at, head=count,
            )  # fmt: skip
    return ChainReport(count, None, "", keyed_from, marks)


def _broken(
    count: int, seq: int, detail: str, report: Callable[..., ChainReport] | None = None
) -> ChainReport:
    """A broken link or hash (chain_broken), in the walk's report."""
    if report is None:
        return ChainReport(
            count, seq, detail, problem="chain_broken", values={"seq": seq, "detail": detail}
        )
    return report(count, seq, "chain_broken", detail, seq=seq, detail=detail)


def sealed_with(engine: Engine) -> str:
    """The fingerprint of the key the database's chain is sealed with ("" before it is)."""
    from models.schema import schema_state  # Alembic: only for `init`, not every app

    if schema_state(engine).state != "current":
        return ""
    with reading(engine) as session:
        head = session.get(ChainHead, 1)
    return head.key_fingerprint if head is not None else ""


def require_same_key(engine: Engine) -> None:
    """Refuse to work with a key other than the one the chain is sealed with (a host with the
    wrong key file would write events that no longer verify). Without a key file nothing is
    refused here: reading needs no key, and a write then says the key is missing.

    Raises SecretError("key_wrong").
    """
    if not secret.key_path().exists():
        return
    with reading(engine) as session:
        stored = session.exec(select(ChainHead.key_fingerprint).where(ChainHead.id == 1)).first()
    local = secret.fingerprint()
    if stored and stored != local:
        raise secret.SecretError("key_wrong", stored=stored, local=local)
