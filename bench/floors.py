"""The floors: the same writes as the product, with raw sqlite3 and nothing else.

Same durability (WAL, synchronous FULL, BEGIN IMMEDIATE per transaction, the same busy
timeout), same schema (a copy of the same migrated database), the same rows in the same formats
(the event chain stays valid, so models.events.verify_chain accepts a floor database).
Each transaction's time under the write lock (BEGIN IMMEDIATE granted → COMMIT issued, and
→ COMMIT done) is kept.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.halldb import raw_connect

_UPSERT_COUNTER = (
    "INSERT INTO day_counter (business_date, queue_id, last_seq, priority_run) VALUES (?, ?, 1, 0) "
    "ON CONFLICT (business_date, queue_id) DO UPDATE SET last_seq = last_seq + 1 "
    "RETURNING last_seq"
)
_INSERT_TICKET = (
    "INSERT INTO ticket (business_date, queue_id, seq, number, item_code, priority, status, "
    "order_key, issued_at, recalls, misses, token) "
    "VALUES (?, ?, ?, ?, NULL, 'normal', 'waiting', ?, ?, 0, 0, ?)"
)
_FIRST_WAITING = (
    "SELECT id, number FROM ticket INDEXED BY ix_ticket_next "
    "WHERE business_date = ? AND status = 'waiting' AND queue_id = ? AND priority = 'normal' "
    "ORDER BY order_key, id LIMIT 1"
)
_CLAIM = (
    "UPDATE ticket SET status = 'called', window = ?, clerk_code = ?, called_at = ?, "
    "started_at = NULL, target_window = NULL WHERE id = ? AND status = 'waiting'"
)
_FINISH = (
    "UPDATE ticket SET status = 'done', started_at = coalesce(started_at, called_at), "
    "finished_at = ? WHERE window = ? AND status IN ('called', 'serving') "
    "RETURNING id, number, clerk_code"
)
_INSERT_EVENT = (
    "INSERT INTO event (seq, at, kind, ticket_id, window, clerk_code, data, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Moment:
    """A moment in the three text forms the rows need."""

    day: str
    """The business date as stored ('2026-11-25')."""
    stored: str
    """A UTC time as SQLAlchemy stores it on SQLite ('2026-11-25 02:00:00.000000')."""
    hashed: str
    """A UTC time as the event hash takes it (ISO with microseconds and +00:00)."""

    @classmethod
    def of(cls, moment: dt.datetime, day: dt.date) -> Moment:
        utc = moment.astimezone(dt.UTC)
        return cls(
            day.isoformat(),
            utc.strftime("%Y-%m-%d %H:%M:%S.%f"),
            utc.isoformat(timespec="microseconds"),
        )


class RawHall:
    """One raw sqlite3 connection doing take, call and finish."""

    def __init__(self, path: Path, moment: Moment) -> None:
        self.con = raw_connect(path)
        self.at = moment
        self.key = secrets.token_bytes(32)
        """Stands for the hall's events key: the floor's hash is an HMAC too."""
        self.held: list[float] = []
        """Seconds from BEGIN IMMEDIATE granted to COMMIT issued, per transaction."""
        self.held_total: list[float] = []
        """Seconds from BEGIN IMMEDIATE granted to COMMIT done, per transaction."""
        self._began = 0.0

    def close(self) -> None:
        self.con.close()

    def _begin(self) -> None:
        self.con.execute("BEGIN IMMEDIATE")
        self._began = time.perf_counter()

    def _commit(self) -> None:
        self.held.append(time.perf_counter() - self._began)
        self.con.execute("COMMIT")
        self.held_total.append(time.perf_counter() - self._began)

    def reset(self) -> None:
        self.held.clear()
        self.held_total.clear()

    def window_queues(self, window: int) -> list[int]:
        """The queues a window serves, in order."""
        rows = self.con.execute(
            "SELECT queue_id FROM window_queue WHERE window_number = ? ORDER BY position",
            (window,),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def take(self, queue_id: int, prefix: str) -> str:
        """Issue a ticket: counter upsert, ticket insert, chain head, event; one transaction."""
        at = self.at
        self._begin()
        try:
            seq = int(self.con.execute(_UPSERT_COUNTER, (at.day, queue_id)).fetchone()[0])
            number = f"{prefix}{seq:03d}"
            cur = self.con.execute(
                _INSERT_TICKET,
                (at.day, queue_id, seq, number, float(seq), at.stored, secrets.token_hex(8)),
            )
            data = {"item": None, "number": number, "priority": "normal", "source": "floor"}
            self._event("issued", cur.lastrowid, None, None, data)
            self._commit()
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return number

    def call(
        self, window: int, queues: list[int], clerk: str, *, finish_current: bool = False
    ) -> str | None:
        """Claim the first waiting ticket of the window's queues; None when nothing waits.

        With ``finish_current`` the window's ticket is finished first in the same transaction.
        """
        at = self.at
        self._begin()
        try:
            if finish_current:
                self._finish_current(window)
            found = None
            for queue_id in queues:
                found = self.con.execute(_FIRST_WAITING, (at.day, queue_id)).fetchone()
                if found is not None:
                    break
            if found is None:
                self._commit() if finish_current else self.con.execute("ROLLBACK")
                return None
            ticket_id, number = int(found[0]), str(found[1])
            cur = self.con.execute(_CLAIM, (window, clerk, at.stored, ticket_id))
            if cur.rowcount != 1:
                raise RuntimeError(f"ticket {number} was claimed twice")
            self._event("called", ticket_id, window, clerk, {"number": number})
            self._commit()
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        return number

    def finish(self, window: int) -> str | None:
        """Finish the window's current ticket; None when there is none."""
        self._begin()
        try:
            number = self._finish_current(window)
            if number is None:
                self.con.execute("ROLLBACK")
                return None
            self._commit()
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        return number

    def _finish_current(self, window: int) -> str | None:
        found = self.con.execute(_FINISH, (self.at.stored, window)).fetchone()
        if found is None:
            return None
        ticket_id, number, clerk = int(found[0]), str(found[1]), found[2]
        self._event("finished", ticket_id, window, clerk, {"number": number})
        return number

    def _event(
        self,
        kind: str,
        ticket_id: int | None,
        window: int | None,
        clerk: str | None,
        data: dict[str, Any],
    ) -> None:
        """Lock-step with models.events.append_event: read the head, hash, update, insert."""
        prev_seq, prev_hash = self.con.execute(
            "SELECT seq, hash FROM chain_head WHERE id = 1"
        ).fetchone()
        seq = int(prev_seq) + 1
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        body = "\x1f".join(
            [
                prev_hash,
                str(seq),
                self.at.hashed,
                kind,
                "" if ticket_id is None else str(ticket_id),
                "" if window is None else str(window),
                clerk or "",
                text,
            ]
        )
        digest = hmac.new(self.key, body.encode("utf-8"), "sha256").hexdigest()
        self.con.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
        self.con.execute(
            _INSERT_EVENT,
            (seq, self.at.stored, kind, ticket_id, window, clerk, text, prev_hash, digest),
        )
