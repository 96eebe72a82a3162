"""The one change-mark watcher: poll the hall's change mark, re-read when it moved.

Every write in the hall appends an event, so the newest event's number (the change mark) moves
whenever anything changed. Reading it costs one indexed lookup; reading a screen's state costs
many. So a screen reads the mark every ``seconds`` in a thread worker and re-reads its state
only when the mark moved (or its ``key`` changed: a new minute, a new business day), and hears
of it by a typed message, handled on the UI thread:

- :class:`ChangeWatch.Read` — a fresh reading (and the mark it was read at);
- :class:`ChangeWatch.Failed` — this poll could not read the database;
- :class:`ChangeWatch.Back` — a poll succeeded again after one failed.

One poll runs at a time; a poll that would still be running when the next is due is skipped.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer

from models.events import last_event_seq

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")
V = TypeVar("V")
_NOTHING: object = object()


class ChangeWatch(Generic[T]):
    """Polls the change mark for ``owner`` (an app or a screen) and posts it what it read."""

    class Read(Message, Generic[V], bubble=False):
        """The state was read afresh: the mark moved (or the key changed)."""

        def __init__(self, value: V, mark: int) -> None:
            super().__init__()
            self.value = value
            """What ``read`` returned."""
            self.mark = mark
            """The change mark read just before it."""

    class Failed(Message, bubble=False):
        """A poll could not read the database (the next poll tries again)."""

        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error
            """Why."""

    class Back(Message, bubble=False):
        """A poll succeeded after one failed (a Read may follow)."""

    def __init__(
        self,
        owner: DOMNode,
        *,
        engine: Engine,
        seconds: float,
        read: Callable[[], T],
        key: Callable[[], Hashable] | None = None,
        paused: Callable[[], bool] | None = None,
        also: Callable[[], object] | None = None,
    ) -> None:
        self.owner = owner
        """Where the messages go; the timer and the workers are its own."""
        self.engine = engine
        """The database whose change mark is read."""
        self.seconds = seconds
        """How often the mark is read."""
        self.read = read
        """Reads the state (in the worker thread)."""
        self.key = key
        """Something besides the mark whose change means reading again (in the worker)."""
        self.paused = paused
        """While this says True (asked on the UI thread), no poll starts."""
        self.also = also
        """Work done on every poll, after the mark (in the worker; a failure fails the poll)."""
        self.polls = 0
        """Polls ended so far (what saw "nothing new" is counted by them, not by time)."""
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._seen_key: Hashable = _NOTHING
        self._generation = 0
        self._polling = False
        self._failing = False
        self._timer: Timer | None = None

    def start(self) -> None:
        """Poll now, then every ``seconds`` (call it once the owner is mounted)."""
        self.stop()
        self._timer = self.owner.set_interval(self.seconds, self.poll, name="change-watch")
        self.poll()

    def stop(self) -> None:
        """Poll no more."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def saw(self, mark: int) -> None:
        """The owner shows a state read at this mark (after its own action): no need to read
        again until the mark moves past it."""
        with self._lock:
            self._seen, self._generation = mark, self._generation + 1

    def again(self) -> None:
        """Read the state at the next poll whatever the mark says, and poll now (the owner
        dropped a reading, or wants a fresh one)."""
        with self._lock:
            self._seen, self._generation = None, self._generation + 1
        self.poll()

    def poll(self) -> None:
        """Start a poll, unless one runs or the owner has paused the watch."""
        if self._polling or (self.paused is not None and self.paused()):
            return
        self._polling = True
        self.owner.run_worker(self._poll, thread=True, group="change-watch", exit_on_error=False)

    def _poll(self) -> None:
        try:
            with self._lock:
                generation, seen, seen_key = self._generation, self._seen, self._seen_key
            value: object = _NOTHING
            try:
                mark = last_event_seq(self.engine)
                key = self.key() if self.key is not None else None
                if mark != seen or key != seen_key:
                    value = self.read()
                if self.also is not None:
                    self.also()
            except Exception as exc:  # the owner says so; the next poll tries again
                self._failing = True
                self._post(self.Failed(exc))
                return
            if value is not _NOTHING:
                with self._lock:
                    self._seen_key = key
                    if self._generation == generation:  # not overtaken by saw() or again()
                        self._seen = mark
            if self._failing:
                self._failing = False
                self._post(self.Back())
            if value is not _NOTHING:
                self._post(self.Read(value, mark))
        finally:
            self.polls += 1
            self._polling = False

    def _post(self, message: Message) -> None:
        with contextlib.suppress(RuntimeError):  # the app closed while this poll ran
            self.owner.post_message(message)
