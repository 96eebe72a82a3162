"""Benchmark 12: the hall server — a thousand phones and ten boards follow the hall live.

One ``mashangban serve`` process (uvicorn, on a free loopback port, on a SQLite copy with
1,000 waiting tickets in queue M) holds 1,000 citizen ticket streams (``/t/<token>/events``)
and 10 board streams (``/board/events``), all opened by this process on plain asyncio sockets.
Another process calls at window 18 (call_next with finish, as a counter's "next" key) about
every 1.5 s. A call reaches a page at the moment the page's ``state`` event for it arrives;
the pages whose state a call changes are every board, every ticket still waiting (one fewer
ahead), the ticket called and the one finished. Then, with every page still connected, the
server's resident memory and its CPU over a quiet stretch (pings only).

Floor: a bare server-sent-events echo on plain asyncio (bench.serveproc floor) that reads
``max(event.seq)`` with raw sqlite3 at the server's interval (0.25 s) and writes one tiny event
to every stream, measured the same way with the same pages and calls in this same run.
Targets (issue 14): p95 < 1 s, idle CPU < 5 % of a core; memory is reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    NOW,
    QUICK,
    Latency,
    Result,
    Row,
    Sizes,
    Verdict,
    latency_rows,
    percentile,
)
from bench.halldb import checkpoint, copy_db, lift_caps, prefill, url_for
from models.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
PHONES = 1000
BOARDS = 10
CONNECTING = 50
"""Pages connecting at once (as phones arrive, not all in one instant)."""
GAP_S = 1.5
START_TIMEOUT_S = 60.0
TARGET_P95_MS = 1000.0
TARGET_IDLE_PCT = 5.0
TARGET_API_RATIO = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Page:
    """One open page's event stream and when each ``state`` event arrived."""

    path: str
    index: int | None
    """The ticket's place in number order (None: a board)."""
    arrivals: list[float] = field(default_factory=list)
    failed: str | None = None


async def follow(page: Page, port: int, connected: asyncio.Event, stop: asyncio.Event) -> None:
    """Open ``page.path`` as a browser's EventSource would and note each state event."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        page.failed = str(exc)
        connected.set()
        return
    writer.write(
        f"GET {page.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
    )
    buffer = b""
    head = True
    try:
        while not stop.is_set():
            data = await reader.read(65536)
            if not data:
                page.failed = page.failed or "the stream ended"
                break
            at = time.monotonic()
            buffer += data
            if head:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    continue
                status = buffer.split(b"\r\n", 1)[0]
                if b" 200 " not in status:
                    page.failed = status.decode(errors="replace")
                    break
                buffer, head = buffer[end + 4 :], False
            while (end := buffer.find(b"\n\n")) >= 0:
                if b"event: state" in buffer[:end]:
                    page.arrivals.append(at)
                    connected.set()
                buffer = buffer[end + 2 :]
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        connected.set()
        writer.close()


@dataclass(frozen=True)
class Measured:
    latencies: list[float]
    """Seconds from the call beginning to a changed page's state event, every (call, page)."""
    boards: list[float]
    last_page: list[float]
    """Seconds from the call beginning to the last changed page reached, per call."""
    missing: int
    failed: int
    connect_s: float
    rss_none_mb: float
    rss_mb: float
    idle_pct: float
    idle_s: float
    api: ApiSamples | None = None
    """Through the API with every page connected."""
    api_quiet: ApiSamples | None = None
    """Through the API once the pages went away."""


@dataclass
class ApiSamples:
    """Seconds per take and per call-next, through the API and in-process (the floor)."""

    takes: list[float] = field(default_factory=list)
    calls: list[float] = field(default_factory=list)
    takes_inproc: list[float] = field(default_factory=list)
    calls_inproc: list[float] = field(default_factory=list)


class Process:
    def __init__(self, argv: list[str], log: Path) -> None:
        env = {**os.environ, "MASHANGBAN_NOW": NOW.isoformat(), "PYTHONPATH": str(ROOT)}
        with log.open("ab") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=out)
        self.log = log

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server exited: {self.log.read_text(errors='replace')}")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _ready(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _start(role: str, db: Path, port: int, workdir: Path) -> Process:
    if role == "server":
        argv = [sys.executable, "-m", "mashangban", "--db", url_for(db), "serve", "--port",
                str(port)]  # fmt: skip
    else:
        argv = [sys.executable, "-m", "bench.serveproc", "floor", url_for(db), str(port)]
    proc = Process(argv, workdir / f"serve_{role}.log")
    probe = "/healthz" if role == "server" else None
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        proc.alive()
        if probe is not None and _ready(port, probe):
            return proc
        if probe is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return proc
        if time.monotonic() > deadline:
            proc.stop()
            raise RuntimeError(f"the {role} did not start within {START_TIMEOUT_S} s")
        time.sleep(0.1)


