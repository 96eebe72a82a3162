"""The hall server's keyed API (the ASGI test client), on SQLite and PostgreSQL: taking tickets,
acting at a window, the event feed; keys missing, wrong, revoked and without the scope; the
event log naming the key; and `mashangban apikey` (the key printed once, stored hashed)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from mashangban import app as cli
from models import settings
from models.apikeys import add_key, revoke_key
from models.clerks import staff
from models.clerks.staff import add_clerk
from models.errors import MashangbanError
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from server.app import ServerSettings, create_app
from server.limits import RateLimit, Refusals
from tests.conftest import NOW, PIN, open_window

runner = CliRunner()
SUNDAY = "2026-11-29T10:00:00+08:00"


@pytest.fixture(autouse=True)
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server acts at the tests' moment (a Wednesday morning, the hall open)."""
    monkeypatch.setenv(settings.NOW.name, NOW.isoformat())


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = create_app(
        ServerSettings(engine=engine, poll_seconds=0.05, lookups=RateLimit(burst=10_000))
    )
    with TestClient(app) as c:
        yield c


def key(engine: Engine, name: str, *scopes: str) -> dict[str, str]:
    """A new key's header (Bearer)."""
    _view, secret = add_key(engine, name=name, scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


def events(engine: Engine, kind: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text('SELECT "window", data FROM event WHERE kind = :k ORDER BY seq'), {"k": kind}
        ).all()
    return [{"window": w, **json.loads(d)} for w, d in rows]


def refused(response: object, status: int, key_: str) -> dict[str, str]:
    """The refusal in the command line's JSON shape, both languages."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == key_
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body  # type: ignore[no-any-return]


WRITES = [
    ("post", "/api/v1/tickets", {"queue": "M"}),
    ("post", "/api/v1/windows/18/call-next", None),
    ("post", "/api/v1/windows/18/recall", None),
    ("post", "/api/v1/windows/18/no-show", None),
    ("post", "/api/v1/windows/18/finish", None),
    ("get", "/api/v1/events?after=0", None),
]


def send(
    client: TestClient, method: str, url: str, body: object, headers: dict[str, str]
) -> object:
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, json=body, headers=headers)


# --- keys refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_every_keyed_route_refuses_a_missing_key(
    client: TestClient, method: str, url: str, body: object
) -> None:
    response = send(client, method, url, body, {})
    got = refused(response, 401, "api_key_missing")
    assert "需要 API 密钥" in got["message_zh"] and "an API key is needed" in got["message_en"]
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]


def test_a_wrong_key_is_refused_and_takes_nothing(client: TestClient, engine: Engine) -> None:
    key(engine, "kiosk2", "take")
    response = client.post(
        "/api/v1/tickets", json={"queue": "M"}, headers={"X-API-Key": "msb_not-the-key"}
    )
    got = refused(response, 401, "api_key_wrong")
    assert got["message_zh"] == "API 密钥不正确"
    assert events(engine, "issued") == []


def test_a_revoked_key_is_refused(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "kiosk2", "take")
    assert client.post("/api/v1/tickets", json={"queue": "M"}, headers=headers).status_code == 201
    revoke_key(engine, name="kiosk2")
    response = client.post("/api/v1/tickets", json={"queue": "M"}, headers=headers)
    got = refused(response, 401, "api_key_revoked")
    assert "kiosk2" in got["message_zh"] and "was revoked" in got["message_en"]


def test_a_key_for_window_18_may_not_act_at_window_19(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "button-18", "window:18")
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 19, clerk="1002")
    response = client.post("/api/v1/windows/19/call-next", headers=headers)
    got = refused(response, 403, "api_key_scope")
    assert "window:19" in got["message_zh"] and "button-18 may not do this" in got["message_en"]
    assert events(engine, "called") == []  # nothing was called
    # Nor take tickets or read the log.
    refused(client.post("/api/v1/tickets", json={"queue": "M"}, headers=headers), 403,
            "api_key_scope")  # fmt: skip
    refused(client.get("/api/v1/events", headers=headers), 403, "api_key_scope")


def all_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM event")).scalar_one())


def test_fifty_wrong_keys_write_nothing_to_the_log(client: TestClient, engine: Engine) -> None:
    """An attacker sending garbage keys gets the bilingual 401 and nothing else, and cannot
    write to the hall's event log: wrong keys are only counted."""
    key(engine, "kiosk2", "take")
    before = all_events(engine)
    for n in range(50):
        response = client.post(
            "/api/v1/tickets", json={"queue": "M"}, headers={"X-API-Key": f"msb_guess{n}"}
        )
        got = refused(response, 401, "api_key_wrong")
        assert set(got) == {"error", "message_zh", "message_en", "hint"} and not got["hint"]
    assert client.post("/api/v1/tickets", json={"queue": "M"}).status_code == 401  # no key
    assert all_events(engine) == before
    metrics = client.get("/metrics").text
    assert 'mashangban_api_refusals_total{reason="api_key_wrong"} 50.0' in metrics
    assert 'mashangban_api_refusals_total{reason="api_key_missing"} 1.0' in metrics


def test_a_known_keys_refusals_are_logged_once_a_minute_with_their_count(engine: Engine) -> None:
    clock = [1000.0]
    app = create_app(
        ServerSettings(engine=engine, poll_seconds=0.05, refusals=Refusals(clock=lambda: clock[0]))
    )
    revoked = key(engine, "kiosk2", "take")
    revoke_key(engine, name="kiosk2")
    button = key(engine, "button-18", "window:18")
    with TestClient(app) as client:
        for _ in range(3):
            refused(client.post("/api/v1/tickets", json={"queue": "M"}, headers=revoked), 401,
                    "api_key_revoked")  # fmt: skip
        refused(client.post("/api/v1/windows/19/finish", headers=button), 403, "api_key_scope")
        logged = events(engine, "api_refused")
        assert logged == [
            {"window": None, "name": "kiosk2", "need": "take", "route": "POST /api/v1/tickets",
             "reason": "api_key_revoked", "refused": 1},
            {"window": None, "name": "button-18", "need": "window:19",
             "route": "POST /api/v1/windows/19/finish", "reason": "api_key_scope", "refused": 1},
        ]  # fmt: skip
        clock[0] += 61  # a minute later, the next refusal counts the two held back
        client.post("/api/v1/tickets", json={"queue": "M"}, headers=revoked)
        logged = events(engine, "api_refused")
        assert len(logged) == 3 and logged[-1]["refused"] == 3
        assert logged[-1]["reason"] == "api_key_revoked"


def test_a_key_for_every_window_acts_at_any(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "leds", "window:*")
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 19, clerk="1002")
    response = client.post("/api/v1/windows/19/call-next", headers=headers)
    assert response.status_code == 200 and response.json()["window"] == 19


