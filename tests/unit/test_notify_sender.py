"""The sender against a local gateway that fails, hangs and answers slowly: every message is
delivered once, signed; no gateway keeps messages held; failed ones can be sent again."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models.db import reading, writing
from models.notify.outbox import enqueue
from models.notify.sender import list_messages, retry_messages, run_sender
from models.notify.webhook import sign, verify, webhook_secret
from models.tables import OutboxMessage
from tests.conftest import NOW
from tests.support.hall_file import reload_hall
from tests.support.waiting import wait_for
from tests.support.webhook_receiver import webhook_receiver

MOBILE = "13812341234"


def write_messages(engine: Engine, count: int) -> list[int]:
    ids = []
    with writing(engine) as session:
        for n in range(count):
            number = f"M{n + 1:03d}"
            found = enqueue(
                session,
                kind="called",
                data={"number": number, "window": 18},
                recipient=MOBILE,
                now=NOW,
            )
            assert found is not None
            ids.append(found)
    return ids


def states(engine: Engine) -> dict[int, str]:
    with reading(engine) as session:
        return {r.id: r.state for r in session.exec(select(OutboxMessage)).all() if r.id}


@pytest.fixture
def secret() -> str:
    return webhook_secret()


def sender_thread(engine: Engine, stop: threading.Event, owner: str) -> threading.Thread:
    thread = threading.Thread(
        target=run_sender, args=(engine,), kwargs={"poll_s": 0.05, "stop": stop, "owner": owner}
    )
    thread.start()
    return thread


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_every_message_arrives_once_through_failures_hangs_and_slow_answers(
    engine: Engine, secret: str, stop: threading.Event
) -> None:
    def plan(key: str, seen: int) -> str:
        n = int(key.rsplit("-", 1)[1]) % 4
        if n == 1 and seen < 2:
            return "fail"
        if n == 2 and seen < 1:
            return "hang"
        return "slow" if n == 3 else "ok"

    ids = write_messages(engine, 8)
    with webhook_receiver(secret, plan) as receiver:
        reload_hall(engine, notify_webhook_url=receiver.url, notify_timeout_s=1,
                    notify_backoff_s=0.05)  # fmt: skip
        thread = sender_thread(engine, stop, "one")
        wait_for(lambda: len(receiver.delivered) == len(ids), "every message delivered")
        wait_for(lambda: set(states(engine).values()) == {"sent"}, "every message marked sent")
        stop.set()
        thread.join(30)
    assert sorted(receiver.deliveries.values()) == [1] * len(ids)
    assert receiver.bad_signatures == 0
    failed_twice = [k for k in receiver.posts if int(k.rsplit("-", 1)[1]) % 4 == 1]
    assert failed_twice and all(receiver.posts[k] == 3 for k in failed_twice)
    body = next(iter(receiver.delivered.values()))
    assert body["to"] == MOBILE and body["kind"] == "called"
    assert "号窗口" in body["text_zh"] and "window 18" in body["text_en"]
    assert body["text_en"].startswith("[Jinan Government Service Center]")
    # Sent: the number is no longer kept in clear.
    assert {m.recipient for m in list_messages(engine)} == {"138****1234"}
    with reading(engine) as session:
        assert MOBILE not in {r.recipient for r in session.exec(select(OutboxMessage)).all()}


def test_two_senders_at_once_post_each_message_once(
    engine: Engine, secret: str, stop: threading.Event
) -> None:
    ids = write_messages(engine, 20)
    with webhook_receiver(secret) as receiver:
        reload_hall(engine, notify_webhook_url=receiver.url)
        threads = [sender_thread(engine, stop, owner) for owner in ("one", "two")]
        wait_for(lambda: set(states(engine).values()) == {"sent"}, "every message sent")
        stop.set()
        for thread in threads:
            thread.join(30)
    assert len(receiver.posts) == len(ids)
    assert set(receiver.posts.values()) == {1}  # no message posted twice


def test_without_a_gateway_messages_are_held_then_sent_once_one_is_set(
    engine: Engine, secret: str
) -> None:
    ids = write_messages(engine, 3)
    tally = run_sender(engine, once=True)
    assert (tally.held, tally.sent, tally.failed) == (1, 0, 0)  # one pass holds them all
    assert set(states(engine).values()) == {"held"}
    with webhook_receiver(secret) as receiver:
        reload_hall(engine, notify_webhook_url=receiver.url)
        assert run_sender(engine, once=True).sent == 0  # held stay held until asked
        assert retry_messages(engine, held=True) == len(ids)
        assert run_sender(engine, once=True).sent == len(ids)
        assert len(receiver.delivered) == len(ids)


def test_a_message_the_gateway_keeps_refusing_fails_and_can_be_retried(
    engine: Engine, secret: str
) -> None:
    (only,) = write_messages(engine, 1)
    refusing = True
    with webhook_receiver(secret, lambda _k, _n: "fail" if refusing else "ok") as receiver:
        reload_hall(engine, notify_webhook_url=receiver.url, notify_max_attempts=3,
                    notify_backoff_s=0.01)  # fmt: skip
        wait_for(lambda: run_sender(engine, once=True).failed, "the message failed")
        assert states(engine) == {only: "failed"}
        failed = list_messages(engine, state="failed")
        assert [(m.attempts, m.last_error) for m in failed] == [(3, "HTTP 500")]
        refusing = False
        assert retry_messages(engine, failed=True) == 1
        assert run_sender(engine, once=True).sent == 1
        assert len(receiver.delivered) == 1


def test_the_signature_verifies_by_the_documented_recipe_and_a_tampered_body_fails() -> None:
    import hashlib
    import hmac

    secret = webhook_secret()
    body = json.dumps({"id": "x-1", "to": MOBILE}).encode()
    header = sign(secret, "1780000000", body)
    by_hand = hmac.new(secret.encode(), b"1780000000." + body, hashlib.sha256).hexdigest()
    assert header == "v1=" + by_hand
    assert verify(secret, "1780000000", body, header)
    assert not verify(secret, "1780000000", body.replace(b"1381", b"1391"), header)
    assert not verify(secret, "1780000001", body, header)
    assert len(secret) == 64
