"""Waiting for something to happen in tests: poll a condition with a generous deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE = 15.0
"""Seconds a test waits for what it expects (a loaded machine is slow, not broken)."""


def until(check: Callable[[], T | None], *, what: str, timeout: float = DEADLINE) -> T:
    """The first truthy value ``check()`` gives; AssertionError naming ``what`` at the deadline."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.05)