def _prepare(template: Path, workdir: Path, name: str) -> tuple[Path, list[str]]:
    """A copy of the template with PHONES waiting tickets in queue M; their tokens in number
    order."""
    path = copy_db(template, workdir, name)
    lift_caps(path)
    engine = make_engine(url_for(path))
    try:
        prefill(engine, {"M": PHONES})
    finally:
        engine.dispose()
    checkpoint(path)
    con = sqlite3.connect(path)
    try:
        tokens = [token for (token,) in con.execute("SELECT token FROM ticket ORDER BY number")]
    finally:
        con.close()
    return path, tokens


def _api_samples(port: int, key: str, inproc: Path, n: int) -> ApiSamples:
    """``n`` takes (queue M) and ``n`` calls at window 18 (finishing the one before) through
    the API on one kept-alive connection, each followed by the same operation in this process
    on its own copy of the database."""
    import http.client

    from models.queue.calling import call_next
    from models.queue.tickets import take_ticket

    samples = ApiSamples()
    engine = make_engine(url_for(inproc))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def post(path: str, body: bytes, expect: int) -> float:
        start = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        took = time.perf_counter() - start
        if answer.status != expect:
            raise RuntimeError(f"POST {path}: {answer.status} {payload[:300]!r}")
        return took

    try:
        for _ in range(n):
            samples.takes.append(post("/api/v1/tickets", b'{"queue": "M"}', 201))
            start = time.perf_counter()
            take_ticket(engine, queue="M", now=NOW)
            samples.takes_inproc.append(time.perf_counter() - start)
            samples.calls.append(post("/api/v1/windows/18/call-next?finish=true", b"", 200))
            start = time.perf_counter()
            call_next(engine, window=18, finish_current=True, now=NOW)
            samples.calls_inproc.append(time.perf_counter() - start)
    finally:
        conn.close()
        engine.dispose()
    return samples


async def _session(
    proc: Process, port: int, tokens: list[str], db: Path, calls: int, idle_s: float,
    out: Path, api: tuple[str, Path, int] | None,
) -> Measured:  # fmt: skip
    rss_none = proc.rss_mb()
    stop = asyncio.Event()
    pages = [Page(f"/t/{token}/events", i) for i, token in enumerate(tokens)]
    pages += [Page("/board/events", None) for _ in range(BOARDS)]
    tasks: list[asyncio.Task[None]] = []
    began = time.monotonic()
    for first in range(0, len(pages), CONNECTING):
        batch = []
        for page in pages[first : first + CONNECTING]:
            connected = asyncio.Event()
            tasks.append(asyncio.create_task(follow(page, port, connected, stop)))
            batch.append(connected.wait())
        await asyncio.wait_for(asyncio.gather(*batch), START_TIMEOUT_S)
    connect_s = time.monotonic() - began
    await asyncio.sleep(1.0)  # the last pages' first state is in; the server settles
    caller = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.serveproc", "caller", url_for(db), str(calls), str(GAP_S),
        str(out), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    if await caller.wait() != 0:
        raise RuntimeError("the caller failed")
    await asyncio.sleep(GAP_S)  # the last call reaches every page
    moments = json.loads(out.read_text("utf-8"))
    await asyncio.sleep(2.0)
    cpu0, t0 = proc.cpu_seconds(), time.monotonic()
    await asyncio.sleep(idle_s)
    cpu1, t1 = proc.cpu_seconds(), time.monotonic()
    rss = proc.rss_mb()
    samples = await asyncio.to_thread(_api_samples, port, *api) if api else None
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    quiet = None
    if api:
        await asyncio.sleep(1.0)  # the server notices the pages went away
        quiet = await asyncio.to_thread(_api_samples, port, *api)
    latencies, boards, last, missing = _reached(pages, moments)
    return Measured(
        latencies=latencies,
        boards=boards,
        last_page=last,
        missing=missing,
        failed=sum(page.failed is not None for page in pages),
        connect_s=connect_s,
        rss_none_mb=rss_none,
        rss_mb=rss,
        idle_pct=100 * (cpu1 - cpu0) / (t1 - t0),
        idle_s=t1 - t0,
        api=samples,
        api_quiet=quiet,
    )