# --- taking a ticket -------------------------------------------------------------------------


def test_take_issues_a_ticket_and_the_log_names_the_key(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "wechat", "take")
    response = client.post("/api/v1/tickets", json={"item": "M01"}, headers=headers)
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["number"].startswith("M") and ticket["status"] == "waiting"
    assert ticket["queue"] == "M" and ticket["item"] == "M01"
    # The ticket is the hall's: its page and the read API know it.
    assert client.get(f"/api/v1/tickets/{ticket['token']}").json()["number"] == ticket["number"]
    issued = events(engine, "issued")
    assert [(e["number"], e["api_key"]) for e in issued] == [(ticket["number"], "wechat")]


def test_take_with_the_green_channel(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "wechat", "take")
    response = client.post(
        "/api/v1/tickets", json={"queue": "M", "priority": "green"}, headers=headers
    )
    assert response.status_code == 201 and response.json()["priority"] == "green"


def test_take_refusals_have_the_command_lines_keys(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = key(engine, "wechat", "take")
    got = refused(client.post("/api/v1/tickets", json={"queue": "Q"}, headers=headers), 404,
                  "unknown_queue")  # fmt: skip
    assert "Q" in got["message_en"]
    # Neither a queue nor an item: refused as `mashangban take` refuses it.
    refused(client.post("/api/v1/tickets", json={}, headers=headers), 409, "unknown_queue")
    got = refused(client.post("/api/v1/tickets", json={"queue": "M", "priority": "vip"},
                              headers=headers), 409, "bad_priority")  # fmt: skip
    assert (
        "优先类别不对" in got["message_zh"] and "unknown priority class: vip" in got["message_en"]
    )
    monkeypatch.setenv(settings.NOW.name, SUNDAY)  # the hall does not open on Sundays
    got = refused(client.post("/api/v1/tickets", json={"queue": "M"}, headers=headers), 409,
                  "hall_closed_day")  # fmt: skip
    assert "今天不办公" in got["message_zh"] and "closed today" in got["message_en"]
    assert events(engine, "issued") == []


# --- at a window -----------------------------------------------------------------------------


def test_a_call_button_calls_recalls_and_finishes(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "button-18", "window:18")
    first = take_ticket(engine, queue="M", now=NOW)
    second = take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    called = client.post("/api/v1/windows/18/call-next", headers=headers)
    assert called.status_code == 200
    assert (called.json()["number"], called.json()["status"]) == (first.number, "called")
    recalled = client.post("/api/v1/windows/18/recall", headers=headers)
    assert recalled.status_code == 200 and recalled.json()["number"] == first.number
    done = client.post("/api/v1/windows/18/finish", headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    # The 'next' key: finish the current one and call the next in one press.
    client.post("/api/v1/windows/18/call-next", headers=headers)
    nxt = client.post("/api/v1/windows/18/call-next?finish=true", headers=headers)
    assert nxt.status_code == 409 and nxt.json()["error"] == "nothing_waiting"
    assert events(engine, "finished")[-1]["number"] == second.number
    for kind in ("called", "recalled", "finished"):
        logged = events(engine, kind)
        assert logged and all(e["api_key"] == "button-18" for e in logged), kind
        assert all(e["window"] == 18 for e in logged)


def test_no_show_at_a_window(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "button-18", "window:18")
    mine = take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    response = client.post("/api/v1/windows/18/no-show", headers=headers)
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["status"]) == (mine.number, "missed")
    assert [e["api_key"] for e in events(engine, "missed")] == ["button-18"]
    assert [e.get("api_key") for e in events(engine, "called")] == [None]  # the clerk's call


@pytest.mark.parametrize("action", ["recall", "no-show", "finish"])
def test_a_window_with_no_one_at_it_refuses_in_both_languages(
    client: TestClient, engine: Engine, action: str
) -> None:
    headers = key(engine, "button-18", "window:18")
    open_window(engine, 18)
    got = refused(client.post(f"/api/v1/windows/18/{action}", headers=headers), 409,
                  "no_current")  # fmt: skip
    assert "18 号窗口当前没有号" in got["message_zh"] and "no current ticket" in got["message_en"]


def test_call_next_refusals(client: TestClient, engine: Engine) -> None:
    headers = key(engine, "leds", "window:*")
    take_ticket(engine, queue="M", now=NOW)
    got = refused(client.post("/api/v1/windows/18/call-next", headers=headers), 409, "no_clerk")
    assert "无人登录" in got["message_zh"] and "no clerk is logged in" in got["message_en"]
    refused(client.post("/api/v1/windows/998/call-next", headers=headers), 404, "unknown_window")
    refused(client.post("/api/v1/windows/5000/recall", headers=headers), 404, "unknown_window")
    open_window(engine, 21)  # serves F: nothing waits there
    refused(client.post("/api/v1/windows/21/call-next", headers=headers), 409, "nothing_waiting")


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/windows/eighteen/recall", None),
        ("post", "/api/v1/tickets", ["M"]),
        ("get", "/api/v1/events?after=-1", None),
        ("get", "/api/v1/events?limit=5000", None),
    ],
)
def test_a_request_the_api_cannot_read_is_refused_in_both_languages(
    client: TestClient, engine: Engine, method: str, url: str, body: object
) -> None:
    headers = key(engine, "all", "take", "read", "window:*")
    got = refused(send(client, method, url, body, headers), 422, "bad_request")
    assert got["message_zh"].startswith("请求无效") and "not valid" in got["message_en"]
    assert "Traceback" not in json.dumps(got)


