"""The serve benchmark's subprocesses: the floor server, and the counter that calls.

``python -m bench.serveproc floor DB PORT`` is the floor: a bare server-sent-events echo on
plain asyncio (no framework, no templates, no per-page state). One task reads ``max(event.seq)``
with raw sqlite3 at the hall server's interval and, when it moved, writes one tiny ``state``
event to every open stream. ``caller DB CALLS GAP OUT`` calls at window 18 (call_next with
finish, as a counter's "next" key) every GAP seconds or so and writes the moment each call
began and returned as ``time.monotonic()`` (one clock for every process on Linux), with the
number called.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys

from bench.common import call_at_intervals

POLL_S = 0.25
"""The hall server's change-mark interval (ServerSettings.poll_seconds)."""
WINDOW = 18


async def floor(db: str, port: int) -> None:
    con = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    streams: set[asyncio.StreamWriter] = set()
    seq = -1

    def mark() -> int:
        (value,) = con.execute("SELECT coalesce(max(seq), 0) FROM event").fetchone()
        return int(value)

    def chunk(text: str) -> bytes:
        body = text.encode()
        return f"{len(body):x}\r\n".encode() + body + b"\r\n"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"cache-control: no-store\r\ntransfer-encoding: chunked\r\n\r\n"
            + chunk(f'event: state\ndata: {{"seq": {seq}}}\n\n')
        )
        streams.add(writer)
        try:
            await reader.read()  # until the client goes away
        except ConnectionError:
            pass
        finally:
            streams.discard(writer)
            writer.close()

    seq = mark()
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=2048)
    async with server:
        while True:
            await asyncio.sleep(POLL_S)
            now = mark()
            if now != seq:
                seq = now
                data = chunk(f'event: state\ndata: {{"seq": {seq}}}\n\n')
                for writer in list(streams):
                    writer.write(data)


def caller(db: str, calls: int, gap: float, out: str) -> None:
    call_at_intervals(db, window=WINDOW, calls=calls, gap=gap, out=out, seed=14, jitter=0.15)


def main(argv: list[str]) -> None:
    role, db, *rest = argv
    if role == "floor":
        asyncio.run(floor(db, int(rest[0])))
    else:
        caller(db, int(rest[0]), float(rest[1]), rest[2])


if __name__ == "__main__":
    main(sys.argv[1:])
