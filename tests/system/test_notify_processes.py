"""Sender processes against a local gateway: two at once post each message once; one killed
with SIGKILL mid-run loses nothing, and the one started after it finishes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models.db import make_engine, reading, writing
from models.notify.outbox import enqueue
from models.notify.webhook import webhook_secret
from models.tables import OutboxMessage
from tests.conftest import NOW
from tests.support.hall_file import reload_hall
from tests.support.waiting import wait_for
from tests.support.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.slow

COUNT = 16


@pytest.fixture
def engine_of(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def senders() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)


def start_sender(db_url: str, started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("MASHANGBAN_NOW", "MASHANGBAN_DB")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mashangban", "--db", db_url, "notify", "send", "--poll", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    started.append(proc)
    return proc


def write_messages(engine: Engine) -> None:
    with writing(engine) as session:
        for n in range(COUNT):
            enqueue(
                session,
                kind="turn_near",
                data={"number": f"A{n + 1:03d}", "ahead": 3},
                recipient="13812341234",
                dedupe=f"turn_near:{n}",
                now=NOW,
            )


def all_sent(engine: Engine) -> bool:
    with reading(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    return len(rows) == COUNT and all(r.state == "sent" for r in rows)


def test_two_sender_processes_post_each_message_once(
    db_url: str, engine_of: Engine, senders: list[subprocess.Popen[bytes]]
) -> None:
    write_messages(engine_of)
    with webhook_receiver(webhook_secret(), lambda _k, _n: "slow") as receiver:
        reload_hall(engine_of, notify_webhook_url=receiver.url)
        for _ in range(2):
            start_sender(db_url, senders)
        wait_for(lambda: all_sent(engine_of), "every message sent", timeout=120)
    assert len(receiver.posts) == COUNT
    assert set(receiver.posts.values()) == {1}


def test_a_sender_killed_mid_run_loses_nothing(
    db_url: str, engine_of: Engine, senders: list[subprocess.Popen[bytes]]
) -> None:
    write_messages(engine_of)
    with webhook_receiver(webhook_secret(), lambda _k, _n: "slow") as receiver:
        reload_hall(engine_of, notify_webhook_url=receiver.url, notify_timeout_s=1)
        first = start_sender(db_url, senders)
        wait_for(lambda: sum(receiver.posts.values()) >= 4, "the first sender under way")
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        assert not all_sent(engine_of)
        start_sender(db_url, senders)
        wait_for(lambda: all_sent(engine_of), "the second sender finished", timeout=120)
    assert len(receiver.delivered) == COUNT
    assert set(receiver.deliveries.values()) == {1}  # the gateway honours the key
    # Only the message in hand at the kill can have been posted twice (same key).
    assert sum(receiver.posts.values()) <= COUNT + 1
