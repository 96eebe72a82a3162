"""The hall server over HTTP (the ASGI test client), on SQLite and PostgreSQL: the citizen's
ticket page in each state, the board, the read API, health, metrics, and every refusal."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from models import settings
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, recall, start, transfer
from models.queue.tickets import take_ticket
from models.views.status import hall_status
from models.views.ticket import TicketView
from server.app import ServerSettings, create_app
from server.limits import RateLimit
from tests.conftest import NOW, open_window
from tests.support.waiting import wait_for

PAGE_BUDGET = 30 * 1024
"""What one load of the ticket page may cost a phone: the page, its style and its script."""


def make_client(engine: Engine, **changes: object) -> TestClient:
    options: dict[str, object] = {
        "engine": engine,
        "poll_seconds": 0.05,
        "stream_seconds": 0.4,
        "ping_seconds": 0.1,
        "lookups": RateLimit(burst=10_000),
    }
    options.update(changes)
    return TestClient(create_app(ServerSettings(**options)))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server reads the hall at the tests' moment (a Wednesday morning)."""
    monkeypatch.setenv(settings.NOW.name, NOW.isoformat())


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as c:
        yield c


def take(engine: Engine, queue: str = "M", item: str | None = None) -> TicketView:
    return take_ticket(engine, queue=None if item else queue, item=item, now=NOW)


def text_of(html: str) -> str:
    """The page as read: tags and repeated spaces gone."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def shown(client: TestClient, url: str, *needles: str) -> str:
    """The page at ``url`` (as read) once it says all of these: the server sees a change
    within its watcher's poll, not at once."""

    def page() -> str | None:
        text = text_of(client.get(url).text)
        return text if all(n in text for n in needles) else None

    return wait_for(page, f"{url} to say {needles}")


# --- the citizen's page ----------------------------------------------------------------------


