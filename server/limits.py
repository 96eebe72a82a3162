"""Per-client limit on ticket look-ups that find nothing: tokens are not guessable, and guessing
is slow.

Only misses (an unknown token) count: the phones of a hall's guest Wi-Fi reach the server from
one address, and their look-ups of their own tickets must never be held up by each other. Once a
client has used up its misses, every look-up of that client is refused until it earns one back,
so a guesser cannot tell a found token from a refused one. A token bucket per client address, in
this process's memory (each server process limits on its own: nothing here must be shared).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

MAX_CLIENTS = 10_000
"""Buckets kept; beyond this the full ones (clients who stopped missing) are forgotten."""


class RateLimit:
    """``burst`` misses at once, then one every ``1 / per_second`` seconds, per client."""

    def __init__(
        self,
        *,
        burst: int = 20,
        per_second: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        """Misses a client may make at once."""
        self.per_second = per_second
        """Misses a client earns back each second."""
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def _tokens(self, client: str, now: float) -> float:
        tokens, then = self._buckets.get(client, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - then) * self.per_second)

    def blocked(self, client: str) -> float:
        """0 when ``client`` may look up now, else the seconds until it may."""
        tokens = self._tokens(client, self.clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self.per_second

    def miss(self, client: str) -> None:
        """``client`` looked up a token that is not there."""
        now = self.clock()
        self._buckets[client] = (max(self._tokens(client, now) - 1, 0.0), now)
        if len(self._buckets) > MAX_CLIENTS:
            self._forget(now)

    def _forget(self, now: float) -> None:
        full = [c for c in self._buckets if self._tokens(c, now) >= self.burst]
        for client in full:
            del self._buckets[client]


class Refusals:
    """The API's refused keys in this process: counted by reason (for /metrics), and which of
    them to write to the hall's event log.

    A refusal naming a known key (revoked, or without the scope) is an ``api_refused`` event,
    at most one per key, reason and scope asked for each ``step`` seconds; the event counts the
    refusals since the last one, so a device stuck retrying a revoked key adds a line a minute,
    not one a second. A missing or unknown key is never an event (a garbage request could
    otherwise write to the log at will): it is counted, and the server's log says it at most
    once per client each ``step`` seconds.
    """

    MAX_KEPT = 10_000

    def __init__(self, *, step: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.step = step
        self.clock = clock
        self.counts: Counter[str] = Counter()
        """Refusals by reason (api_key_missing, api_key_wrong, api_key_revoked, api_key_scope)."""
        self._known: dict[tuple[str, str, str], tuple[float, int]] = {}
        self._unknown: dict[str, tuple[float, int]] = {}

    def known(self, name: str, need: str, reason: str) -> int:
        """A known key was refused: how many refusals to write as one event now (0: not yet,
        counted for the next)."""
        self.counts[reason] += 1
        return self._due(self._known, (name, need, reason))

    def unknown(self, client: str, reason: str) -> int:
        """A request with no key or an unknown one: how many from ``client`` to say in the
        server's log now (0: not yet)."""
        self.counts[reason] += 1
        return self._due(self._unknown, client)

    def _due(self, seen: dict[Any, tuple[float, int]], what: Any) -> int:
        now = self.clock()
        last, pending = seen.get(what, (-math.inf, 0))
        pending += 1
        if now - last < self.step:
            seen[what] = (last, pending)
            return 0
        if len(seen) > self.MAX_KEPT:
            seen.clear()
        seen[what] = (now, 0)
        return pending


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(seconds))
