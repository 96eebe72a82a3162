"""Booking on the hall server (the ASGI test client), on SQLite and PostgreSQL: the citizen's
phone pages (item → day → slot → form → the booking's page, its QR, cancelling) with every
refusal on the form in both languages, the signed forms and the per-client limit; the partner
API (scope ``book``) with its keys refused; and no name or mobile number in full anywhere."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from mashangban import app as cli
from models import settings
from models.apikeys import add_key, revoke_key
from models.queue.appointments import check_in
from models.queue.booking import book, find_booking
from server.app import ServerSettings, create_app
from server.booking import qr_svg
from server.forms import FORM_SECONDS
from server.limits import RateLimit
from tests.conftest import CST, NOW

DAY = "2026-11-26"  # the Thursday after NOW: the first bookable day
SLOT = "09:00"
NAME, MOBILE, ID_NUMBER = "张三丰", "13812345678", "11010519491231002X"
PAGE_BUDGET = 30 * 1024


@pytest.fixture(autouse=True)
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server acts at the tests' moment (a Wednesday morning)."""
    monkeypatch.setenv(settings.NOW.name, NOW.isoformat())


def make_client(engine: Engine, **changes: object) -> TestClient:
    options: dict[str, object] = {
        "engine": engine,
        "poll_seconds": 0.05,
        "lookups": RateLimit(burst=10_000),
        "bookings": RateLimit(burst=10_000),
    }
    options.update(changes)
    return TestClient(create_app(ServerSettings(**options)))  # type: ignore[arg-type]


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as c:
        yield c


