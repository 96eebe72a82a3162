"""The sender: delivers the outbox's due messages to the hall's gateway (models.notify.webhook).

One message at a time, in three short steps, none holding a lock while the network is used:

1. **claim** (a write transaction): the oldest due message, ``pending`` with its time come, or
   ``sending`` with an expired lease (a sender that died), is taken with ``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL (``BEGIN IMMEDIATE`` excludes other writers on SQLite), counted as one
   more attempt and leased to this sender (``sending``, ``lease_owner``, ``lease_until``);
2. **post** it, signed, with its idempotency key;
3. **settle** it: ``sent`` (the recipient's number is then masked: it is no longer needed),
   or back to ``pending`` after a backoff that doubles, or ``failed`` after the hall's
   maximum attempts (or a refusal the gateway will repeat).

Two senders never hold the same message: the claim is atomic and the lease excludes the other
until it expires. The one gap is a sender dying after the post and before the settle: the lease
expires and the message is posted again *with the same key*, so a gateway that drops keys it
has seen delivers every message exactly once; one that ignores the key may, in that crash
alone, deliver twice. Without a gateway (``notify_webhook_url`` empty) due messages are marked
``held``: kept, never failed, sent after ``mashangban notify retry --held``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, or_, select, update
from sqlmodel import Session

from models.db import is_sqlite, reading, writing
from models.errors import DatabaseError, NotFound, Refused
from models.hall import HallSettings, hall_settings
from models.notify.notices import mask_mobile
from models.notify.webhook import Answer, post, webhook_secret
from models.secret import fingerprint
from models.tables import OutboxMessage
from models.text import notices
from models.timeutil import local, resolve_now

OB: Table = OutboxMessage.__table__  # type: ignore[attr-defined]

MAX_BACKOFF_S = 3600.0
"""The longest pause between two attempts of one message."""


def sender_name() -> str:
    """This sender's name in the lease (host, process, a random part for restarts)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_seconds(settings: HallSettings) -> float:
    """How long a claim excludes other senders: well past one post's timeout."""
    return settings.notify_timeout_s * 2 + 5


def backoff_seconds(settings: HallSettings, attempts: int) -> float:
    """The pause before the next attempt, after ``attempts`` failed ones: doubling."""
    return min(settings.notify_backoff_s * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S)


@dataclass(frozen=True)
class Claimed:
    """A message leased to this sender."""

    id: int
    kind: str
    data: dict[str, Any]
    recipient: str | None
    attempts: int
    created_at: dt.datetime


def hold_all(engine: Engine) -> int:
    """No gateway: mark every pending message held (kept, not failed); the count."""
    with writing(engine) as session:
        return int(
            session.execute(  # type: ignore[attr-defined]
                update(OB).where(OB.c.state == "pending").values(state="held", last_error="")
            ).rowcount
            or 0
        )


def claim(engine: Engine, *, owner: str, now: dt.datetime | None = None) -> Claimed | None:
    """Lease the oldest due message to ``owner`` (see the module's text), or None."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        due = (
            select(OB.c.id, OB.c.kind, OB.c.data, OB.c.recipient, OB.c.attempts, OB.c.created_at)
            .where(
                or_(
                    (OB.c.state == "pending") & (OB.c.next_attempt_at <= moment),
                    (OB.c.state == "sending") & (OB.c.lease_until < moment),
                )
            )
            .order_by(OB.c.next_attempt_at, OB.c.id)
            .limit(1)
        )
        if not is_sqlite(engine):
            due = due.with_for_update(skip_locked=True)
        row = session.execute(due).first()
        if row is None:
            return None
        attempts = row.attempts + 1
        session.execute(
            update(OB)
            .where(OB.c.id == row.id)
            .values(
                state="sending",
                attempts=attempts,
                lease_owner=owner,
                lease_until=moment + dt.timedelta(seconds=lease_seconds(settings)),
            )
        )
        return Claimed(
            id=row.id,
            kind=row.kind,
            data=json.loads(row.data),
            recipient=row.recipient,
            attempts=attempts,
            created_at=row.created_at,
        )


def message_texts(kind: str, data: dict[str, Any], settings: HallSettings) -> tuple[str, str]:
    """What the message says, in Chinese and English (the catalogue models/text/notices)."""
    key = "missed_void" if kind == "missed" and data.get("void") else kind
    zh, en = {**data, "hall": settings.name_zh}, {**data, "hall": settings.name_en}
    if "day" in data and "slot" not in data:  # a booking's facts (models.queue.booking)
        zh["slot"] = _slot(data, data.get("item_zh", ""))
        en["slot"] = _slot(data, data.get("item_en", ""))
    try:
        return notices.zh(f"sms_{key}", **zh), notices.en(f"sms_{key}", **en)
    except (KeyError, IndexError):  # a booking message whose facts lack a placeholder
        return "", ""


def _slot(data: dict[str, Any], item: str) -> str:
    """A booking's slot as a message says it: 2026-12-08 09:00-09:15 and the item's name."""
    when = f"{data.get('day', '')} {data.get('start', '')}-{data.get('end', '')}"
    return f"{when} {item}".strip()


def payload(message: Claimed, settings: HallSettings, key: str) -> dict[str, Any]:
    """The JSON body of one post (README: "The webhook")."""
    text_zh, text_en = message_texts(message.kind, message.data, settings)
    created = local(
        message.created_at.replace(tzinfo=message.created_at.tzinfo or dt.UTC), settings.timezone
    )
    return {
        "id": key,
        "message_id": message.id,
        "kind": message.kind,
        "to": message.recipient,
        "text_zh": text_zh,
        "text_en": text_en,
        "data": message.data,
        "hall": settings.name_zh,
        "created_at": created.isoformat(timespec="seconds"),
        "attempt": message.attempts,
    }


def settle(
    engine: Engine,
    message: Claimed,
    answer: Answer,
    *,
    owner: str,
    now: dt.datetime | None = None,
) -> str:
    """Write what came of a post; the message's new state."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        if answer.delivered:
            # Whoever holds the lease now, the gateway has it: sent, and the number masked.
            session.execute(
                update(OB)
                .where(OB.c.id == message.id, OB.c.state != "sent")
                .values(
                    state="sent",
                    sent_at=moment,
                    lease_owner=None,
                    lease_until=None,
                    last_error="",
                    recipient=mask_mobile(message.recipient) if message.recipient else None,
                )
            )
            return "sent"
        give_up = answer.permanent or message.attempts >= settings.notify_max_attempts
        state = "failed" if give_up else "pending"
        wait = dt.timedelta(seconds=backoff_seconds(settings, message.attempts))
        session.execute(
            update(OB)
            .where(OB.c.id == message.id, OB.c.state == "sending", OB.c.lease_owner == owner)
            .values(
                state=state,
                lease_owner=None,
                lease_until=None,
                last_error=answer.detail[:200],
                next_attempt_at=moment + wait,
            )
        )
        return state