def _reached(
    pages: list[Page], moments: list[dict[str, float]]
) -> tuple[list[float], list[float], list[float], int]:
    """Per call, each changed page's first state event after the call began (before the next
    call began): every (call, page) latency, the boards' alone, the last page per call, and how
    many changed pages never heard of a call in time."""
    latencies: list[float] = []
    boards: list[float] = []
    last: list[float] = []
    missing = 0
    for k, moment in enumerate(moments):
        start = moment["began"]
        end = moments[k + 1]["began"] if k + 1 < len(moments) else start + 3 * GAP_S
        changed_from = max(0, k - 1)  # tickets before the one finished now are done already
        slowest = 0.0
        for page in pages:
            if page.index is not None and page.index < changed_from:
                continue
            at = next((a for a in page.arrivals if start <= a < end), None)
            if at is None:
                missing += 1
                continue
            latencies.append(at - start)
            if page.index is None:
                boards.append(at - start)
            slowest = max(slowest, at - start)
        last.append(slowest)
    return latencies, boards, last, missing


def _measure(
    role: str, template: Path, workdir: Path, calls: int, idle_s: float, api_ops: int
) -> Measured:
    db, tokens = _prepare(template, workdir, f"serve_{role}.db")
    api = None
    if api_ops:
        from models.apikeys import add_key  # type: ignore[import-not-found,unused-ignore]

        engine = make_engine(url_for(db))
        try:
            _view, key = add_key(engine, name="bench", scopes=["take", "window:18"])
        finally:
            engine.dispose()
        api = (key, _prepare(template, workdir, "serve_inproc.db")[0], api_ops)
    port = free_port()
    proc = _start(role, db, port, workdir)
    try:
        return asyncio.run(
            _session(
                proc, port, tokens, db, calls, idle_s, workdir / f"serve_calls_{role}.json", api
            )
        )
    finally:
        proc.stop()


def _has_write_api() -> bool:
    """The write API (take, call next) is on this branch: its OpenAPI document says so."""
    from server.app import ServerSettings, create_app

    engine = make_engine("sqlite://")
    try:
        paths = create_app(ServerSettings(engine=engine)).openapi().get("paths", {})
        return "post" in paths.get("/api/v1/tickets", {}) and any(
            path.endswith("/call-next") for path in paths
        )
    finally:
        engine.dispose()


