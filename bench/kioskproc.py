"""The kiosk benchmark's subprocesses: one cold start to the first screen, or a run of taps.

Started as ``python -c CHILD_CODE JOB`` (JOB is JSON, see :class:`Job`). Only the standard
library is imported at the top, so the kiosk and its floor pay the same for this module and the
apps' own imports are what is timed. Results go as JSON to the file the job names (Textual owns
stdout while an app runs).

Moments are ``time.monotonic()``: CLOCK_MONOTONIC, one clock for every process on Linux and the
clock Textual stamps its messages with, so the parent subtracts its own spawn moment.

What counts as "on screen": Textual publishes a screen's ``screen_layout_refresh_signal`` after
each layout refresh, once the compositor has drawn the new arrangement (the first refresh of
the first screen posts ``Ready`` instead). A moment is taken at the first of these after which
the widgets looked for are mounted and have a place on the screen: for a cold start, the zone
buttons (kiosk) or the Static (floor); for a tap, the screen with the number.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import sys
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    import cProfile

    from textual.app import App
    from textual.message import Message
    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.widget import Widget

CHILD_CODE = "import time; t = time.monotonic(); from bench.kioskproc import main; main(t)"
"""The subprocess's whole program: the first moment, then this module."""
SIZE = (120, 40)
"""The terminal: a kiosk screen (the ticket's number is drawn at scale 2 from 34 rows)."""
TIMEOUT_S = 30.0
"""Longest wait for one screen; a stuck app fails the benchmark instead of hanging it."""
SETTLE_S = 0.5
"""Pause after the first screen before the taps, for the start-up work to settle."""
TOUCH_S = 0.05
"""A finger on the glass: MouseDown, this long, then MouseUp (the button acts on the Click)."""
GAP_S = 0.05
"""Idle time between one citizen's Done and the next tap."""
NUMBER = re.compile(r"\b[A-Z]\d{3,}\b")


class Job(TypedDict):
    """What one subprocess does."""

    role: str
    """``start`` (to the first screen, then exit) or ``taps``."""
    app: str
    """``kiosk`` or ``floor``."""
    db: str
    now: str
    """The kiosk's fixed clock, ISO 8601."""
    zones: int
    """Zone buttons the kiosk's start screen shows when it is complete."""
    taps: int
    warmup: int
    refresh: float
    """KioskSettings.refresh_seconds."""
    snapshot: str
    """KioskSettings.snapshot: the start screen's snapshot file (one per benchmark run)."""
    out: str
    """Where the JSON result goes."""
    pstats: str
    """Where a cProfile dump goes, empty for none: the imports, build and run to the first
    screen (start), or the main (UI) thread over the measured taps (taps)."""


def clock() -> float:
    return time.monotonic()


def memory() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in kB, from /proc/self/status."""
    found: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found


class Collections:
    """Garbage collections as they happen (gc.callbacks: observes, changes nothing)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []
        """(start, end, generation) of each collection."""
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = clock()
        else:
            self.pauses.append((self._began, clock(), info["generation"]))

    def within(self, start: float, end: float) -> tuple[float, float]:
        """Seconds of collection between two moments: all generations, and gen 2 alone."""
        total = full = 0.0
        for began, ended, generation in self.pauses:
            overlap = min(ended, end) - max(began, start)
            if overlap > 0:
                total += overlap
                full += overlap if generation == 2 else 0.0
        return total, full


def heap() -> dict[str, float]:
    """Objects the collector tracks, how long a full collection takes now, and the entries of
    Textual's StylesCache.get_inner_outer lru_cache (it keys on the StylesCache instance)."""
    objects = len(gc.get_objects())
    start = time.perf_counter()
    gc.collect()
    full_ms = (time.perf_counter() - start) * 1000
    try:
        from textual._styles_cache import StylesCache

        entries = float(StylesCache.get_inner_outer.cache_info().currsize)
    except (ImportError, AttributeError):
        entries = -1.0
    return {"objects": objects, "full_gc_ms": full_ms, "inner_outer": entries}


def _placed(widget: Widget) -> bool:
    """Mounted, and given a place on the screen by the last layout."""
    return widget.is_mounted and widget.region.area > 0


def _zones_shown(count: int) -> Callable[[Screen[Any]], bool]:
    def shown(screen: Screen[Any]) -> bool:
        zones = list(screen.query(".zone"))
        return (
            len(zones) == count
            and any(zone.id == "zone-M" for zone in zones)
            and all(_placed(zone) for zone in zones)
        )

    return shown


def _zones_usable(screen: Screen[Any]) -> bool:
    """Every zone button enabled, showing its waiting count (the kiosk has its database)."""
    from textual.widgets import Button

    zones = list(screen.query(".zone").results(Button))
    return bool(zones) and all(not zone.disabled and "人等候" in str(zone.label) for zone in zones)