# --- the event feed --------------------------------------------------------------------------


def test_the_event_feed_pages_from_a_given_number(client: TestClient, engine: Engine) -> None:
    headers = {"X-API-Key": add_key(engine, name="follower", scopes=["read"])[1]}
    start = client.get("/api/v1/events?after=0&limit=1000", headers=headers).json()["head"]
    tickets = [take_ticket(engine, queue="M", now=NOW) for _ in range(3)]
    page = client.get(f"/api/v1/events?after={start}&limit=2", headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert [e["kind"] for e in body["events"]] == ["issued", "issued"]
    assert [e["data"]["number"] for e in body["events"]] == [t.number for t in tickets[:2]]
    assert [e["seq"] for e in body["events"]] == [start + 1, start + 2]
    assert body["next_after"] == start + 2 and body["head"] == start + 3
    assert not {"hash", "prev_hash"} & set(body["events"][0])
    rest = client.get(f"/api/v1/events?after={body['next_after']}", headers=headers).json()
    assert [e["data"]["number"] for e in rest["events"]] == [tickets[2].number]
    empty = client.get(f"/api/v1/events?after={rest['next_after']}", headers=headers).json()
    assert empty["events"] == [] and empty["next_after"] == rest["next_after"]


def test_the_event_feed_shows_a_partner_no_staff_or_personal_data(
    client: TestClient, engine: Engine
) -> None:
    headers = key(engine, "follower", "read")
    start = client.get("/api/v1/events?after=0&limit=1000", headers=headers).json()["head"]
    add_clerk(engine, code="2001", name="赵敏", pin=PIN)
    with pytest.raises(MashangbanError):
        staff.login(engine, window=19, clerk="2001", pin="999999")  # a wrong PIN
    open_window(engine, 18, clerk="2001")
    staff.pause(engine, window=18, reason="教育培训 with 赵敏")
    staff.resume(engine, window=18)
    ticket = take_ticket(engine, queue="M", now=NOW)
    called = call_next(engine, window=18, now=NOW)
    body = client.get(f"/api/v1/events?after={start}", headers=headers).json()
    feed = body["events"]
    # Every event is listed (none seems lost) ...
    kinds = [e["kind"] for e in feed]
    assert kinds == ["clerk_added", "login_failed", "login", "paused", "resumed", "issued",
                     "called"]  # fmt: skip
    assert [e["seq"] for e in feed] == list(range(start + 1, start + 1 + len(feed)))
    # ... with the ticket and window facts ...
    by_kind = {e["kind"]: e for e in feed}
    assert by_kind["issued"]["data"]["number"] == ticket.number
    assert by_kind["called"]["data"]["number"] == called.number
    assert by_kind["called"]["window"] == 18 and by_kind["login"]["window"] == 18
    # ... and nothing about the staff: no name, no clerk number, no PIN attempt's details,
    # no pause reason.
    text_ = json.dumps(body, ensure_ascii=False)
    assert "赵敏" not in text_ and "2001" not in text_ and "教育培训" not in text_
    assert all("clerk_code" not in e for e in feed)
    assert by_kind["clerk_added"]["data"] == {} and by_kind["login_failed"]["data"] == {}
    # The log itself keeps them (for the hall's own audit).
    assert events(engine, "clerk_added")[-1]["name"] == "赵敏"


# --- the keys themselves ---------------------------------------------------------------------


def test_the_key_is_stored_only_as_a_keyed_hash(engine: Engine) -> None:
    _view, secret = add_key(engine, name="kiosk2", scopes=["take", "window:3"])
    assert secret.startswith("msb_") and len(secret) > 40
    with engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(text("SELECT * FROM api_key")).all()]
        log = [d for (d,) in conn.execute(text("SELECT data FROM event")).all()]
    assert len(rows) == 1
    assert not any(secret in cell or secret[4:] in cell for cell in rows[0])
    assert not any(secret[4:] in data for data in log)
    import hashlib

    assert hashlib.sha256(secret.encode()).hexdigest() not in rows[0]  # keyed, not a bare hash