def send_one(engine: Engine, *, owner: str, secret: str, key_prefix: str) -> str | None:
    """Claim, post and settle one due message; its new state, "held" when there is no gateway
    (every pending message is then held), or None when nothing is due."""
    with reading(engine) as session:
        settings = hall_settings(session)
    if not settings.notify_webhook_url:
        return "held" if hold_all(engine) else None
    message = claim(engine, owner=owner)
    if message is None:
        return None
    key = f"{key_prefix}-{message.id}"
    answer = post(
        settings.notify_webhook_url,
        payload(message, settings, key),
        secret=secret,
        key=key,
        timeout_s=settings.notify_timeout_s,
    )
    return settle(engine, message, answer, owner=owner)


@dataclass
class Tally:
    """What one run of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0


def run_sender(
    engine: Engine,
    *,
    once: bool = False,
    poll_s: float = 1.0,
    stop: threading.Event | None = None,
    owner: str | None = None,
) -> Tally:
    """Deliver due messages until ``stop`` is set (or, with ``once``, until none is due now).

    Needs the hall's key (the signing secret): raises SecretError without it."""
    owner = owner or sender_name()
    stop = stop or threading.Event()
    secret = webhook_secret()
    key_prefix = fingerprint()
    tally = Tally()
    while not stop.is_set():
        try:
            state = send_one(engine, owner=owner, secret=secret, key_prefix=key_prefix)
        except DatabaseError:
            if once:
                raise
            state = None  # a busy or unreachable database: look again after the pause
        if state == "sent":
            tally.sent += 1
        elif state == "pending":
            tally.retrying += 1
        elif state == "failed":
            tally.failed += 1
        elif state == "held":
            tally.held += 1
        if state is None or state == "held":
            if once:
                break
            stop.wait(poll_s)
    return tally


# --- seeing and retrying ----------------------------------------------------------------------


@dataclass(frozen=True)
class MessageView:
    """One message as ``notify list`` shows it: the recipient masked."""

    id: int
    kind: str
    state: str
    recipient: str
    number: str | None
    attempts: int
    last_error: str
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None


STATES = ("pending", "sending", "sent", "failed", "held", "expired")
"""A message's states; "expired": a ticket's message unsent when its day was closed."""


def list_messages(
    engine: Engine, *, state: str | None = None, limit: int = 200
) -> list[MessageView]:
    """The newest messages (of one state), the recipient masked."""
    query = select(OB).order_by(OB.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(OB.c.state == state)
    with reading(engine) as session:
        rows = session.execute(query).all()
    return [
        MessageView(
            id=row.id,
            kind=row.kind,
            state=row.state,
            recipient=mask_mobile(row.recipient),
            number=json.loads(row.data).get("number"),
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
        )
        for row in rows
    ]


def retry_messages(
    engine: Engine,
    *,
    ids: list[int] | None = None,
    failed: bool = False,
    held: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Make failed or held messages due again now, with their attempts counted afresh; the
    count. Raises NotFound / Refused for a given id that is unknown, or not failed or held."""
    moment = resolve_now(now)
    states = [s for s, on in (("failed", failed), ("held", held)) if on]
    with writing(engine) as session:
        for message_id in ids or []:
            found = _state_of(session, message_id)
            if found is None:
                raise NotFound("no_message", id=message_id)
            if found not in ("failed", "held"):
                raise Refused("message_not_retryable", id=message_id, state=found)
        where = []
        if ids:
            where.append(OB.c.id.in_(ids))
        if states:
            where.append(OB.c.state.in_(states))
        if not where:
            return 0
        return int(
            session.execute(  # type: ignore[attr-defined]
                update(OB)
                .where(or_(*where), OB.c.state.in_(("failed", "held")))
                .values(state="pending", attempts=0, next_attempt_at=moment, last_error="")
            ).rowcount
            or 0
        )


def _state_of(session: Session, message_id: int) -> str | None:
    return session.execute(select(OB.c.state).where(OB.c.id == message_id)).scalar()