def text_of(html: str) -> str:
    """The page as read: the QR's drawing, tags and repeated spaces gone."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form_token(html: str) -> str:
    found = re.search(r'name="form" value="([^"]+)"', html)
    assert found, "no signed form on the page"
    return found.group(1)


def post_booking(
    client: TestClient,
    *,
    item: str = "M05",
    day: str = DAY,
    start: str = SLOT,
    name: str = NAME,
    mobile: str = MOBILE,
    form: str | None = None,
    **extra: str,
) -> object:
    """The slot page read, then its form sent as a phone sends it (no redirect followed)."""
    if form is None:
        form = form_token(client.get(f"/book/{item}/{day}").text)
    fields = {"form": form, "start": start, "name": name, "mobile": mobile, **extra}
    return client.post(f"/book/{item}/{day}", data=fields, follow_redirects=False)


def booked_token(response: object) -> str:
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    found = re.match(r"^/b/([\w-]+)\?made=1", location)
    assert found, location
    return found.group(1)


def events(engine: Engine, kind: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT data FROM event WHERE kind = :k ORDER BY seq"), {"k": kind}
        ).all()
    return [json.loads(d) for (d,) in rows]


def no_personal_data(body: str) -> None:
    assert NAME not in body and MOBILE not in body and ID_NUMBER not in body
    assert MOBILE[3:7] not in body  # not even the masked middle


def fill(engine: Engine, start: str = SLOT, places: int = 4) -> None:
    """Book every place of the slot (other people)."""
    for n in range(places):
        book(engine, item_code="M05", day=dt.date(2026, 11, 26),
             start=dt.time.fromisoformat(start), name="李四", mobile=f"1390000000{n}",
             channel="web", now=NOW)  # fmt: skip


# --- the citizen's pages ---------------------------------------------------------------------


def test_the_front_page_leads_to_booking(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/book"' in page.text and "网上预约" in page.text
    assert "Book an appointment" in page.text


def test_a_citizen_books_item_day_and_slot_and_gets_the_code_and_qr(
    client: TestClient, engine: Engine
) -> None:
    items = client.get("/book")
    assert items.status_code == 200
    said = text_of(items.text)
    assert "市国土资源局" in said and "M05 抵押登记信息查询" in said
    assert 'href="/book/M05"' in items.text
    days = client.get("/book/M05")
    assert "11月26日 星期四" in text_of(days.text) and "Thu 26 Nov" in text_of(days.text)
    assert f'href="/book/M05/{DAY}"' in days.text
    assert 'href="/book/M05/2026-11-28"' not in days.text  # a Saturday
    slots = client.get(f"/book/M05/{DAY}")
    said = text_of(slots.text)
    assert "09:00–09:15 余 4 个 4 left" in said
    token = booked_token(post_booking(client, id_number=ID_NUMBER))
    page = client.get(f"/b/{token}?made=1")
    assert page.status_code == 200
    said = text_of(page.text)
    found = find_booking(engine, token=token)
    assert "预约成功 · Booked" in said
    assert f"预约码 Booking code {found.code}" in said
    assert "11月26日 星期四 09:00–09:15" in said and "签到时间 08:30–09:15" in said
    assert "张*丰 · 138****5678" in said
    assert "可在 2026-11-26 07:00 前取消" in said
    # The QR carries the booking code alone (what the kiosk's scanner reads).
    assert qr_svg(f"MSB:B:{found.code}") in page.text
    assert found.channel == "web" and found.status == "booked"
    no_personal_data(page.text)
    assert len(page.content) + len(client.get("/static/site.css").content) < PAGE_BUDGET
    # The slot has one place fewer.
    assert "09:00–09:15 余 3 个 3 left" in text_of(client.get(f"/book/M05/{DAY}").text)
    # The log says what was booked, never by whom in full.
    [event] = events(engine, "booked")
    assert event["code"] == found.code and event["channel"] == "web"
    no_personal_data(json.dumps(event, ensure_ascii=False))


def test_the_pages_work_without_a_script(client: TestClient) -> None:
    """Plain links and forms: no script on the booking pages, the form posts itself."""
    for url in ("/", "/book", "/book/M05", f"/book/M05/{DAY}"):
        page = client.get(url)
        assert "<script" not in page.text, url
        assert "http://" not in page.text and "https://" not in page.text.replace(
            "http://www.w3.org/2000/svg", ""
        ), url  # nothing from elsewhere
    form = client.get(f"/book/M05/{DAY}").text
    assert f'<form method="post" action="/book/M05/{DAY}"' in form
    # The page's own post carries its origin (under the ticket page's no-referrer policy a
    # browser sends "Origin: null", and chromium's posts were refused as foreign).
    assert '<meta name="referrer" content="same-origin">' in form
    token = booked_token(post_booking(client))
    assert "<script" not in client.get(f"/b/{token}").text


@pytest.mark.parametrize(
    ("fields", "status", "zh", "en"),
    [
        ({"mobile": "12345"}, 422, "请填写正确的 11 位手机号码", "valid 11-digit mainland mobile"),
        ({"name": ""}, 422, "请填写姓名", "please give your name"),
        ({"start": ""}, 422, "请选择一个时段", "please choose a slot"),
        ({"start": "09:05"}, 409, "09:05 不是预约时段", "09:05 is not a booking slot"),
        ({"id_number": "123"}, 422, "身份证号码不正确", "not a valid resident ID number"),
    ],
)
def test_bad_input_is_refused_on_the_form_in_both_languages(
    client: TestClient, engine: Engine, fields: dict[str, str], status: int, zh: str, en: str
) -> None:
    response = post_booking(client, **fields)
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    said = text_of(response.text)  # type: ignore[attr-defined]
    assert zh in said and en in said
    assert 'name="form"' in response.text  # type: ignore[attr-defined]  # the form again
    assert events(engine, "booked") == []


def test_a_full_slot_is_shown_full_and_refused(client: TestClient, engine: Engine) -> None:
    fill(engine)
    page = client.get(f"/book/M05/{DAY}").text
    assert "09:00–09:15 已约满 full" in text_of(page)
    assert re.search(r'value="09:00" required disabled', page)
    response = post_booking(client)
    assert response.status_code == 409
    said = text_of(response.text)  # type: ignore[attr-defined]
    assert "2026-11-26 09:00 的时段已约满" in said and "is fully booked" in said


def test_one_booking_per_person_per_item_and_day(client: TestClient) -> None:
    booked_token(post_booking(client))
    response = post_booking(client, start="10:00")
    assert response.status_code == 409
    said = text_of(response.text)  # type: ignore[attr-defined]
    assert "每人每天最多预约 1 次" in said and "at most 1 booking(s)" in said


def test_a_day_that_cannot_be_booked_says_why(client: TestClient, engine: Engine) -> None:
    saturday = client.get("/book/M05/2026-11-28")
    assert saturday.status_code == 409
    assert "不是工作日" in saturday.text and "not a working day" in saturday.text
    today = client.get("/book/M05/2026-11-25")
    assert today.status_code == 409 and "太近" in today.text and "too soon" in today.text
    assert client.get("/book/M05/2026-12-31").status_code == 409  # too far
    assert client.get("/book/M05/someday").status_code == 404
    unknown = client.get("/book/ZZ9")
    assert unknown.status_code == 404
    # A post for a day that cannot be booked is refused the same way, and books nothing.
    response = post_booking(client, day="2026-11-28", form="1.x")
    assert response.status_code == 409 and "not a working day" in response.text  # type: ignore[attr-defined]
    assert events(engine, "booked") == []


def test_a_form_not_signed_here_for_this_day_is_refused(client: TestClient, engine: Engine) -> None:
    forged = post_booking(client, form="1700000000.0123456789abcdef0123456789abcdef")
    assert forged.status_code == 403
    assert "页面已过期" in forged.text and "this page has expired" in forged.text
    # A form signed for another day books nothing on this one.
    other = form_token(client.get("/book/M05/2026-11-27").text)
    assert post_booking(client, form=other).status_code == 403
    # A form from another site is refused, signed or not.
    form = form_token(client.get(f"/book/M05/{DAY}").text)
    response = client.post(
        f"/book/M05/{DAY}",
        data={"form": form, "start": SLOT, "name": NAME, "mobile": MOBILE},
        headers={"Origin": "https://elsewhere.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "请在本大厅的预约页面上提交" in response.text
    assert events(engine, "booked") == []
    # The same form from the hall's own page books.
    response = client.post(
        f"/book/M05/{DAY}",
        data={"form": form, "start": SLOT, "name": NAME, "mobile": MOBILE},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    booked_token(response)


def test_an_old_form_is_refused(engine: Engine) -> None:
    with make_client(engine) as client:
        signer = client.app.state.settings.forms  # type: ignore[attr-defined]
        form = form_token(client.get(f"/book/M05/{DAY}").text)
        real = signer.clock
        signer.clock = lambda: real() + FORM_SECONDS + 60
        response = post_booking(client, form=form)
        assert response.status_code == 403 and "页面已过期" in response.text


def test_posts_are_limited_per_client(engine: Engine) -> None:
    with make_client(engine, bookings=RateLimit(burst=2, per_second=0.001)) as client:
        assert post_booking(client, mobile="12").status_code == 422
        assert post_booking(client, mobile="12").status_code == 422
        third = post_booking(client)
        assert third.status_code == 429
        assert int(third.headers["retry-after"]) > 0  # type: ignore[attr-defined]
        assert "提交过于频繁" in third.text and "too many attempts" in third.text
    assert events(engine, "booked") == []


# --- the booking's page ----------------------------------------------------------------------


def test_cancel_on_the_booking_page(client: TestClient, engine: Engine) -> None:
    token = booked_token(post_booking(client))
    page = client.get(f"/b/{token}").text
    form = form_token(page)
    # Not ticked: nothing cancelled, said why.
    unsure = client.post(f"/b/{token}/cancel", data={"form": form}, follow_redirects=False)
    assert unsure.status_code == 422 and "请先勾选" in unsure.text
    assert find_booking(engine, token=token).status == "booked"
    done = client.post(
        f"/b/{token}/cancel", data={"form": form, "sure": "1"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/b/{token}?cancelled=1"
    said = text_of(client.get(done.headers["location"]).text)
    assert "预约已取消 · Your booking is cancelled" in said and "已取消 cancelled" in said
    assert "Cancel the booking" not in said  # no cancel form any more
    assert "09:00–09:15 余 4 个" in text_of(client.get(f"/book/M05/{DAY}").text)
    again = client.post(f"/b/{token}/cancel", data={"form": form, "sure": "1"})
    assert again.status_code == 409 and "该预约已取消" in again.text
    # A cancel form signed for another booking cancels nothing.
    other = booked_token(post_booking(client, mobile="13900000009"))
    wrong = client.post(f"/b/{other}/cancel", data={"form": form, "sure": "1"})
    assert wrong.status_code == 403 and find_booking(engine, token=other).status == "booked"


def test_cancel_is_refused_after_the_deadline_clearly(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = booked_token(post_booking(client))
    form = form_token(client.get(f"/b/{token}").text)
    monkeypatch.setenv(settings.NOW.name, "2026-11-26T07:01:00+08:00")  # 2 h before, and 1 min
    said = text_of(client.get(f"/b/{token}").text)
    assert "已过取消时限（2026-11-26 07:00），不能再取消" in said
    assert "can no longer be cancelled" in said
    assert "确定取消此预约" not in said
    response = client.post(f"/b/{token}/cancel", data={"form": form, "sure": "1"})
    assert response.status_code == 409
    assert "已过取消时限" in response.text and "time to cancel has passed" in response.text
    assert find_booking(engine, token=token).status == "booked"


def test_the_page_of_a_booking_checked_in_names_the_ticket(
    client: TestClient, engine: Engine
) -> None:
    token = booked_token(post_booking(client))
    code = find_booking(engine, token=token).code
    ticket = check_in(engine, code=code, now=dt.datetime(2026, 11, 26, 8, 50, tzinfo=CST))
    said = text_of(client.get(f"/b/{token}").text)
    assert "已签到 checked in" in said and f"取得号码 {ticket.number}" in said
    assert "Cancel the booking" not in said and "<svg" not in client.get(f"/b/{token}").text


def test_an_unknown_booking_is_a_friendly_404_and_guessing_is_slow(engine: Engine) -> None:
    with make_client(engine, lookups=RateLimit(burst=2, per_second=0.001)) as client:
        missing = client.get("/b/not-a-real-token")
        assert missing.status_code == 404
        assert "找不到预约" in missing.text and "booking not found" in missing.text
        client.get("/b/another-guess")
        assert client.get("/b/third-guess").status_code == 429


# --- the partner API -------------------------------------------------------------------------


def key(engine: Engine, name: str, *scopes: str) -> dict[str, str]:
    _view, secret = add_key(engine, name=name, scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


def refused(response: object, status: int, key_: str) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == key_
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body  # type: ignore[no-any-return]


BODY = {"item": "M05", "day": DAY, "start": SLOT, "name": NAME, "mobile": MOBILE}
ROUTES = [
    ("get", "/api/v1/booking/items", None),
    ("get", "/api/v1/booking/days?item=M05", None),
    ("get", f"/api/v1/booking/slots?item=M05&day={DAY}", None),
    ("post", "/api/v1/bookings", BODY),
    ("get", "/api/v1/bookings/sometoken", None),
    ("delete", "/api/v1/bookings/sometoken", None),
    ("post", "/api/v1/bookings/sometoken/cancel", None),
]


def send(
    client: TestClient, method: str, url: str, body: object, headers: dict[str, str]
) -> object:
    if method == "post":
        return client.post(url, json=body, headers=headers)
    return client.request(method.upper(), url, headers=headers)


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_booking_route_needs_a_book_key(
    client: TestClient, engine: Engine, method: str, url: str, body: object
) -> None:
    refused(send(client, method, url, body, {}), 401, "api_key_missing")
    refused(send(client, method, url, body, {"X-API-Key": "msb_wrong"}), 401, "api_key_wrong")
    take = key(engine, "kiosk2", "take", "read")
    got = refused(send(client, method, url, body, take), 403, "api_key_scope")
    assert "book" in got["message_zh"]
    revoked = key(engine, "old", "book")
    revoke_key(engine, name="old")
    refused(send(client, method, url, body, revoked), 401, "api_key_revoked")
    assert events(engine, "booked") == []


def test_a_partner_books_looks_up_and_cancels(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mashangban.server.booking")
    headers = key(engine, "wechat", "book")
    items = client.get("/api/v1/booking/items", headers=headers).json()
    first = items["departments"][0]
    assert first["name_zh"] == "市国土资源局" and "M05" in [i["code"] for i in first["items"]]
    days = client.get("/api/v1/booking/days?item=m05", headers=headers).json()
    assert days["days"][0] == DAY and "2026-11-28" not in days["days"]
    slots = client.get(f"/api/v1/booking/slots?item=M05&day={DAY}", headers=headers).json()
    nine = next(s for s in slots["slots"] if s["start"] == SLOT)
    assert nine == {"start": "09:00", "end": "09:15", "places": 4, "free": 4}
    made = client.post("/api/v1/bookings", json=BODY, headers=headers)
    assert made.status_code == 201, made.text
    booking = made.json()
    assert booking["qr_text"] == f"MSB:B:{booking['code']}"
    assert (booking["name_masked"], booking["mobile_masked"]) == ("张*丰", "138****5678")
    assert booking["channel"] == "api:wechat" and booking["status"] == "booked"
    assert booking["cancel_until"] == "2026-11-26T07:00+08:00"
    no_personal_data(made.text)
    # The log names the key.
    [event] = events(engine, "booked")
    assert event["api_key"] == "wechat" and event["channel"] == "api:wechat"
    # The citizen's page shows it too.
    assert booking["code"] in client.get(f"/b/{booking['token']}").text
    looked = client.get(f"/api/v1/bookings/{booking['token']}", headers=headers)
    assert looked.status_code == 200 and looked.json()["code"] == booking["code"]
    free = client.get(f"/api/v1/booking/slots?item=M05&day={DAY}", headers=headers).json()
    assert next(s for s in free["slots"] if s["start"] == SLOT)["free"] == 3
    gone = client.delete(f"/api/v1/bookings/{booking['token']}", headers=headers)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/bookings/{booking['token']}/cancel", headers=headers)
    refused(again, 409, "booking_cancel_again")
    [cancelled] = events(engine, "booking_cancelled")
    assert cancelled["api_key"] == "wechat"
    # Each use is logged with the key's name, and nothing personal.
    logged = [r.getMessage() for r in caplog.records if r.name == "mashangban.server.booking"]
    assert "booking api book by key wechat: 201" in logged
    assert "booking api cancel by key wechat: 409 booking_cancel_again" in logged
    assert len(logged) == 8
    no_personal_data("\n".join(logged))


def test_booking_refusals_through_the_api(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = key(engine, "hotline", "book")
    refused(client.get("/api/v1/bookings/no-such-token", headers=headers), 404,
            "booking_unknown")  # fmt: skip
    refused(client.post("/api/v1/bookings", json={**BODY, "item": "ZZ9"}, headers=headers),
            404, "unknown_item")  # fmt: skip
    refused(client.post("/api/v1/bookings", json={**BODY, "mobile": "123"}, headers=headers),
            409, "booking_bad_mobile")  # fmt: skip
    got = refused(client.post("/api/v1/bookings", json={**BODY, "day": "2026-11-28"},
                              headers=headers), 409, "booking_closed_day")  # fmt: skip
    assert "not a working day" in got["message_en"]
    refused(client.get("/api/v1/booking/slots?item=M05&day=2026-11-28", headers=headers), 409,
            "booking_closed_day")  # fmt: skip
    refused(client.post("/api/v1/bookings", json={"item": "M05"}, headers=headers), 422,
            "bad_request")  # fmt: skip
    fill(engine)
    got = refused(client.post("/api/v1/bookings", json=BODY, headers=headers), 409,
                  "booking_full")  # fmt: skip
    assert "fully booked" in got["message_en"]
    made = client.post("/api/v1/bookings", json={**BODY, "start": "10:00"}, headers=headers)
    assert made.status_code == 201
    refused(client.post("/api/v1/bookings", json={**BODY, "start": "10:15"}, headers=headers),
            409, "booking_limit")  # fmt: skip
    monkeypatch.setenv(settings.NOW.name, "2026-11-26T08:01:00+08:00")
    got = refused(client.delete(f"/api/v1/bookings/{made.json()['token']}", headers=headers),
                  409, "booking_cancel_closed")  # fmt: skip
    assert "2026-11-26 08:00" in got["message_zh"]


def test_the_docs_describe_the_booking_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert paths["/api/v1/bookings"]["post"]["security"]
    assert {"get", "delete"} <= set(paths["/api/v1/bookings/{token}"])
    assert "post" in paths["/api/v1/bookings/{token}/cancel"]
    assert "get" in paths["/api/v1/booking/slots"]
    assert "/book" not in paths and "/b/{token}" not in paths  # the pages are not the API


def test_apikey_add_with_the_book_scope(db_url: str, engine: Engine) -> None:
    result = CliRunner().invoke(cli, ["--db", db_url, "apikey", "add", "wechat", "--scope",
                                      "book", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    made = json.loads(result.stdout)
    assert made["scopes"] == ["book"]
    with make_client(engine) as client:
        answer = client.get("/api/v1/booking/items", headers={"X-API-Key": made["key"]})
        assert answer.status_code == 200


def test_no_shows_warn_on_the_booking_page_then_block_on_the_form(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.queue.bookingcare import mark_no_shows

    evening = dt.datetime(2026, 11, 26, 18, 0, tzinfo=CST)
    book(engine, item_code="M05", day=dt.date(2026, 11, 26), start=dt.time(9, 0), name=NAME,
         mobile=MOBILE, channel="web", now=NOW)  # fmt: skip
    assert mark_no_shows(engine, now=evening) == 1
    monkeypatch.setenv(settings.NOW.name, evening.isoformat())
    response = post_booking(client, day="2026-11-30")
    assert response.headers["location"].endswith("&warned=1")  # type: ignore[attr-defined]
    said = text_of(client.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    assert "预约成功" in said and "提醒：您 30 天内已爽约 1 次" in said
    assert "you missed 1 booking(s) within 30 days" in said
    # The second no-show blocks: the form says why and until when.
    later = dt.datetime(2026, 11, 30, 18, 0, tzinfo=CST)
    assert mark_no_shows(engine, now=later) == 1
    monkeypatch.setenv(settings.NOW.name, later.isoformat())
    blocked = post_booking(client, day="2026-12-02")
    assert blocked.status_code == 409
    said = text_of(blocked.text)  # type: ignore[attr-defined]
    assert "暂停网上预约至" in said and "booking is suspended until" in said