def test_the_docs_show_the_keyed_routes_with_their_headers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s.get("name") for s in schemes.values()} >= {"X-API-Key"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    for path in ("/api/v1/tickets", "/api/v1/windows/{n}/call-next", "/api/v1/windows/{n}/recall",
                 "/api/v1/windows/{n}/no-show", "/api/v1/windows/{n}/finish"):  # fmt: skip
        assert spec["paths"][path]["post"]["security"], path
    assert spec["paths"]["/api/v1/events"]["get"]["security"]


# --- mashangban apikey -----------------------------------------------------------------------


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(cli, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


def test_apikey_add_prints_the_key_once_and_list_never_shows_it(
    db_url: str, client: TestClient
) -> None:
    out = run(db_url, "apikey", "add", "button-18", "--scope", "window:18", "--scope", "read")
    assert "已添加 API 密钥" in out and "button-18" in out and "read window:18" in out
    secret = next(line for line in out.splitlines() if line.startswith("msb_"))
    listed = run(db_url, "apikey", "list")
    assert "button-18" in listed and "window:18" in listed and secret not in listed
    assert secret[4:20] not in listed
    as_json = json.loads(run(db_url, "apikey", "list", "--json"))
    assert as_json[0]["name"] == "button-18" and as_json[0]["last_used_at"] is None
    assert secret[4:20] not in json.dumps(as_json)
    # The printed key works, and list says it was used.
    assert client.get("/api/v1/events", headers={"X-API-Key": secret}).status_code == 200
    used = json.loads(run(db_url, "apikey", "list", "--json"))[0]
    assert used["last_used_at"] is not None and used["revoked"] is False


def test_apikey_revoke(db_url: str, client: TestClient) -> None:
    out = run(db_url, "apikey", "add", "kiosk2", "--scope", "take", "--json")
    secret = json.loads(out)["key"]
    assert "已吊销 API 密钥" in run(db_url, "apikey", "revoke", "kiosk2")
    listed = json.loads(run(db_url, "apikey", "list", "--json"))
    assert listed[0]["revoked"] is True
    response = client.post("/api/v1/tickets", json={"queue": "M"}, headers={"X-API-Key": secret})
    assert response.status_code == 401
    again = run(db_url, "apikey", "revoke", "kiosk2", code=1)
    assert "已被吊销" in again and "revoked already" in again
    unknown = run(db_url, "apikey", "revoke", "nobody", code=1)
    assert "没有这个密钥" in unknown and "no API key named nobody" in unknown


@pytest.mark.parametrize("scope", ["window:19x", "admin", "window:0", ""])
def test_apikey_add_refuses_a_bad_scope_in_both_languages(db_url: str, scope: str) -> None:
    out = run(db_url, "apikey", "add", "x", "--scope", scope, code=1)
    assert "无效的权限范围" in out and "not a scope" in out
    assert json.loads(run(db_url, "apikey", "list", "--json")) == []


def test_apikey_add_refuses_a_taken_or_bad_name(db_url: str) -> None:
    run(db_url, "apikey", "add", "kiosk2", "--scope", "take")
    out = run(db_url, "apikey", "add", "kiosk2", "--scope", "read", code=1)
    assert "密钥名称已被使用" in out and "the key name kiosk2 is taken" in out
    out = run(db_url, "apikey", "add", "bad name!", "--scope", "read", code=1)
    assert "密钥名称须为" in out and "a key name must be" in out
