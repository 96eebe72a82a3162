"""`mashangban notify list|retry|secret` as an IT person and scripts use them: masked
recipients, clear refusals."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models.db import writing
from models.notify.outbox import enqueue
from models.notify.webhook import webhook_secret
from tests.conftest import NOW

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


def test_list_masks_the_recipient_and_retry_sends_held_ones_again(
    engine: Engine, db_url: str
) -> None:
    with writing(engine) as session:
        enqueue(session, kind="called", data={"number": "M001", "window": 18},
                recipient="13812341234", now=NOW)  # fmt: skip
    out = run(db_url, "notify", "send", "--once")  # no gateway in the shipped hall
    assert "held 1" in out
    table = run(db_url, "notify", "list")
    assert "138****1234" in table and "13812341234" not in table and "M001" in table
    listed = json.loads(run(db_url, "notify", "list", "--state", "held", "--json"))
    assert [(m["recipient"], m["state"], m["ticket"]) for m in listed] == [
        ("138****1234", "held", "M001")
    ]
    assert "1 " in run(db_url, "notify", "retry", "--held")
    assert json.loads(run(db_url, "notify", "list", "--state", "held", "--json")) == []


def test_retry_refuses_what_it_cannot_send_again(engine: Engine, db_url: str) -> None:
    with writing(engine) as session:
        enqueue(session, kind="called", data={"number": "M001", "window": 18}, now=NOW)
    assert "only failed or held" in run(db_url, "notify", "retry", "1", code=1)
    assert "no message 99" in run(db_url, "notify", "retry", "99", code=1)
    assert "--all-failed" in run(db_url, "notify", "retry", code=1)
    assert "no such message state" in run(db_url, "notify", "list", "--state", "lost", code=1)


def test_secret_prints_the_webhook_signing_secret(db_url: str) -> None:
    assert run(db_url, "notify", "secret").strip() == webhook_secret()
