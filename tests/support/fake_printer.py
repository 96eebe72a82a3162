"""A fake ESC/POS network printer (a "port 9100" raw TCP printer) for tests.

``FakePrinter`` listens on 127.0.0.1 on a free port and serves one connection at a time, in order
(a second client's connect succeeds in the listen backlog and is served when the first one
closes), like a real network printer. It keeps every job byte it receives and answers the
real-time status query ``DLE EOT n`` (``10 04 n``, n = 1..4) as soon as it sees it in the stream,
with one status byte as the ESC/POS spec gives it (fixed bits 0x12, plus):

========  =====================================================================================
``n=1``   0x08 when offline (``online`` false, or the cover is open, the paper out, an error)
``n=2``   0x04 cover open, 0x20 stopped at paper end, 0x40 error
``n=3``   0x20 (unrecoverable error) when ``error``; else nothing: 0x12
``n=4``   0x0C when the paper is near its end, 0x60 when it is out
========  =====================================================================================

python-escpos agrees: ``RT_MASK_LOWPAPER`` (30) is 0x12|0x0C and ``RT_MASK_NOPAPER`` (114) is
0x12|0x60. Status queries are taken out of :meth:`FakePrinter.received`; the fake answers any
``10 04 01..04`` it sees, even inside raster image data, and a real printer can misread such
bytes the same way (accepted: :meth:`FakePrinter.received_raw` keeps the stream untouched). A
``10`` or ``10 04`` at the end of a chunk is held back until the next bytes (or the close) show
whether it starts a query.

Bytes that arrive while the printer is not ready (offline, cover open, paper out, error) are
received but not printed: :meth:`FakePrinter.printed` has only the ones that arrived while ready.

Faults: ``silent_status`` (never answer status queries, as on a one-way link),
``disconnect_after_bytes`` (abort the connection with a TCP RST after that many job bytes on it;
once, then it is reset to None), ``delay_per_kb`` (sleep that many seconds per 1024 bytes read:
a slow link) and ``refuse_connections`` (close the listening socket, so connecting raises
ConnectionRefusedError; a connection already open goes on; setting it False listens again on
the same port).

Printers that hang or lie: ``stream`` (bytes sent over and over, as fast as the client reads
them, on every open connection: a peer that never stops talking and answers no query),
``status_reply`` (the bytes sent instead of the status byte for every query: zeros, noise),
``answer_delay`` with
``late_answers`` (the next that many answers, or all when None, come that many seconds late, in
order, as a busy printer's would), ``paper_out_after_bytes`` and ``offline_after_bytes`` (the
paper runs out, or the printer goes offline, after that many job bytes on a connection: the rest
is received but not printed, and the status says so; once, then it is reset to None).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from types import TracebackType
from typing import Literal

from tests.support.waiting import WAIT_S

Paper = Literal["ok", "near_end", "out"]
STATUS_BASE = 0x12
_POLL = 0.05  # seconds between checks for stop() while waiting for a connection or bytes


def split_status_queries(data: bytes) -> tuple[list[bytes | int], bytes]:
    """Split a chunk into job bytes and status queries (the ``n`` of each ``DLE EOT n``).

    Returns the pieces in order and the tail held back because it may begin a query."""
    pieces: list[bytes | int] = []
    pos = search = 0
    while (hit := data.find(b"\x10\x04", search)) >= 0 and hit + 2 < len(data):
        search = hit + 2
        if 1 <= data[hit + 2] <= 4:
            pieces += [data[pos:hit], data[hit + 2]]
            pos = search = hit + 3
    tail = data[pos:]
    held = 2 if tail.endswith(b"\x10\x04") else 1 if tail.endswith(b"\x10") else 0
    pieces.append(tail[: len(tail) - held])
    return [p for p in pieces if p != b""], tail[len(tail) - held :]


class FakePrinter:
    """A threaded fake network printer; use as a context manager or call start() and stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.online = True
        self.paper: Paper = "ok"
        self.cover_open = False
        self.error = False
        self.silent_status = False
        self.disconnect_after_bytes: int | None = None
        self.delay_per_kb = 0.0
        self.stream = b""
        self.status_reply: bytes | None = None
        self.answer_delay = 0.0
        self.late_answers: int | None = None
        self.paper_out_after_bytes: int | None = None
        self.offline_after_bytes: int | None = None
        self.connections = 0
        """How many connections were accepted."""
        self.status_queries: list[int] = []
        """The ``n`` of every status query seen, answered or not."""
        self.answered: list[int] = []
        """The status queries answered (in order), n of DLE EOT n."""
        self._refusing = False
        self._lock = threading.Condition()
        self._received = bytearray()
        self._raw = bytearray()
        self._printed = bytearray()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ---- life cycle -------------------------------------------------------------------------
    def start(self) -> FakePrinter:
        """Listen (on a free port unless one was given) and serve in a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("the fake printer is already running")
        self._stopping.clear()
        self._listen()  # even when refusing, to pick the port
        if self._refusing:
            self._close_listener()
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listener and any open connection, and join the thread."""
        self._stopping.set()
        self._close_listener()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to connect to."""
        return self.host, self.port

    @property
    def refuse_connections(self) -> bool:
        """True: nothing listens, so connecting is refused; False: listen again (same port)."""
        return self._refusing

    @refuse_connections.setter
    def refuse_connections(self, refuse: bool) -> None:
        self._refusing = refuse
        if refuse:
            self._close_listener()
        elif self._thread is not None and self._listener is None:
            self._listen()

    # ---- state ------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """Whether the printer prints: online, cover shut, paper not out, no error."""
        return self.online and not self.cover_open and self.paper != "out" and not self.error

    def status_byte(self, n: int) -> int:
        """The answer to ``DLE EOT n`` (n = 1..4) in the current state."""
        if n == 1:
            return STATUS_BASE | (0 if self.ready else 0x08)
        if n == 2:
            out = 0x20 if self.paper == "out" else 0
            return (
                STATUS_BASE | (0x04 if self.cover_open else 0) | out | (0x40 if self.error else 0)
            )
        if n == 3:
            return STATUS_BASE | (0x20 if self.error else 0)
        if n == 4:
            return STATUS_BASE | {"ok": 0, "near_end": 0x0C, "out": 0x60}[self.paper]
        raise ValueError(f"DLE EOT {n} is not a status query this fake answers")

    # ---- what arrived -----------------------------------------------------------------------
    def received(self) -> bytes:
        """Every job byte received so far (status queries taken out)."""
        with self._lock:
            return bytes(self._received)

    def received_raw(self) -> bytes:
        """Every byte received so far, exactly as it arrived (status queries included)."""
        with self._lock:
            return bytes(self._raw)

    def printed(self) -> bytes:
        """The job bytes that arrived while the printer was ready."""
        with self._lock:
            return bytes(self._printed)

    def clear(self) -> None:
        """Forget all bytes and status queries received so far."""
        with self._lock:
            self._received.clear()
            self._raw.clear()
            self._printed.clear()
            self.status_queries.clear()
            self.answered.clear()

    def wait_for_bytes(self, n: int, timeout: float = WAIT_S) -> bytes:
        """Wait until at least ``n`` job bytes have arrived; return them all.

        Raises TimeoutError (saying how many arrived) when they have not within ``timeout``."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._received) >= n, timeout):
                got = len(self._received)
                raise TimeoutError(f"fake printer got {got} of {n} bytes in {timeout} s")
            return bytes(self._received)

    # ---- serving ----------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(8)
        listener.settimeout(_POLL)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:  # shut down first: the server thread may be polling it, which
            with contextlib.suppress(OSError):  # would keep it listening until the poll ends
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            listener = self._listener
            if listener is None:
                self._stopping.wait(_POLL)
                continue
            try:
                conn, _ = listener.accept()
            except OSError:  # timed out, or the listener was closed under us
                continue
            with self._lock:
                self.connections += 1
            try:
                self._handle(conn)
            finally:
                conn.close()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(_POLL)
        closed = threading.Event()
        streamer = threading.Thread(
            target=self._stream, args=(conn, closed), name="fake-printer-stream", daemon=True
        )
        streamer.start()
        try:
            self._read_jobs(conn)
        finally:
            closed.set()
            streamer.join(timeout=5)

    def _stream(self, conn: socket.socket, closed: threading.Event) -> None:
        while not closed.is_set() and not self._stopping.is_set():
            chunk = self.stream
            if not chunk:
                closed.wait(_POLL)
                continue
            try:
                conn.sendall(chunk * max(1, 4096 // len(chunk)))
            except TimeoutError:  # the client is not reading: the socket buffer is full
                continue
            except OSError:
                return

    def _read_jobs(self, conn: socket.socket) -> None:
        held, count = b"", 0
        while not self._stopping.is_set():
            try:
                chunk = conn.recv(1024 if self.delay_per_kb else 65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            if self.delay_per_kb:
                time.sleep(self.delay_per_kb * len(chunk) / 1024)
            with self._lock:
                self._raw += chunk
            pieces, held = split_status_queries(held + chunk)
            for piece in pieces:
                if isinstance(piece, int):
                    self._answer(conn, piece)
                    continue
                limit = self.disconnect_after_bytes
                if limit is not None and count + len(piece) >= limit:
                    self._store(piece[: max(0, limit - count)])
                    self.disconnect_after_bytes = None
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return  # closed by _serve: with SO_LINGER 0 that sends a RST
                count = self._store_tripping(piece, count)
        self._store(held)  # the client closed: a held-back 10 (04) was job data after all

    def _store_tripping(self, piece: bytes, count: int) -> int:
        """Store job bytes, going out of paper or offline at the byte counts set; the count
        of job bytes on this connection after them."""
        while True:
            trips = [
                at
                for at in (self.paper_out_after_bytes, self.offline_after_bytes)
                if at is not None and at <= count + len(piece)
            ]
            if not trips:
                self._store(piece)
                return count + len(piece)
            cut = max(0, min(trips) - count)
            self._store(piece[:cut])
            piece, count = piece[cut:], count + cut
            if self.paper_out_after_bytes is not None and self.paper_out_after_bytes <= count:
                self.paper, self.paper_out_after_bytes = "out", None
            if self.offline_after_bytes is not None and self.offline_after_bytes <= count:
                self.online, self.offline_after_bytes = False, None

    def _answer(self, conn: socket.socket, n: int) -> None:
        with self._lock:
            self.status_queries.append(n)
        if self.silent_status or self.stream:
            return  # a streaming peer answers nothing: its stream is all that comes back
        late = self.late_answers
        if self.answer_delay and late != 0:
            if late is not None:
                self.late_answers = late - 1
            self._stopping.wait(self.answer_delay)  # reading waits too: answers stay in order
        reply = self.status_reply if self.status_reply is not None else bytes([self.status_byte(n)])
        with self._lock:  # counted before it is sent: a client that has read it sees it counted
            self.answered.append(n)
        with contextlib.suppress(OSError):  # the client went away: it will find out itself
            conn.sendall(reply)

    def _store(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            self._received += data
            if self.ready:
                self._printed += data
            self._lock.notify_all()
