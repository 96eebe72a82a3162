"""Waiting in tests: poll for a condition with a generous deadline, never sleep a fixed time.

The machine that runs the suite may be two cores shared by many people: a thread, a process or
a screen that answers in 50 ms alone can take seconds then. A wait that passes returns as soon
as its condition holds, so a long deadline costs nothing; only a failing test waits it out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

WAIT_S = 30.0
"""How long any wait in the tests may take before it fails (seconds): long enough for a loaded
machine, and it is only ever spent by a test that fails."""

POLL_S = 0.05
"""How often a condition is asked again."""


def wait_for(
    condition: Callable[[], T | None],
    what: str,
    *,
    timeout: float = WAIT_S,
    interval: float = POLL_S,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that; fail with
    AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g}s for {what}")
        time.sleep(interval)
