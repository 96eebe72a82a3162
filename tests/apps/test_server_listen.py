"""The hall server's change watcher: LISTEN/NOTIFY on PostgreSQL, polling on SQLite and while
PostgreSQL's listening connection is down."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import Engine

from models import settings
from models.queue.tickets import take_ticket
from server import hub as hub_module
from server.hub import Hub
from tests.conftest import NOW
from tests.support.waiting import WAIT_S

NEVER = 3600.0
"""A polling interval no test waits out: a change seen sooner was not found by polling."""


@pytest.fixture(autouse=True)
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.NOW.name, NOW.isoformat())


async def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S:g}s for {what}")
        await asyncio.sleep(0.05)


async def _seconds_to_see_a_take(hub: Hub, engine: Engine) -> float:
    """Seconds from a ticket taken (by another thread, as another process would) until the
    hub's generation moved."""
    generation = hub.generation
    began = time.monotonic()
    await asyncio.to_thread(take_ticket, engine, queue="M", now=NOW)
    assert await hub.changed(generation, timeout=WAIT_S), "the hub never saw the change"
    return time.monotonic() - began


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_change_wakes_the_server_at_once_without_polling(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "LISTEN_SAFETY_SECONDS", NEVER)

    async def scenario() -> list[float]:
        hub = Hub(engine, seconds=0.05)
        await hub.start()
        try:
            await _until(lambda: hub.listening, "the hub to listen")
            return [await _seconds_to_see_a_take(hub, engine) for _ in range(3)]
        finally:
            await hub.stop()

    seen = asyncio.run(scenario())
    assert max(seen) < 5, seen  # polling alone would take an hour


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_postgresql_the_server_polls_while_it_cannot_listen(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "LISTEN_SAFETY_SECONDS", NEVER)
    made = hub_module.Listener.__init__

    def unreachable(self: hub_module.Listener, *args: object) -> None:
        made(self, *args)  # type: ignore[arg-type]
        self.url = "postgresql://nobody@127.0.0.1:1/nothing"  # nothing listens on port 1

    monkeypatch.setattr(hub_module.Listener, "__init__", unreachable)

    async def scenario() -> tuple[bool, float]:
        hub = Hub(engine, seconds=0.1)
        await hub.start()
        try:
            assert hub.listener is not None
            return hub.listening, await _seconds_to_see_a_take(hub, engine)
        finally:
            await hub.stop()

    listening, seconds = asyncio.run(scenario())
    assert not listening and seconds < WAIT_S


def test_on_sqlite_the_server_polls_the_change_mark(lite: Engine) -> None:
    async def scenario() -> tuple[object, float]:
        hub = Hub(lite, seconds=0.1)
        await hub.start()
        try:
            return hub.listener, await _seconds_to_see_a_take(hub, lite)
        finally:
            await hub.stop()

    listener, seconds = asyncio.run(scenario())
    assert listener is None and seconds < WAIT_S


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_write_that_rolls_back_wakes_nobody(engine: Engine) -> None:
    """NOTIFY is part of the write's transaction: a refused take notifies nothing."""
    import psycopg

    from models.errors import MashangbanError

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listening:
        listening.execute("LISTEN mashangban_change")
        take_ticket(engine, queue="M", now=NOW)
        assert len(list(listening.notifies(timeout=WAIT_S, stop_after=1))) == 1
        with pytest.raises(MashangbanError):
            take_ticket(engine, queue="M", item="NOPE", now=NOW)
        assert list(listening.notifies(timeout=1.0)) == []
