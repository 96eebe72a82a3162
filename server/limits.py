"""Per-client rate limit on ticket look-ups: tokens are not guessable, and guessing is slow.

A token bucket per client address, in this process's memory (each server process limits on its
own: nothing here must be shared between processes).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

MAX_CLIENTS = 10_000
"""Buckets kept; beyond this the full ones (clients who stopped asking) are forgotten."""


class RateLimit:
    """``burst`` look-ups at once, then one every ``1 / per_second`` seconds, per client."""

    def __init__(
        self,
        *,
        burst: int = 30,
        per_second: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        """Look-ups a client may make at once."""
        self.per_second = per_second
        """Look-ups a client earns back each second."""
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str) -> float:
        """Count one look-up by ``client``: 0 when allowed, else the seconds to wait."""
        now = self.clock()
        tokens, then = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.per_second
        self._buckets[client] = (tokens - 1, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        full = [
            c
            for c, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self.per_second >= self.burst
        ]
        for client in full:
            del self._buckets[client]


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(seconds))
