"""The hall server in a real browser: Debian's chromium (headless) against `mashangban serve` in
its own process, with the clerks' calls made by the command line in other processes.

- The citizen's page shows its place, and turns into "go to window 18" by itself within a
  couple of seconds of `mashangban call`.
- The board shows a call and plays its sound, says it is reconnecting while the server is
  away, and catches up by itself when the server is back (a call made meanwhile appears and
  is spoken after the first).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import NOW, open_window
from tests.support.webserver import WebServer, mashangban, timed

pytestmark = pytest.mark.slow

LIVE_SECONDS = 2.0
"""A call reaches the citizen's open page within this long of the command's end."""


@pytest.fixture
def hall(lite: Engine, sqlite_url: str) -> str:
    """A SQLite hall with clerks at windows 18 and 19 (zone M)."""
    open_window(lite, 18)
    open_window(lite, 19, clerk="1002")
    return sqlite_url


@pytest.fixture
def server(hall: str, tmp_path: Path) -> Iterator[WebServer]:
    web = WebServer(hall, now=NOW.isoformat(), log=tmp_path / "server.log")
    web.start()
    try:
        yield web
    finally:
        web.stop()


def cli(server: WebServer, *args: str) -> dict[str, Any]:
    done = mashangban(server.db, *args, "--json", now=server.now)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def body_text(browser: Any) -> str:
    text: str = browser.find_element("tag name", "body").text
    return text


def test_the_ticket_page_follows_the_ticket_to_the_window(server: WebServer, browser: Any) -> None:
    cli(server, "take", "M")
    mine = cli(server, "take", "M")
    browser.get(f"{server.url}/t/{mine['token']}")
    page = body_text(browser)
    assert mine["number"] in page
    assert "前面还有 1 人" in page and "1 ahead of you" in page
    # The clerk at window 18 calls the first; the page moves up by itself.
    cli(server, "call", "--window", "18")
    timed(lambda: "下一位就是您" in body_text(browser), what="the page to say 'you are next'")
    # The clerk at window 19 calls this one.
    cli(server, "call", "--window", "19")
    called = time.monotonic()
    seconds = timed(
        lambda: "请到 19 号窗口" in body_text(browser), what="the page to say 'go to window 19'"
    )
    assert "please go to window 19" in body_text(browser)
    assert "请到19号窗口" in browser.title
    assert time.monotonic() - called < LIVE_SECONDS + 0.5, f"the call took {seconds:.2f} s"
    assert seconds < LIVE_SECONDS, f"the call reached the page after {seconds:.2f} s"
    assert not browser.find_element("id", "conn").is_displayed()


def test_the_board_shows_a_call_and_recovers_after_the_server_restarts(
    server: WebServer, browser: Any
) -> None:
    first = cli(server, "take", "M")
    second = cli(server, "take", "M")
    browser.set_window_size(1280, 720)
    try:
        browser.get(f"{server.url}/board?queues=M")
        assert "暂无叫号" in body_text(browser)
        cli(server, "call", "--window", "18")
        timed(lambda: first["number"] in newest(browser), what="the board to show the first call")
        assert "18" in newest(browser)
        # The call is queued to be spoken, and played.
        timed(
            lambda: voice(browser, "played") == ["/board/voice/M001/18"],
            what="the board to play the first call",
        )
        banner = browser.find_element("id", "conn")
        assert not banner.is_displayed()
        # The server goes away: the board says it is reconnecting, and keeps what it shows.
        server.stop()
        timed(banner.is_displayed, what="the board to say it is reconnecting")
        assert "正在重新连接" in banner.text and "reconnecting" in banner.text
        assert first["number"] in newest(browser)
        # A call made while the server was away shows once it is back, with no one touching
        # the board.
        cli(server, "call", "--window", "19")
        server.start()
        timed(
            lambda: second["number"] in newest(browser),
            what="the board to show the call made while the server was away",
            timeout=60,
        )
        assert "19" in newest(browser)
        timed(lambda: not banner.is_displayed(), what="the reconnecting banner to go")
        # The call made while the server was away is spoken after the first, never before.
        timed(
            lambda: voice(browser, "played") == ["/board/voice/M001/18", "/board/voice/M002/19"],
            what="the board to play the call made while the server was away",
        )
    finally:
        browser.set_window_size(412, 915)


def voice(browser: Any, which: str) -> list[str]:
    """The sounds the board queued or played (its script keeps the lists)."""
    found: list[str] = browser.execute_script(f"return window.mashangbanVoice.{which}")
    return found


def newest(browser: Any) -> str:
    """The newest call's part of the board, read in one step (the script replaces it)."""
    text: str = browser.execute_script(
        "var s = document.querySelector('section.newest'); return s ? s.innerText : ''"
    )
    return text
