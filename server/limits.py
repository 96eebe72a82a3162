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
from collections.abc import Callable

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


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(seconds))
