"""`mashangban rectify list|close` as a supervisor and scripts use it: tables, JSON, refusals."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.ratings import rate
from tests.conftest import CST, NOW, open_window

runner = CliRunner()
LATER = dt.datetime(2026, 12, 17, 9, 0, tzinfo=CST)
"""The day after the first items' due date (2026-12-16)."""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)


def run(db: str, *args: str, code: int = 0) -> str:
    """Run a command; check the exit code; stdout (and stderr for a refusal)."""
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


def rated(engine: Engine, level: int, reason: str = "", *, at: dt.datetime = NOW) -> None:
    """A citizen served at window 18 rates the service."""
    take_ticket(engine, item="M05", now=at)
    call_next(engine, window=18, now=at)
    finish(engine, window=18, now=at)
    rate(engine, window=18, level=level, reason=reason, now=at)


@pytest.fixture
def hall(db_url: str) -> Iterator[str]:
    """Three ratings at window 18 today: 不满意 (M001), 非常满意, 非常不满意 (M003)."""
    engine = make_engine(db_url)
    open_window(engine, 18)
    rated(engine, 2, "等候时间长")
    rated(engine, 5)
    rated(engine, 1, "态度不好")
    engine.dispose()
    yield db_url


def test_list_shows_the_open_items_with_their_due_dates(hall: str) -> None:
    out = run(hall, "rectify", "list")
    assert "整改 Rectifications" in out
    assert "M001" in out and "M003" in out and "M002" not in out
    assert "2 不满意" in out and "1 非常不满意" in out and "等候时间长" in out
    assert out.count("2026-12-16") == 2 and "整改中" in out and "2 项 items" in out
    assert "逾期" not in out and "overdue" not in out


def test_json_has_the_documented_shape(hall: str) -> None:
    items = json.loads(run(hall, "rectify", "list", "--json"))
    assert [i["ticket"] for i in items] == ["M001", "M003"]
    first = items[0]
    assert first == {
        "id": first["id"],
        "rating_id": first["rating_id"],
        "ticket": "M001",
        "ticket_date": "2026-11-25",
        "window": 18,
        "clerk": "1001",
        "level": 2,
        "level_zh": "不满意",
        "reason": "等候时间长",
        "opened_at": "2026-11-25T10:00:00+08:00",
        "due_date": "2026-12-16",
        "provisional": False,
        "state": "open",
        "overdue": False,
        "days_overdue": 0,
        "closed_at": None,
        "closed_by": None,
        "note": "",
    }


def test_overdue_items_are_flagged_and_closing_takes_them_off(
    hall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", LATER.isoformat())
    out = run(hall, "rectify", "list", "--overdue")
    assert "逾期 1 天" in out and "2 项逾期 overdue" in out
    first, _ = json.loads(run(hall, "rectify", "list", "--overdue", "--json"))
    out = run(hall, "rectify", "close", str(first["id"]), "--by", "1003", "--note", "已约谈整改")
    assert f"整改项 {first['id']} 已关闭" in out and "M001" in out
    left = json.loads(run(hall, "rectify", "list", "--json"))
    assert [i["ticket"] for i in left] == ["M003"] and left[0]["overdue"]
    everything = json.loads(run(hall, "rectify", "list", "--all", "--json"))
    closed = everything[0]
    assert (closed["state"], closed["closed_by"], closed["note"]) == (
        "closed",
        "1003",
        "已约谈整改",
    )
    assert closed["closed_at"] == "2026-12-17T09:00:00+08:00" and not closed["overdue"]
    assert "已关闭" in run(hall, "rectify", "list", "--all")


def test_close_refuses_clearly(hall: str) -> None:
    items = json.loads(run(hall, "rectify", "list", "--json"))
    rid = str(items[0]["id"])
    err = run(hall, "rectify", "close", "999", "--by", "1001", "--note", "x", code=1)
    assert "没有这个整改项：999" in err and "no rectification item 999" in err
    err = run(hall, "rectify", "close", rid, "--by", "1001", "--note", " ", code=1)
    assert "整改情况" in err and "needs a note" in err
    err = run(hall, "rectify", "close", rid, "--by", "4242", "--note", "x", code=1)
    assert "unknown clerk: 4242" in err
    run(hall, "rectify", "close", rid, "--by", "1002", "--note", "已整改")
    err = run(hall, "rectify", "close", rid, "--by", "1002", "--note", "again", code=1)
    assert "已于 2026-11-25 10:00 由 1002 关闭" in err
    as_json = json.loads(
        run(hall, "rectify", "close", rid, "--by", "1", "--note", "y", "--json", code=1)
    )
    assert as_json["error"] == "rectification_closed"
    run(hall, "rectify", "close", "abc", "--by", "1001", "--note", "x", code=2)
    run(hall, "rectify", "close", rid, "--note", "x", code=2)  # --by is required


def test_a_provisional_due_date_is_marked(db_url: str) -> None:
    engine = make_engine(db_url)
    open_window(engine, 18)
    rated(engine, 1, "其他", at=dt.datetime(2026, 12, 16, 10, 0, tzinfo=CST))
    engine.dispose()
    out = run(db_url, "rectify", "list")
    assert "2027-01-06*" in out and "provisional" in out


def test_an_empty_list_says_so(db_url: str) -> None:
    assert "0 项 items" in run(db_url, "rectify", "list")
    assert json.loads(run(db_url, "rectify", "list", "--overdue", "--json")) == []
