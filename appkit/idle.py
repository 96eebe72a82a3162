"""Idle return on time: a screen left untouched for the idle time goes back, to the second.

Textual's ``Timer.reset`` only takes effect at the timer's next deadline, so a screen reset
at every touch closes between 1× and 2× the idle time after the last touch. Here a touch only
notes the moment; the one timer, when it fires, looks at that moment and either gives up the
screen or waits out the rest of the idle time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Stoppable(Protocol):
    """A timer that can be stopped (Textual's :class:`~textual.timer.Timer`)."""

    def stop(self) -> None: ...


class TimerOwner(Protocol):
    """What sets the timer: the screen or app (Textual's ``MessagePump.set_timer``)."""

    def set_timer(self, delay: float, callback: Callable[[], None], *, name: str) -> Stoppable:
        """Call ``callback`` once, ``delay`` seconds from now."""
        ...


EARLY_S = 0.01
"""A deadline this close counts as reached (timers may fire a hair early)."""


class IdleWatch:
    """Calls ``on_idle`` once its owner has gone ``seconds`` without a touch."""

    def __init__(
        self,
        owner: TimerOwner,
        seconds: float,
        on_idle: Callable[[], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.owner = owner
        """The screen whose timer this is (the timer dies with it)."""
        self.seconds = seconds
        """The idle time."""
        self.on_idle = on_idle
        """Called on the UI thread when the idle time has passed untouched."""
        self.clock = clock
        """Seconds on a steady clock (tests drive their own)."""
        self.last_touch = clock()
        """The moment of the last touch (or of the start)."""
        self._timer: Stoppable | None = None

    @property
    def running(self) -> bool:
        """True while the watch counts."""
        return self._timer is not None

    def start(self) -> None:
        """Count the idle time from now."""
        self.stop()
        self.last_touch = self.clock()
        self._arm(self.seconds)

    def touch(self) -> None:
        """Someone used the screen: the idle time counts from now."""
        self.last_touch = self.clock()

    def stop(self) -> None:
        """Stop counting (the screen is covered or closed)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _arm(self, delay: float) -> None:
        self._timer = self.owner.set_timer(delay, self._check, name="idle")

    def _check(self) -> None:
        left = self.last_touch + self.seconds - self.clock()
        if left > EARLY_S:
            self._arm(left)  # touched since: wait out the rest
            return
        self._timer = None
        self.on_idle()