def test_a_waiting_ticket_shows_its_number_zone_item_and_place(
    client: TestClient, engine: Engine
) -> None:
    take(engine)
    mine = take(engine, item="M01")
    response = client.get(f"/t/{mine.token}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = text_of(response.text)
    assert mine.number in page and "马上办" in page
    assert "不动产登记信息查询" in page and "Real estate register enquiry" in page
    assert "前面还有 1 人" in page and "1 ahead of you" in page
    assert f"预计等候约 {mine.eta_minutes} 分钟" in page
    assert "济南市政务服务中心" in page  # the hall, Chinese first
    # Without JavaScript the page still refreshes itself.
    assert '<noscript><meta http-equiv="refresh"' in response.text
    assert mine.token not in page  # the token stays in addresses, never shown


def test_the_page_load_is_small_and_every_asset_is_local(
    client: TestClient, engine: Engine
) -> None:
    mine = take(engine)
    html = client.get(f"/t/{mine.token}").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    total = len(html.encode())
    for asset in assets:
        got = client.get(asset)
        assert got.status_code == 200
        total += len(got.content)
    assert total < PAGE_BUDGET
    assert "http://" not in html and "https://" not in html


def test_the_next_citizen_is_told_so(client: TestClient, engine: Engine) -> None:
    mine = take(engine)
    page = text_of(client.get(f"/t/{mine.token}").text)
    assert "下一位就是您" in page and "You are next" in page


def test_a_called_ticket_says_which_window_in_both_languages(
    client: TestClient, engine: Engine
) -> None:
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    shown(client, f"/t/{mine.token}", "请到 18 号窗口", "please go to window 18")
    response = client.get(f"/t/{mine.token}")
    title = re.search(r"<title>(.*)</title>", response.text)
    assert title and "请到18号窗口" in title[1] and mine.number in title[1]


def test_serving_and_done(client: TestClient, engine: Engine) -> None:
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    start(engine, window=18, now=NOW)
    shown(client, f"/t/{mine.token}", "正在 18 号窗口办理", "being served at window 18")
    finish(engine, window=18, now=NOW)
    shown(client, f"/t/{mine.token}", "已办结", "done, thank you")


def test_a_missed_ticket_says_what_to_do(client: TestClient, engine: Engine) -> None:
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    mark_no_show(engine, window=18, now=NOW)
    shown(client, f"/t/{mine.token}", "您已过号", "you missed your call", "服务台", "service desk")


def test_a_transferred_ticket_keeps_its_number_and_says_where(
    client: TestClient, engine: Engine
) -> None:
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    new = transfer(engine, window=18, to_queue="A", now=NOW)
    assert new.number == mine.number  # the hall keeps the number on the slip (the default)
    page = shown(client, f"/t/{mine.token}", "已转到")
    assert "您已转到 不动产登记，号码不变" in page and "your number stays the same" in page
    assert "下一位就是您" in page  # the new ticket goes to the front of its queue


def test_a_transferred_ticket_with_a_new_number_follows_it(
    client: TestClient, engine: Engine
) -> None:
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace('transfer_number = "keep"', 'transfer_number = "new"', 1)
    store_hall(engine, parse_hall(text), text)
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    new = transfer(engine, window=18, to_queue="A", now=NOW)
    assert new.number != mine.number
    page = shown(client, f"/t/{mine.token}", "已转到")
    assert f"您的号 {mine.number} 已转到" in page and new.number in page
    assert f"new number {new.number}" in page


@pytest.mark.parametrize("token", ["0123456789abcdef", "not-a-token", "x" * 200])
def test_an_unknown_token_gets_a_friendly_404_in_both_languages(
    client: TestClient, token: str
) -> None:
    response = client.get(f"/t/{token}")
    assert response.status_code == 404
    page = text_of(response.text)
    assert "找不到这张号票" in page and "This ticket was not found" in page
    assert "Traceback" not in response.text


def test_a_ticket_of_another_day_is_not_shown(client: TestClient, engine: Engine) -> None:
    yesterday = take_ticket(engine, queue="M", now=NOW - dt.timedelta(days=1))
    assert client.get(f"/t/{yesterday.token}").status_code == 404
    assert client.get(f"/api/v1/tickets/{yesterday.token}").status_code == 404


def test_a_client_whose_look_ups_keep_missing_is_held_up(engine: Engine) -> None:
    mine = take(engine)
    limit = RateLimit(burst=3, per_second=0.001)
    with make_client(engine, lookups=limit) as client:
        for _ in range(20):  # its own ticket, as often as it likes
            assert client.get(f"/t/{mine.token}").status_code == 200
        for n in range(3):
            assert client.get(f"/t/{n:016x}").status_code == 404
        # Now every look-up is refused, found or not: a guesser learns nothing more.
        refused = client.get(f"/t/{mine.token}")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        page = text_of(refused.text)
        assert "查询太频繁" in page and "too many look-ups" in page
        api = client.get(f"/api/v1/tickets/{mine.token}")
        assert api.status_code == 429 and api.json()["error"] == "too_many_lookups"
        assert client.get(f"/t/{mine.token}/events").status_code == 429
        assert client.get("/board").status_code == 200  # the board is no look-up
    assert limit.blocked("another phone") == 0


def test_misses_are_earned_back() -> None:
    now = [0.0]
    limit = RateLimit(burst=2, per_second=0.5, clock=lambda: now[0])
    limit.miss("a")
    limit.miss("a")
    assert limit.blocked("a") == pytest.approx(2.0)
    assert limit.blocked("b") == 0  # each client has its own
    now[0] = 2.0
    assert limit.blocked("a") == 0


def test_api_misses_count_too(engine: Engine) -> None:
    with make_client(engine, lookups=RateLimit(burst=2, per_second=0.001)) as client:
        for _ in range(2):
            assert client.get("/api/v1/tickets/0123456789abcdef").status_code == 404
        assert client.get("/t/0123456789abcdef").status_code == 429


# --- live: server-sent events ----------------------------------------------------------------


def events_of(body: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in fields:
            out.append((fields["event"], json.loads(fields.get("data", "{}"))))
    return out


def after(seconds: float, action: Callable[[], object]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def test_the_ticket_stream_sends_the_state_then_the_call(engine: Engine) -> None:
    mine = take(engine)
    open_window(engine, 18)
    with make_client(engine, stream_seconds=1.5) as client:
        timer = after(0.4, lambda: call_next(engine, window=18, now=NOW))
        body = client.get(f"/t/{mine.token}/events").text
        timer.join()
    assert body.startswith("retry: ")
    states = [data for kind, data in events_of(body) if kind == "state"]
    assert len(states) == 2
    assert states[0]["status"] == "waiting" and "下一位就是您" in str(states[0]["html"])
    assert states[1]["status"] == "called" and "请到 18 号窗口" in str(states[1]["html"])
    assert "请到18号窗口" in str(states[1]["title"]) and states[1]["alert"]


def test_an_idle_stream_pings(client: TestClient, engine: Engine) -> None:
    mine = take(engine)
    body = client.get(f"/t/{mine.token}/events").text
    kinds = [kind for kind, _ in events_of(body)]
    assert kinds[0] == "state" and "ping" in kinds


def test_a_stream_keeps_pinging_while_the_hall_changes_around_it(engine: Engine) -> None:
    """A busy hall changes more often than the ping: a page whose ticket those changes leave
    as it was (new tickets join the line behind it) is sent nothing new, yet still pinged, or
    its script would think the connection lost and start over."""
    mine = take(engine)
    stop = threading.Event()

    def busy() -> None:
        while not stop.wait(0.03):
            take(engine)

    with make_client(engine, stream_seconds=1.2, ping_seconds=0.2) as client:
        worker = threading.Thread(target=busy)
        worker.start()
        try:
            body = client.get(f"/t/{mine.token}/events").text
        finally:
            stop.set()
            worker.join()
    kinds = [kind for kind, _ in events_of(body)]
    assert kinds[0] == "state" and kinds.count("state") == 1  # nothing new to show
    assert kinds.count("ping") >= 3, kinds


def test_the_server_collects_garbage_at_quiet_moments_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full garbage collection stops the server for 0.1-0.3 s with a thousand pages: it runs
    when a thousand pages came, but never while an API write is in flight."""
    import gc

    from server import hub as hubs

    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(1) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(gc, "unfreeze", lambda: None)

    async def run() -> None:
        hub = hubs.Hub(engine, seconds=0.05, quiet_gc=True)
        await hub.start()
        try:
            assert len(collected) == 1  # at the start
            hub.pages["ticket"] += 1000  # a thousand phones came
            hub._collected -= hubs.FULL_COLLECTION_GAP
            with hub.writing():
                hub.collect_when_quiet()
                assert len(collected) == 1  # not while a write is in flight
            hub.collect_when_quiet()
            assert len(collected) == 2
            hub.collect_when_quiet()
            assert len(collected) == 2  # once
        finally:
            await hub.stop()

    asyncio.run(run())


def test_a_stream_for_an_unknown_token_is_refused(client: TestClient) -> None:
    response = client.get("/t/0123456789abcdef/events")
    assert response.status_code == 404 and response.json()["error"] == "unknown_ticket"


def test_pages_showing_the_same_thing_share_one_read(engine: Engine) -> None:
    mine = take(engine)
    app = create_app(ServerSettings(engine=engine, poll_seconds=0.05))
    reads = []
    import server.pages as pages

    real = pages.citizen_tickets

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with TestClient(app) as client:
        hub = app.state.hub
        pages.citizen_tickets = counted  # type: ignore[assignment]
        try:
            generation = hub.generation
            for _ in range(5):
                assert client.get(f"/t/{mine.token}").status_code == 200
        finally:
            pages.citizen_tickets = real  # type: ignore[assignment]
        assert hub.generation == generation  # nothing changed meanwhile
    assert len(reads) == 1


def test_pages_of_many_tickets_are_read_together_after_a_change(engine: Engine) -> None:
    """A thousand phones wake at a change: their tickets are read in one go, not one by one."""
    from models.views.citizen import citizen_tickets
    from server.hub import Hub

    tokens = [take(engine).token for _ in range(30)]
    batches: list[list[str]] = []

    def reader(keys: list[str]) -> dict[str, object]:
        batches.append(keys)
        return dict(citizen_tickets(engine, keys))

    async def pages() -> list[object]:
        hub = Hub(engine)
        asked = [hub.read_each("ticket", t, reader) for t in [*tokens, "0123456789abcdef"]]
        return list(await asyncio.gather(*asked))

    found = asyncio.run(pages())
    assert len(batches) == 1 and sorted(batches[0]) == sorted([*tokens, "0123456789abcdef"])
    assert [f.held.ahead for f in found[:-1]] == list(range(30))  # type: ignore[attr-defined]
    assert found[-1] is None


# --- the board -------------------------------------------------------------------------------


def test_the_board_shows_the_newest_call_recent_calls_waiting_and_missed(
    client: TestClient, engine: Engine
) -> None:
    served, missed, third = take(engine), take(engine), take(engine)
    take(engine)
    take(engine, queue="A")
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    start(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    call_next(engine, window=18, now=NOW)
    mark_no_show(engine, window=18, now=NOW)
    call_next(engine, window=18, now=NOW)
    shown(client, "/board", third.number)
    response = client.get("/board")
    assert response.status_code == 200
    html = response.text
    newest = re.search(r'<section class="newest">(.*?)</section>', html, re.S)
    assert newest is not None
    assert third.number in newest[1] and ">18<" in newest[1]
    recent = re.search(r'<div class="recent">(.*?)</div>', html, re.S)
    assert recent is not None and served.number in recent[1]
    missing = re.search(r'<div class="missed">(.*?)</div>', html, re.S)
    assert missing is not None and "过号" in missing[1] and missed.number in missing[1]
    waiting = text_of(re.search(r'<div class="waiting">(.*?)</div>', html, re.S)[1])  # type: ignore[index]
    assert "M 马上办 1" in waiting and "A " in waiting
    assert '<noscript><meta http-equiv="refresh"' in html
    assert "正在重新连接" in html  # the reconnecting banner, hidden until needed


def test_the_board_shows_only_its_zones(client: TestClient, engine: Engine) -> None:
    take(engine, queue="A")
    page = text_of(client.get("/board?queues=m,B").text)  # read after the ticket: no wait
    assert "M 马上办" in page and "B " in page and "A 不动产" not in page


def test_an_unknown_zone_is_refused_on_the_board(client: TestClient) -> None:
    response = client.get("/board?queues=M,Z")
    assert response.status_code == 404
    assert "Z" in text_of(response.text)
    assert client.get("/board/events?queues=Z").status_code == 404


def test_the_board_stream_sends_a_new_call(engine: Engine) -> None:
    mine = take(engine)
    open_window(engine, 18)
    with make_client(engine, stream_seconds=1.5) as client:
        timer = after(0.4, lambda: call_next(engine, window=18, now=NOW))
        body = client.get("/board/events?queues=M").text
        timer.join()
    states = [data for kind, data in events_of(body) if kind == "state"]
    assert len(states) == 2 and states[0]["newest"] == 0
    assert mine.number in str(states[1]["html"]) and states[1]["newest"]


def test_the_board_speaks_each_call_as_a_wav(client: TestClient, engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    body = client.get("/board/events").text
    (state,) = [data for kind, data in events_of(body) if kind == "state"]
    calls = state["calls"]
    assert isinstance(calls, list) and [c["audio"] for c in calls] == ["/board/voice/M001/18"]
    sound = client.get("/board/voice/M001/18")
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(sound.content)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 2.0 < seconds < 15.0  # the chime, then the sentence
    again = client.get("/board/voice/M001/18?recall=1")
    assert again.status_code == 200 and len(again.content) > len(sound.content)  # 再次呼叫…


@pytest.mark.parametrize("path", ["/board/voice/M001/0", "/board/voice/m%3Brm/18"])
def test_the_voice_says_only_calls(client: TestClient, path: str) -> None:
    refused = client.get(path)
    assert refused.status_code == 404 and refused.json()["error"] == "bad_call"


def test_a_board_without_a_voice_shows_the_calls_and_health_says_it_is_silent(
    engine: Engine,
) -> None:
    take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    with make_client(engine, voice=False) as client:
        page = client.get("/board").text
        assert "M001" in page and "voice" not in text_of(page).lower()  # the public screen
        assert 'data-voice="0"' in page
        refused = client.get("/board/voice/M001/18")
        assert refused.status_code == 404 and refused.json()["error"] == "no_voice"
        assert client.get("/healthz").json()["voice"] == "silent"
    with make_client(engine) as client:
        assert client.get("/healthz").json()["voice"] == "espeak-ng"


# --- the API ---------------------------------------------------------------------------------


def test_the_status_api_is_status_json(client: TestClient, engine: Engine) -> None:
    take(engine)
    open_window(engine, 18)
    response = client.get("/api/v1/status")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(hall_status(engine).to_json()))


def test_the_ticket_api(client: TestClient, engine: Engine) -> None:
    take(engine)
    mine = take(engine)
    body = client.get(f"/api/v1/tickets/{mine.token}").json()
    assert body["number"] == mine.number and body["ahead"] == 1 and body["status"] == "waiting"
    assert body["transferred_to"] is None
    missing = client.get("/api/v1/tickets/0123456789abcdef")
    assert missing.status_code == 404
    assert missing.json()["error"] == "unknown_ticket"
    assert missing.json()["message_zh"] and missing.json()["message_en"]


def test_the_ticket_api_follows_a_transfer(client: TestClient, engine: Engine) -> None:
    mine = take(engine)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    new = transfer(engine, window=18, to_queue="A", now=NOW)
    body = client.get(f"/api/v1/tickets/{mine.token}").json()
    assert body["status"] == "transferred" and body["transferred_to"]["number"] == new.number


def test_the_api_docs_are_served_locally(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/docs-assets/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "cdn" not in docs.text
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/status" in paths and "/api/v1/tickets/{token}" in paths


# --- health and metrics ----------------------------------------------------------------------


def test_healthz_says_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["watcher"] == "ok"


def test_healthz_says_how_the_server_follows_the_hall(client: TestClient, engine: Engine) -> None:
    """On PostgreSQL it listens (LISTEN/NOTIFY) once its listener is connected; SQLite polls."""
    expected = "listen" if engine.dialect.name == "postgresql" else "poll"
    wait_for(lambda: client.get("/healthz").json()["follows"] == expected, f"follows {expected}")


def test_healthz_fails_on_an_uninitialised_database(empty_engine: Engine) -> None:
    with make_client(empty_engine) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["error"] == "db_not_initialised"


def test_pages_say_kindly_when_the_database_cannot_be_read(empty_engine: Engine) -> None:
    with make_client(empty_engine) as client:
        page = client.get("/t/0123456789abcdef")
        assert page.status_code == 503 and "Traceback" not in page.text
        text = text_of(page.text)
        assert "暂时无法访问" in text and "cannot be reached" in text
        assert client.get("/board").status_code == 503
        api = client.get("/api/v1/status")
        assert api.status_code == 503 and api.json()["message_zh"] and api.json()["message_en"]
        assert client.get("/metrics").status_code == 503


def test_metrics(client: TestClient, engine: Engine) -> None:
    take(engine)
    take(engine)
    take(engine, queue="A")
    body = client.get("/metrics")  # read at each scrape: no wait
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/plain")
    text = body.text
    assert 'mashangban_tickets_issued{queue="M"} 2.0' in text
    assert 'mashangban_tickets_waiting{queue="A"} 1.0' in text
    assert 'mashangban_longest_wait_minutes{queue="M"}' in text
    assert 'mashangban_connected_pages{page="ticket"} 0.0' in text
    assert 'mashangban_print_jobs_today{state="failed"} 0.0' in text


def test_metrics_count_calls_per_window_and_print_jobs(client: TestClient, engine: Engine) -> None:
    from printer.spooler import print_ticket_at_kiosk

    for _ in range(3):
        take(engine)
    open_window(engine, 18)
    open_window(engine, 19, clerk="1002")
    call_next(engine, window=18, now=NOW)
    recall(engine, window=18, now=NOW)
    mine = call_next(engine, window=19, now=NOW)
    print_ticket_at_kiosk(engine, token=mine.token, kiosk=None)
    text = client.get("/metrics").text
    assert 'mashangban_calls_today{window="18"} 2.0' in text
    assert 'mashangban_calls_today{window="19"} 1.0' in text
    states = re.findall(r'mashangban_print_jobs_today\{state="(\w+)"\} (\d+)', text)
    assert sum(int(n) for _, n in states) == 1


# --- public_url ------------------------------------------------------------------------------


def with_public_url(url: str) -> str:
    text = default_hall_path().read_text(encoding="utf-8")
    return text.replace("\n[hall]\n", f'\n[hall]\npublic_url = "{url}"\n', 1)


def test_a_hall_with_a_public_url_keeps_it(engine: Engine, tmp_path: Path) -> None:
    text = with_public_url("https://queue.example.cn/")
    config = parse_hall(text)
    assert config.hall.public_url == "https://queue.example.cn"
    store_hall(engine, config, text)
    from models.db import reading
    from models.hall import hall_settings

    with reading(engine) as session:
        assert hall_settings(session).public_url == "https://queue.example.cn"


@pytest.mark.parametrize("url", ["queue.example.cn", "ftp://x.cn", "https://a b.cn"])
def test_a_public_url_that_is_no_web_address_is_refused(url: str) -> None:
    from models.errors import HallError

    with pytest.raises(HallError) as refused:
        parse_hall(with_public_url(url))
    assert "public_url" in str(refused.value)
