"""The server's one change-mark watcher, fanning changes out to every connected page.

Every write in the hall appends an event, so the newest event's number (the change mark,
:func:`models.events.last_event_seq`) moves whenever anything changed. One task per process
reads the mark every ``seconds`` (one indexed lookup) and, when it moved, starts a new
*generation*. Before the pages wake, the hub reads what every connected page follows, once
per kind of page (all the tokens followed by phones in one read, each board's zones once), and
the reader renders what each key's pages are sent, once per key however many pages show it.
Then the pages wake a couple of dozen at a time, each one sending what was made for it if it
differs from what it sent last. A thousand phones are one poller, one read and one render per
ticket, not a thousand of each.

The API's writes go first: a fan-out waits (a little) while a write is in flight, it wakes the
pages in small chunks so that a request is never queued behind all of them, and after a
fan-out that took t seconds the next change is looked at no sooner than ``REST_FACTOR`` × t
later, half a second at most (a burst of writes is one fan-out, and the event loop stays
mostly free for requests).

On PostgreSQL the hub LISTENs on the change channel (every write transaction NOTIFYs it as it
commits, models.events) in a thread with a connection of its own, and reads the mark as soon as
a notification comes — at most once per ``seconds``, so a busy hall costs no more than polling —
and otherwise only every ``LISTEN_SAFETY_SECONDS``. While that connection is down (the database
restarting), it polls as on SQLite and keeps trying to listen again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from models.events import CHANGE_CHANNEL, last_event_seq
from models.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger("mashangban.server")

READERS = 4
"""Database reads run at once for the pages (the rest wait their turn, not the event loop)."""
LISTEN_SAFETY_SECONDS = 5.0
"""While listening on PostgreSQL, the mark is still read this often (a lost notification, the
hour turning)."""
RELISTEN_SECONDS = 2.0
"""How soon the listener tries again after its connection failed."""
FULL_COLLECTION_SECONDS = 60.0
"""With ``quiet_gc``: how often every object is looked at by the garbage collector, at a quiet
moment (see :meth:`Hub.collect_when_quiet`); sooner (but not within ``FULL_COLLECTION_GAP``)
once ``FULL_COLLECTION_PAGES`` pages came or went."""
FULL_COLLECTION_GAP = 5.0
FULL_COLLECTION_PAGES = 100
WAKE_CHUNK = 25
"""Pages woken at once after a change (the event loop serves requests between chunks)."""
REST_FACTOR = 3.0
"""After a fan-out that took t seconds, the next one starts no sooner than this × t later
(but at most ``REST_MAX_SECONDS``: a slow fan-out on a busy machine must not make the pages
miss the next call)."""
REST_MAX_SECONDS = 0.5
WRITES_FIRST_SECONDS = 0.5
"""How long one fan-out waits for writes in flight, at most in all (a storm of writes delays
the pages by this much, not more)."""
GATHER_SECONDS = 0.02
"""How long the first page asking for a kind of thing after a change waits for the others, so
that all their keys are read together."""


class Hub:
    """The change mark of one database, watched once, and the pages that follow it."""

    def __init__(self, engine: Engine, *, seconds: float = 0.25, quiet_gc: bool = False) -> None:
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
        self._waiters: dict[asyncio.Future[None], Hashable | None] = {}
        self._followed: dict[str, Counter[Hashable]] = {}
        self._readers: dict[str, Callable[[list[Any]], dict[Any, Any]]] = {}
        self._spent = 0.0
        self._rest_until = 0.0
        self._writes = 0
        self._patience_until = 0.0
        self._writes_lock = threading.Lock()
        self.quiet = threading.Event()
        """Set while no write is in flight (a reader in a worker thread may wait for it)."""
        self.quiet.set()
        self._cache: dict[Hashable, asyncio.Future[Any]] = {}
        self._cache_generation = -1
        self._limiter = anyio.CapacityLimiter(READERS)
        self._gathering: dict[str, list[tuple[Hashable, asyncio.Future[Any]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._nudged = asyncio.Event()
        self.quiet_gc = quiet_gc
        """The hub decides when the garbage collector looks at every object (the server
        process; not in tests that run it beside other things)."""
        self._collected = 0.0
        self._collected_pages = 0
        self.listener: Listener | None = None
        """The LISTEN thread on PostgreSQL (None on SQLite)."""

    async def start(self) -> None:
        """Read the mark now, then keep watching it (in the running loop)."""
        self._loop = asyncio.get_running_loop()
        self._nudged = asyncio.Event()
        if self.engine.dialect.name == "postgresql":
            self.listener = Listener(self.engine, self.nudge)
            self.listener.start()
        await self.poll()
        self.collect_when_quiet()
        self._task = asyncio.create_task(self._watch(), name="change-mark watcher")

    @property
    def listening(self) -> bool:
        """True while the mark is followed by LISTEN/NOTIFY rather than by polling alone."""
        return self.listener is not None and self.listener.listening

    def nudge(self) -> None:
        """Something changed (a notification, from the listener's thread): read the mark soon."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._nudged.set)

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
        if self.listener is not None:
            self.listener.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._bump()

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            polled = loop.time()
            if self.listening:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._nudged.wait(), LISTEN_SAFETY_SECONDS)
            # at most once per `seconds` however busy the hall, and resting after a fan-out
            await asyncio.sleep(
                max(0.0, polled + self.seconds - loop.time(), self._rest_until - loop.time())
            )
            self._nudged.clear()
            await self.poll()
            self.collect_when_quiet()

    def collect_when_quiet(self) -> None:
        """With a thousand pages connected, a full garbage collection looks at a million
        objects and stops everything for 0.1–0.3 s: let it happen only at a quiet moment (no
        write in flight, no fan-out resting), once a ``FULL_COLLECTION_SECONDS`` (or after five
        of them, however busy). In between, what survived the last full collection is frozen
        (``gc.freeze``), so that the automatic collections look only at newer objects and stay
        short; it is unfrozen and looked at again at the next full one."""
        if not self.quiet_gc:
            return
        now = asyncio.get_running_loop().time()
        since = now - self._collected
        quiet = not self._writes and now >= self._rest_until and since >= FULL_COLLECTION_GAP
        pages = sum(self.pages.values())
        due = since >= FULL_COLLECTION_SECONDS or abs(pages - self._collected_pages) >= (
            FULL_COLLECTION_PAGES
        )
        if since >= 5 * FULL_COLLECTION_SECONDS or (quiet and due):
            self._collected, self._collected_pages = now, pages
            gc.unfreeze()
            gc.collect()
            gc.freeze()

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
            began = asyncio.get_running_loop().time()
            await self._advance()
            self._spent = asyncio.get_running_loop().time() - began
            rest = min(REST_FACTOR * self._spent, REST_MAX_SECONDS)
            self._rest_until = began + self._spent + rest

    async def _advance(self) -> None:
        """A new generation: read what the pages follow, then wake them a chunk at a time —
        only those whose key now shows something else (or was not read ahead)."""
        self._patience_until = time.monotonic() + WRITES_FIRST_SECONDS
        cache = await self._read_followed()
        before = self._cache if self._cache_generation == self.generation else {}
        self.generation += 1
        self._cache, self._cache_generation = cache, self.generation
        waiters, self._waiters = self._waiters, {}
        woken = []
        for waiter, follows in waiters.items():
            if follows is not None and _same(before.get(follows), cache.get(follows)):
                self._waiters[waiter] = follows  # nothing new for it: it waits on
            else:
                woken.append(waiter)
        for first in range(0, len(woken), WAKE_CHUNK):
            if first:
                await self.writes_first()
                await asyncio.sleep(0)  # the woken pages send; requests waiting get their turn
            for waiter in woken[first : first + WAKE_CHUNK]:
                if not waiter.done():
                    waiter.set_result(None)

    async def _read_followed(self) -> dict[Hashable, asyncio.Future[Any]]:
        """Every followed key's value, read once per kind (a kind whose read fails is left to
        the pages, which keep what they show)."""
        loop = asyncio.get_running_loop()
        cache: dict[Hashable, asyncio.Future[Any]] = {}
        for kind, counts in list(self._followed.items()):
            keys = [key for key, n in counts.items() if n > 0]
            if not keys:
                continue
            await self.writes_first()
            try:
                values = await anyio.to_thread.run_sync(
                    self._readers[kind], keys, limiter=self._limiter
                )
            except Exception as exc:  # the pages' own reads say it (and try again)
                log.debug("cannot read the followed %s: %s", kind, exc)
                continue
            for key in keys:
                future = loop.create_future()
                future.set_result(values.get(key))
                cache[(kind, key)] = future
        return cache

    def refresh(self) -> None:
        """A change this process made that writes no event (a number left on a ticket page):
        the pages read again."""
        self._bump()

    def _bump(self) -> None:
        """A new generation at once, every page woken to read again (the server is stopping,
        or :meth:`refresh`)."""
        self.generation += 1
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def changed(
        self, generation: int, *, timeout: float, follows: tuple[str, Hashable] | None = None
    ) -> bool:
        """Wait until the generation moves past ``generation`` (True) or ``timeout`` s pass.
        A page that ``follows`` a key (kind, key) read ahead by the hub is woken only when
        what it shows changed."""
        if self.generation != generation:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[waiter] = follows
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            pass
        finally:
            self._waiters.pop(waiter, None)
        return self.generation != generation

    def follow(
        self, kind: str, key: Hashable, reader: Callable[[list[Any]], dict[Any, Any]]
    ) -> None:
        """A page follows ``key``: from the next change on, the hub reads it (with every key
        of its kind, by ``reader``, as :meth:`read_each`) before the pages wake."""
        self._readers[kind] = reader
        self._followed.setdefault(kind, Counter())[key] += 1

    def unfollow(self, kind: str, key: Hashable) -> None:
        """A page following ``key`` went away."""
        counts = self._followed.get(kind)
        if counts is not None:
            counts[key] -= 1
            if counts[key] <= 0:
                del counts[key]

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write made for a request (in any thread): the fan-out lets it go first."""
        with self._writes_lock:
            self._writes += 1
            self.quiet.clear()
        try:
            yield
        finally:
            with self._writes_lock:
                self._writes -= 1
                if not self._writes:
                    self.quiet.set()

    async def writes_first(self) -> None:
        """Wait until no write is in flight (within this fan-out's ``WRITES_FIRST_SECONDS``)."""
        while self._writes and time.monotonic() < self._patience_until:
            await asyncio.sleep(0.002)

    def let_writes_pass(self) -> None:
        """In a worker thread: wait while a write is in flight (within the fan-out's
        ``WRITES_FIRST_SECONDS``), so that a long read or render does not slow it."""
        left = self._patience_until - time.monotonic()
        if left > 0:
            self.quiet.wait(left)

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


class Listener:
    """LISTEN on the change channel in a thread with a connection of its own; each notification
    (and each time it starts listening again) calls ``nudge``."""

    def __init__(self, engine: Engine, nudge: Callable[[], None]) -> None:
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.nudge = nudge
        self.listening = False
        """True while the LISTEN connection is up."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Listen no more (the thread ends within a second)."""
        self._stop.set()

    def _run(self) -> None:
        import psycopg

        failing = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANGE_CHANNEL}")
                    self.listening, failing = True, False
                    self.nudge()  # what changed while nobody listened
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.nudge()
                            if self._stop.is_set():
                                break
            except Exception as exc:  # the hub polls meanwhile; said once per outage
                if not failing:
                    log.warning("cannot listen for changes (polling meanwhile): %s", exc)
                failing = True
            self.listening = False
            self._stop.wait(RELISTEN_SECONDS)


def _same(before: asyncio.Future[Any] | None, now: asyncio.Future[Any] | None) -> bool:
    """Two reads of a key found the same (both read, neither failed)."""
    if before is None or now is None or not before.done() or not now.done():
        return False
    if before.cancelled() or now.cancelled() or before.exception() or now.exception():
        return False
    return bool(before.result() == now.result())


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A failed read is raised to the pages that wait for it; none may be left unheard of."""
    if not future.cancelled():
        future.exception()


def at_hour(moment: dt.datetime) -> tuple[int, int, int, int]:
    """The hour a moment falls in (what makes the hub re-read even without a change)."""
    return (moment.year, moment.month, moment.day, moment.hour)