def _shown(selector: str) -> Callable[[Screen[Any]], bool]:
    def shown(screen: Screen[Any]) -> bool:
        return any(_placed(widget) for widget in screen.query(selector))

    return shown


def shown_number(screen: Screen[Any]) -> str | None:
    """The ticket number on a screen once #number and #zone are on it (None before)."""
    from textual.widgets import Static

    big = list(screen.query("#number").results(Static))
    zone = list(screen.query("#zone").results(Static))
    if not (big and zone and _placed(big[0]) and _placed(zone[0])):
        return None
    if not str(big[0].content).strip():
        return None
    found = NUMBER.search(str(zone[0].content))
    return found.group(0) if found else None


class FirstScreen:
    """The moment the start screen is first drawn complete (see the module's docstring), and
    the moment its zone buttons can be tapped (for the kiosk later: it draws its first screen
    from a snapshot, the buttons disabled, before the database answers)."""

    def __init__(
        self,
        app: App[None],
        complete: Callable[[Screen[Any]], bool],
        usable: Callable[[Screen[Any]], bool] | None = None,
    ) -> None:
        from textual.events import Ready

        self.app = app
        self.complete = complete
        self.usable = usable
        """None: usable as soon as complete (the floors)."""
        self.ready_type = Ready
        self.armed = True
        self.at: float | None = None
        self.ready_at: float | None = None
        self.memory: dict[str, int] = {}
        self.shown = asyncio.Event()

    def hook(self, message: Message) -> None:
        """run_test's message hook: on the app's Ready, follow the screen's layout refreshes."""
        if self.armed and isinstance(message, self.ready_type):
            self.armed = False
            screen = self.app.screen
            screen.screen_layout_refresh_signal.subscribe(self.app, self.check, immediate=True)
            self.check(screen)

    def check(self, screen: Screen[Any]) -> None:
        if self.at is None and self.complete(screen):
            self.at = clock()
            self.memory = memory()
            self.shown.set()

    async def ready(self) -> None:
        """Wait for usable zone buttons. Enabling a button and changing its label repaint it
        without a layout refresh, so this polls (every 2 ms, once the first screen is drawn):
        the moment the buttons became usable, drawn at the next refresh."""
        await asyncio.wait_for(self.shown.wait(), TIMEOUT_S)
        if self.usable is None:
            self.ready_at = self.at
            return
        deadline = clock() + TIMEOUT_S
        while not self.usable(self.app.screen):
            if clock() > deadline:
                raise TimeoutError("the zone buttons never became usable")
            await asyncio.sleep(0.002)
        self.ready_at = clock()


class Taps:
    """Taps on the start screen, timed from the finger's lift to the number on screen."""

    def __init__(self, app: App[None], home: Screen[Any]) -> None:
        self.app = app
        self.home = home
        self.pending: asyncio.Future[tuple[float, str]] | None = None
        self.home_again = asyncio.Event()
        self.profiler: cProfile.Profile | None = None
        """Enabled from the lift to the number on screen, when set."""
        self.followed: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        """Screens whose layout refreshes are followed: once each, as the kiosk shows
        every ticket on one screen."""
        app.screen_change_signal.subscribe(app, self.changed, immediate=True)

    def changed(self, screen: Screen[Any]) -> None:
        if screen is self.home:
            self.home_again.set()
        elif screen not in self.followed:
            self.followed.add(screen)
            screen.screen_layout_refresh_signal.subscribe(self.app, self.laid_out, immediate=True)

    def laid_out(self, screen: Screen[Any]) -> None:
        if self.pending is None or self.pending.done() or screen is not self.app.screen:
            return
        number = shown_number(screen)
        if number is not None:
            self.pending.set_result((clock(), number))

    async def idle(self, selector: str) -> None:
        """Wait for a quiet start screen: the button's press effect over, no issue or print."""
        button = self.home.query_one(selector)
        while (
            self.app.screen is not self.home
            or button.has_class("-active")
            or any(w.group in ("issue", "print") and not w.is_finished for w in self.app.workers)
        ):
            await asyncio.sleep(0.01)
        await asyncio.sleep(GAP_S)

    async def tap(self, selector: str) -> tuple[float, float, str]:
        """Press and lift a finger on the button as the terminal driver reports it: the moment
        of the lift (MouseUp, which makes the Click), of the number on screen, and the number."""
        from textual.events import MouseDown, MouseUp

        region = self.home.query_one(selector).region
        x, y = region.x + region.width // 2, region.y + region.height // 2
        self.pending = asyncio.get_running_loop().create_future()
        self.home_again.clear()
        self.app.post_message(MouseDown(None, x, y, 0, 0, 1, False, False, False, x, y))
        await asyncio.sleep(TOUCH_S)
        if self.profiler is not None:
            self.profiler.enable()
        start = clock()
        self.app.post_message(MouseUp(None, x, y, 0, 0, 1, False, False, False, x, y))
        try:
            at, number = await asyncio.wait_for(self.pending, TIMEOUT_S)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
        return start, at, number

    async def back(self, pilot: Pilot[None]) -> None:
        """Done (pilot.click, untimed), then wait for the start screen."""
        await pilot.click("#done")
        await asyncio.wait_for(self.home_again.wait(), TIMEOUT_S)


