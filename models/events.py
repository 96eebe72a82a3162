"""The event log: every step in the hall, append-only, each row chained to the one before.

A writer locks the single chain-head row, so events get consecutive sequence numbers in commit
order on both databases, and apps can poll "the last event" cheaply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.db import reading
from models.tables import ChainHead, Event
from models.timeutil import resolve_now

GENESIS = "0" * 64


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
) -> str:
    """SHA-256 over the previous hash and every field of the event."""
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
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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
    session.flush()
    head_seq, head_hash = session.execute(_HEAD).one()
    moment = resolve_now(at)
    text = canonical(data or {})
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
    return seq


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


@dataclass(frozen=True)
class ChainReport:
    """What `audit verify` found."""

    events: int
    """Events checked."""
    broken_at: int | None
    """The first event whose link or hash is wrong, or None."""
    detail: str = ""


def verify_chain(engine: Engine, *, batch: int = 5000) -> ChainReport:
    """Walk the whole chain from the first event; report the first broken link."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    with reading(engine) as session:
        while True:
            rows = session.exec(
                select(Event).where(Event.seq >= expected_seq).order_by(col(Event.seq)).limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                if row.seq != expected_seq:
                    return ChainReport(count, expected_seq, "event missing")
                if row.prev_hash != prev:
                    return ChainReport(count, row.seq, "does not link to the event before")
                digest = event_hash(
                    prev_hash=row.prev_hash,
                    seq=row.seq,
                    at=row.at,
                    kind=row.kind,
                    ticket_id=row.ticket_id,
                    window=row.window,
                    clerk_code=row.clerk_code,
                    data=row.data,
                )
                if digest != row.hash:
                    return ChainReport(count, row.seq, "contents changed after it was written")
                prev, expected_seq, count = row.hash, row.seq + 1, count + 1
        head = session.get(ChainHead, 1)
        if head is not None and (head.seq != count or head.hash != prev):
            return ChainReport(count, count + 1, "the newest events were removed")
    return ChainReport(count, None)
