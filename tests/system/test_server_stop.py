"""`mashangban serve` stops at once and cleanly on ctrl+c, even with pages connected (their
streams never end by themselves)."""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import NOW
from tests.support.waiting import wait_for
from tests.support.webserver import WebServer

pytestmark = pytest.mark.slow


def board_pages(server: WebServer) -> int:
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as answer:
        pages: dict[str, int] = json.loads(answer.read())["pages"]
    return pages.get("board", 0)


def test_ctrl_c_with_pages_connected_stops_cleanly(
    lite: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    server = WebServer(sqlite_url, now=NOW.isoformat(), log=log)
    server.start()
    streams: list[bytes] = []

    def follow() -> None:
        with urllib.request.urlopen(f"{server.url}/board/events", timeout=60) as stream:
            streams.append(stream.read())  # until the server ends it

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        wait_for(lambda: board_pages(server) == 1, "the board's stream to be open")
        assert server.proc is not None
        began = time.monotonic()
        server.proc.send_signal(signal.SIGINT)
        server.proc.wait(30)
        took = time.monotonic() - began
    finally:
        server.stop()
    reader.join(10)
    assert streams and b"event: state" in streams[0]  # the page had its state, then the end
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "CancelledError" not in text, text
    assert took < 1.5, f"the server took {took:.1f} s to stop"
