"""The idle return's timing, on a driven clock: no real seconds, so no machine is too slow for it.

The apps' own tests (kiosk, rating pad) see the screens go back; these pin down *when*: the
idle time after the last touch, not at the next tick of a timer reset at each touch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from appkit.idle import IdleWatch


@dataclass
class Timer:
    due: float
    callback: Callable[[], None]
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


@dataclass
class Clock:
    """A steady clock and the timers set on it; :meth:`advance` fires those that fall due."""

    now: float = 100.0
    timers: list[Timer] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def set_timer(self, delay: float, callback: Callable[[], None], *, name: str) -> Timer:
        timer = Timer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while due := [t for t in self.timers if not t.stopped and t.due <= end]:
            timer = min(due, key=lambda t: t.due)
            self.timers.remove(timer)
            self.now = max(self.now, timer.due)
            timer.callback()
        self.now = end


def watch(clock: Clock, seconds: float) -> tuple[IdleWatch, list[float]]:
    """A started watch and the moments it went idle."""
    went: list[float] = []
    idle = IdleWatch(clock, seconds, lambda: went.append(clock.now), clock=clock)
    idle.start()
    return idle, went


def test_untouched_it_goes_idle_after_the_idle_time_once() -> None:
    clock = Clock()
    idle, went = watch(clock, 2.0)
    clock.advance(1.99)
    assert went == []
    clock.advance(0.01)
    assert went == [102.0] and not idle.running
    clock.advance(60)
    assert went == [102.0]


def test_it_goes_idle_the_idle_time_after_the_last_touch() -> None:
    """Touched 0.2 s into a 2 s idle time: idle at 2.2 s, not at the next 2 s tick (4 s)."""
    clock = Clock()
    idle, went = watch(clock, 2.0)
    clock.advance(0.2)
    idle.touch()
    clock.advance(2.0 - 0.02)
    assert went == []
    clock.advance(0.02)
    assert went == [pytest.approx(102.2)]


def test_many_touches_keep_it_awake_and_a_stop_ends_it() -> None:
    clock = Clock()
    idle, went = watch(clock, 1.0)
    for _ in range(10):
        clock.advance(0.9)
        idle.touch()
    assert went == []
    idle.stop()
    clock.advance(10)
    assert went == [] and not idle.running


def test_a_restart_counts_a_full_idle_time_afresh() -> None:
    clock = Clock()
    idle, went = watch(clock, 1.0)
    clock.advance(0.8)
    idle.start()  # a new citizen at the pad
    clock.advance(0.9)
    assert went == []
    clock.advance(0.1)
    assert went == [pytest.approx(101.8)]
