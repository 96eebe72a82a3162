"""The server's one change-mark watcher, fanning changes out to every connected page.

Every write in the hall appends an event, so the newest event's number (the change mark,
:func:`models.events.last_event_seq`) moves whenever anything changed. One task per process
reads the mark every ``seconds`` (one indexed lookup) and, when it moved, starts a new
*generation*: every page's stream wakes and asks for its state, and the state of each key (a
token, a board's zones) is read once per generation however many pages show it. A thousand
phones are one poller, not a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from models.events import last_event_seq
from models.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger("mashangban.server")

READERS = 4
"""Database reads run at once for the pages (the rest wait their turn, not the event loop)."""
GATHER_SECONDS = 0.02
"""How long the first page asking for a kind of thing after a change waits for the others, so
that all their keys are read together."""


class Hub:
    """The change mark of one database, watched once, and the pages that follow it."""

    def __init__(self, engine: Engine, *, seconds: float = 0.25) -> None:
        self.engine = engine
        """The hall's database."""
        self.seconds = seconds
        """How often the mark is read."""
        self.mark: int | None = None
        """The change mark last read (None before the first read)."""
        self.generation = 0
        """Moves on whenever the mark (or the hour) moved: what the pages wait for."""
        self.failing: Exception | None = None
        """Why the last read of the mark failed (None while it succeeds)."""
        self.pages: Counter[str] = Counter()
        """Connected pages by kind (ticket, board): for /metrics."""
        self.closed = False
        """True once the server stops: the streams end."""
        self._hour: tuple[int, int, int, int] | None = None
        self._changed = asyncio.Event()
        self._cache: dict[Hashable, asyncio.Future[Any]] = {}
        self._cache_generation = -1
        self._limiter = anyio.CapacityLimiter(READERS)
        self._gathering: dict[str, list[tuple[Hashable, asyncio.Future[Any]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Read the mark now, then keep watching it (in the running loop)."""
        self._loop = asyncio.get_running_loop()
        await self.poll()
        self._task = asyncio.create_task(self._watch(), name="change-mark watcher")

    def close(self) -> None:
        """End every page's stream now (the server is stopping; the pages reconnect)."""
        self.closed = True
        self._bump()

    def close_soon(self) -> None:
        """:meth:`close`, from a signal handler or another thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.close)

    async def stop(self) -> None:
        """Watch no more; wake every page so that its stream ends."""
        self.closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._bump()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            await self.poll()

    async def poll(self) -> None:
        """Read the mark once; a new generation when it (or the hour, so that a new business
        day shows) moved."""
        try:
            mark = await anyio.to_thread.run_sync(last_event_seq, self.engine)
        except Exception as exc:  # said on /healthz and to the pages; the next poll tries again
            if self.failing is None:
                log.warning("cannot read the change mark: %s", exc)
            self.failing = exc
            return
        self.failing = None
        hour = at_hour(utcnow())
        if mark != self.mark or hour != self._hour:
            self.mark, self._hour = mark, hour
            self._bump()

    def _bump(self) -> None:
        self.generation += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, generation: int, *, timeout: float) -> bool:
        """Wait until the generation moves past ``generation`` (True) or ``timeout`` s pass."""
        if self.generation != generation:
            return True
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        return self.generation != generation

    async def read(self, key: Hashable, reader: Callable[[], Any]) -> Any:
        """``reader()`` (a blocking read, run in a worker thread) once per generation per key:
        pages showing the same thing share one read. Raises what the reader raised."""
        if self._cache_generation != self.generation:
            self._cache, self._cache_generation = {}, self.generation
        future = self._cache.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._cache[key] = future
            try:
                value = await anyio.to_thread.run_sync(reader, limiter=self._limiter)
            except Exception as exc:
                future.set_exception(exc)
                self._cache.pop(key, None)  # the next page tries again
                future.exception()  # retrieved: no "never retrieved" warning
                raise
            future.set_result(value)
            return value
        return await asyncio.shield(future)

    async def read_each(
        self, kind: str, key: Hashable, reader: Callable[[list[Any]], dict[Any, Any]]
    ) -> Any:
        """The value for ``key`` (None when the reader found none): the keys of ``kind`` asked
        for in the same moment after a change are read together by one ``reader(keys)`` (a
        blocking read, in a worker thread, returning a value by key), once per generation.
        Raises what the reader raised."""
        if self._cache_generation != self.generation:
            self._cache, self._cache_generation = {}, self.generation
        future = self._cache.get((kind, key))
        if future is None:
            future = asyncio.get_running_loop().create_future()
            future.add_done_callback(_retrieved)
            self._cache[(kind, key)] = future
            batch = self._gathering.setdefault(kind, [])
            batch.append((key, future))
            if len(batch) == 1:
                task = asyncio.create_task(self._gather(kind, reader, self.generation))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(future)

    async def _gather(
        self, kind: str, reader: Callable[[list[Any]], dict[Any, Any]], generation: int
    ) -> None:
        await asyncio.sleep(GATHER_SECONDS)
        batch = self._gathering.pop(kind, [])
        keys = [key for key, _ in batch]
        try:
            values = await anyio.to_thread.run_sync(reader, keys, limiter=self._limiter)
        except Exception as exc:
            for key, future in batch:
                if self._cache_generation == generation:
                    self._cache.pop((kind, key), None)  # the next page tries again
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in batch:
            if not future.done():
                future.set_result(values.get(key))

    def connected(self, kind: str, delta: int) -> None:
        """A page of this kind connected (+1) or went away (-1)."""
        self.pages[kind] += delta


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A failed read is raised to the pages that wait for it; none may be left unheard of."""
    if not future.cancelled():
        future.exception()


def at_hour(moment: dt.datetime) -> tuple[int, int, int, int]:
    """The hour a moment falls in (what makes the hub re-read even without a change)."""
    return (moment.year, moment.month, moment.day, moment.hour)