def run(sizes: Sizes, workdir: Path, template: Path) -> Result:
    """Measure the server and its floor one after the other, each on its own copy."""
    quick = sizes == QUICK
    calls, idle_s, api_ops = (6, 4.0, 50) if quick else (15, 10.0, 200)
    write_api = _has_write_api()
    results = {
        role: _measure(
            role, template, workdir, calls, idle_s, api_ops if write_api and role == "server" else 0
        )
        for role in ("server", "floor")
    }
    p, f = results["server"], results["floor"]
    lp, lf = Latency.of(p.latencies), Latency.of(f.latencies)
    p95 = percentile([s * 1000 for s in p.latencies], 95)
    f95 = percentile([s * 1000 for s in f.latencies], 95)
    lastp, lastf = Latency.of(p.last_page), Latency.of(f.last_page)
    rows = [
        Row(f"open {PHONES:,} phone + {BOARDS} board streams", p.connect_s * 1000,
            f.connect_s * 1000, "ms", digits=0),
        Row("call → a changed page p50", lp.p50, lf.p50, "ms", digits=0),
        Row("call → a changed page p95", p95, f95, "ms", "< 1,000 ms", digits=0),
        Row("call → a changed page max", lp.max, lf.max, "ms", digits=0),
        Row("call → a board p95", percentile([s * 1000 for s in p.boards], 95),
            percentile([s * 1000 for s in f.boards], 95), "ms", digits=0),
        Row("call → the last changed page, mean per call", lastp.mean, lastf.mean, "ms",
            digits=0),
        Row("resident memory, no page connected", p.rss_none_mb, f.rss_none_mb, "MB", digits=0),
        Row(f"resident memory, {PHONES + BOARDS:,} pages connected", p.rss_mb, f.rss_mb, "MB",
            digits=0),
        Row("idle CPU, all pages connected", p.idle_pct, f.idle_pct, "% of a core", "< 5 %"),
    ]  # fmt: skip
    verdicts: list[Verdict] = []
    if p.api is not None:
        rows += latency_rows(
            "take through the API",
            Latency.of(p.api.takes),
            Latency.of(p.api.takes_inproc),
            "≤ 3 × in-process",
        )
        rows += latency_rows("call-next through the API", Latency.of(p.api.calls),
                             Latency.of(p.api.calls_inproc), "≤ 3 × in-process")  # fmt: skip
        for what, api_s, inproc_s in (
            ("take", p.api.takes, p.api.takes_inproc),
            ("call-next", p.api.calls, p.api.calls_inproc),
        ):
            a, b = Latency.of(api_s), Latency.of(inproc_s)
            verdicts.append(Verdict(
                f"serve API {what}",
                a.p99 <= TARGET_API_RATIO * b.p99,
                f"{what} through the API p99 {a.p99:.1f} ms = {a.p99 / b.p99:.2f} × in-process "
                f"{b.p99:.1f} ms (target ≤ 3 ×), {PHONES + BOARDS:,} pages connected",
            ))  # fmt: skip
    if p.api_quiet is not None:
        q = p.api_quiet
        rows += [
            Row("take through the API p99, no page connected", Latency.of(q.takes).p99,
                Latency.of(q.takes_inproc).p99, "ms"),
            Row("call-next through the API p99, no page connected", Latency.of(q.calls).p99,
                Latency.of(q.calls_inproc).p99, "ms"),
        ]  # fmt: skip
    else:
        rows.append(Row("take + call through the API p99: not yet, needs the write API", None,
                        None, "ms", "≤ 3 × in-process"))  # fmt: skip
    notes = [
        f"{calls} calls at window 18 from another process about {GAP_S} s apart, "
        f"{PHONES:,} waiting tickets in M each followed by one phone stream, {BOARDS} boards; "
        f"{len(p.latencies):,} (call, changed page) pairs for the server",
        "a page is reached when its `state` event for the call arrives on its socket; changed "
        "pages: every board, every ticket still waiting, the ticket called and the one finished",
        f"idle CPU: the server's user + system time from /proc over {p.idle_s:.0f} s after the "
        "calls (pings only); memory: VmRSS",
        "floor: a bare SSE echo on plain asyncio polling max(event.seq) with raw sqlite3 every "
        "0.25 s (the server's interval) and writing one tiny event to every stream",
    ]
    if p.api is not None:
        notes.append(f"API: {len(p.api.takes)} takes and call-nexts (finishing the one before) "
                     "over one kept-alive HTTP connection with an API key, all pages still "
                     "connected (each write makes every changed page re-read and re-rendered), "
                     "then again once they went away; floor: the same operation in-process "
                     "right after each, on its own copy (take_ticket, call_next)")  # fmt: skip
    else:
        notes.append("take/call through the API not measured: POST /api/v1/tickets is not on "
                     "this branch yet")  # fmt: skip
    if p.missing or f.missing or p.failed or f.failed:
        notes.append(f"changed pages a call never reached in time: server {p.missing}, "
                     f"floor {f.missing}; streams that failed: server {p.failed}, "
                     f"floor {f.failed}")  # fmt: skip
    verdicts = [
        *verdicts,
        Verdict(
            "serve latency",
            p95 < TARGET_P95_MS and not p.missing and not p.failed,
            f"call → each of {PHONES + BOARDS:,} pages p95 {p95:,.0f} ms (target < 1,000 ms), "
            f"{p.missing} missed",
        ),
        Verdict(
            "serve idle CPU",
            p.idle_pct < TARGET_IDLE_PCT,
            f"idle server with {PHONES + BOARDS:,} pages {p.idle_pct:.2f} % of one core "
            "(target < 5 %)",
        ),
    ]
    return Result(
        "serve",
        "12 · hall server: 1,000 phones + 10 boards follow a call; memory; idle CPU",
        rows,
        notes,
        verdicts,
        floor="bare asyncio SSE echo",
    )
