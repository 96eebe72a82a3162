"""A local stand-in for a hall's message gateway: an HTTP server on 127.0.0.1 (threads) that
checks each post's signature, honours its idempotency key, and can be told to fail (500), hang
(never answer: the sender's timeout ends it) or answer slowly.

``plan`` is asked for each post (its count so far of posts of that key, from 0) and says what to
do: "ok", "fail", "hang" or "slow". Everything received is kept for the test to check.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from models.notify.webhook import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

Plan = Callable[[str, int], str]


class Receiver:
    """What the gateway got."""

    def __init__(self, secret: str, plan: Plan) -> None:
        self.secret = secret
        self.plan = plan
        self.lock = threading.Lock()
        self.posts: Counter[str] = Counter()
        """Posts per idempotency key (duplicates included)."""
        self.delivered: dict[str, dict[str, Any]] = {}
        """What the gateway delivered (to the SMS network): once per key."""
        self.deliveries: Counter[str] = Counter()
        """How many times each key was delivered (must be 1)."""
        self.bad_signatures = 0
        self.release = threading.Event()
        """Set at the end: hung requests give up."""
        self.url = ""

    def handle(self, headers: Any, body: bytes) -> tuple[int, float]:
        """(status, seconds to wait first) for one post; status 0 = hang, no answer."""
        key = headers.get(KEY_HEADER, "")
        if not verify(self.secret, headers.get(TIMESTAMP_HEADER, ""), body,
                      headers.get(SIGNATURE_HEADER, "")):  # fmt: skip
            with self.lock:
                self.bad_signatures += 1
            return 401, 0.0
        with self.lock:
            seen = self.posts[key]
            self.posts[key] += 1
        what = self.plan(key, seen)
        if what == "fail":
            return 500, 0.0
        if what == "hang":
            return 0, 0.0
        with self.lock:
            if key not in self.delivered:  # a gateway honouring the key delivers once
                self.delivered[key] = json.loads(body)
                self.deliveries[key] += 1
        return 200, (0.3 if what == "slow" else 0.0)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, pause = receiver.handle(self.headers, body)
            if status == 0:
                receiver.release.wait(60)  # hang: the sender's timeout ends the wait
                return
            if pause:
                receiver.release.wait(pause)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def webhook_receiver(secret: str, plan: Plan | None = None) -> Iterator[Receiver]:
    """Run a receiver on 127.0.0.1 (a free port) for the duration; ``receiver.url``."""
    receiver = Receiver(secret, plan or (lambda _key, _seen: "ok"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