Built = tuple["App[None]", Callable[["Screen[Any]"], bool], Callable[["Screen[Any]"], bool] | None]


def _build(job: Job, result: dict[str, Any]) -> Built:
    """Import and build the app (timing both); what its complete start screen looks like, and
    when its zones can be tapped."""
    if job["app"] == "kiosk":
        import datetime as dt
        from pathlib import Path

        from kiosk.app import KioskSettings, create_app

        result["imported"] = clock()
        moment = dt.datetime.fromisoformat(job["now"])
        # As `python -m kiosk` starts it: the database named by URL (opened and checked after
        # the first screen), the start screen's snapshot kept in a file.
        app: App[None] = create_app(
            KioskSettings(
                db=job["db"],
                clock=lambda: moment,
                refresh_seconds=job["refresh"],
                snapshot=Path(job["snapshot"]),
            )
        )
        result["built"] = clock()
        return app, _zones_shown(job["zones"]), _zones_usable
    from bench.kioskfloor import StartFloor, TapFloor

    result["imported"] = clock()
    if job["role"] == "start":
        app, complete = StartFloor(), _shown("#hall")
    else:
        app, complete = TapFloor(), _shown("#zone-M")
    result["built"] = clock()
    return app, complete, None


async def _start(app: App[None], watch: FirstScreen) -> None:
    async with app.run_test(size=SIZE, message_hook=watch.hook):
        await asyncio.wait_for(watch.shown.wait(), TIMEOUT_S)
        # Not timed as the first screen; waited for so the kiosk's snapshot is written, as
        # after any day's first run.
        await watch.ready()


async def _taps(app: App[None], watch: FirstScreen, job: Job, result: dict[str, Any]) -> None:
    collections = Collections()
    profiler = _profiler(job)
    async with app.run_test(size=SIZE, message_hook=watch.hook) as pilot:
        await asyncio.wait_for(watch.shown.wait(), TIMEOUT_S)
        await watch.ready()
        await asyncio.sleep(SETTLE_S)
        result["memory_start"] = memory()
        result["heap_start"] = heap()
        taps = Taps(app, app.screen)
        latencies: list[float] = []
        collected: list[tuple[float, float]] = []
        numbers: list[str] = []
        gc.callbacks.append(collections)
        try:
            for i in range(job["warmup"] + job["taps"]):
                await taps.idle("#zone-M")
                measured = i >= job["warmup"]
                taps.profiler = profiler if measured else None
                start, at, number = await taps.tap("#zone-M")
                numbers.append(number)
                if measured:
                    latencies.append(at - start)
                    collected.append(collections.within(start, at))
                await taps.back(pilot)
        finally:
            gc.callbacks.remove(collections)
        await taps.idle("#zone-M")
        result["memory_end"] = memory()
        result["heap_end"] = heap()
        result["latencies"] = latencies
        result["collected"] = collected
        result["numbers"] = numbers
    if profiler is not None:
        profiler.dump_stats(job["pstats"])


def _profiler(job: Job) -> cProfile.Profile | None:
    if not job["pstats"]:
        return None
    import cProfile

    return cProfile.Profile()


def main(first_line: float) -> None:
    """Run the job in ``sys.argv[1]``; ``first_line`` is the moment the program began."""
    job: Job = json.loads(sys.argv[1])
    result: dict[str, Any] = {"first_line": first_line}
    if job["role"] == "start":
        profiler = _profiler(job)
        if profiler is not None:
            profiler.enable()
        app, complete, usable = _build(job, result)
        watch = FirstScreen(app, complete, usable)
        asyncio.run(_start(app, watch))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(job["pstats"])
    else:
        app, complete, usable = _build(job, result)
        watch = FirstScreen(app, complete, usable)
        asyncio.run(_taps(app, watch, job, result))
    result["screen"] = watch.at
    result["ready"] = watch.ready_at
    result["memory"] = watch.memory
    with open(job["out"], "w", encoding="utf-8") as out:
        json.dump(result, out)
