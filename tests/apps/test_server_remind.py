"""The ticket page's "near" notice and its "text me when my turn is near" form (ASGI client)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from models import settings
from models.db import reading
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.tables import OutboxMessage
from tests.apps.test_server_http import make_client
from tests.conftest import NOW, open_window


@pytest.fixture(autouse=True)
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.NOW.name, NOW.isoformat())


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as c:
        yield c


def test_the_page_says_almost_your_turn_once_three_or_fewer_are_ahead(
    engine: Engine, client: TestClient
) -> None:
    tickets = [take_ticket(engine, queue="M", now=NOW) for _ in range(5)]
    page = client.get(f"/t/{tickets[4].token}").text
    assert "前面还有 4 人" in page and "快到您了" not in page
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    page = client.get(f"/t/{tickets[4].token}").text
    assert "快到您了：前面还有 3 人" in page and "Almost your turn: 3 ahead of you" in page


def test_a_number_left_on_the_page_is_shown_masked_and_texted_when_near(
    engine: Engine, client: TestClient
) -> None:
    tickets = [take_ticket(engine, queue="M", now=NOW) for _ in range(6)]
    token = tickets[5].token
    page = client.get(f"/t/{token}").text
    assert "快到我时短信提醒" in page and "Text me when my turn is near" in page
    answer = client.post(f"/t/{token}/remind", data={"mobile": "13812341234"})
    assert answer.status_code == 200  # after the redirect: the ticket page again
    assert "138****1234" in answer.text and "13812341234" not in answer.text
    assert "this page holds no personal data" not in answer.text  # it shows part of a number
    bad = client.post(f"/t/{token}/remind", data={"mobile": "555"}, follow_redirects=False)
    assert bad.status_code == 400 and "11 位手机号码" in bad.text and "valid 11-digit" in bad.text
    open_window(engine, 18)
    for _ in range(2):
        call_next(engine, window=18, now=NOW)
        finish(engine, window=18, now=NOW)
    with reading(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert [(r.kind, r.recipient, json.loads(r.data)["ahead"]) for r in rows] == [
        ("turn_near", "13812341234", 3)
    ]
    stopped = client.post(f"/t/{token}/remind", data={"mobile": ""})
    assert "138****1234" not in stopped.text and "快到我时短信提醒" in stopped.text


def test_an_unknown_ticket_cannot_leave_a_number(client: TestClient) -> None:
    answer = client.post("/t/0123456789abcdef/remind", data={"mobile": "13812341234"})
    assert answer.status_code == 404
