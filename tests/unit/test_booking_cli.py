"""`mashangban appointments book|cancel|list|stats|remind|no-shows|erase` as staff use them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mashangban import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-12-07T10:30:00+08:00")  # a Monday


def run(db_url: str, *args: str, code: int = 0, now: str | None = None) -> str:
    env = {"MASHANGBAN_NOW": now} if now else None
    result = runner.invoke(app, ["--db", db_url, "appointments", *args], env=env)
    said = result.stdout + result.stderr
    assert result.exit_code == code, said
    return said


BOOK = ("book", "--item", "M01", "--day", "2026-12-08", "--start", "09:00", "--name", "张三丰")


def test_book_list_cancel_with_masked_personal_data(sqlite_url: str) -> None:
    made = json.loads(run(sqlite_url, *BOOK, "--mobile", "13812341234", "--json"))
    assert (made["name_masked"], made["mobile_masked"], made["status"]) == (
        "张*丰", "138****1234", "booked",
    )  # fmt: skip
    assert "token" not in made and made["qr_text"] == f"MSB:B:{made['code']}"
    listed = run(sqlite_url, "list", "--day", "2026-12-08")
    assert made["code"] in listed and "张*丰" in listed and "138****1234" in listed
    assert "张三丰" not in listed and "13812341234" not in listed
    again = run(sqlite_url, *BOOK, "--mobile", "13812341234", code=1)
    assert "每人每天最多预约 1 次" in again and "at most 1 booking(s)" in again
    assert "cancelled" in run(sqlite_url, "cancel", made["code"])
    late = run(sqlite_url, *BOOK, "--mobile", "139 1234 1234")
    assert "booked" in late
    code = late.split("booked: ")[1].split(" ")[0]
    refused = run(sqlite_url, "cancel", code, code=1, now="2026-12-08T07:30:00+08:00")
    assert "已过取消时限" in refused and "time to cancel has passed (2026-12-08 07:00)" in refused


def test_bad_input_is_refused_in_both_languages(sqlite_url: str) -> None:
    bad = run(sqlite_url, *BOOK, "--mobile", "555", code=1)
    assert "11 位手机号码" in bad and "valid 11-digit" in bad
    sunday = run(sqlite_url, "book", "--item", "M01", "--day", "2026-12-13", "--start", "09:00",
                 "--name", "李四", "--mobile", "13812341234", code=1)  # fmt: skip
    assert "不是工作日" in sunday and "not a working day" in sunday
    assert "unknown status" in run(sqlite_url, "list", "--status", "gone", code=1)


def test_stats_remind_no_shows_and_erase(sqlite_url: str) -> None:
    run(sqlite_url, *BOOK, "--mobile", "13812341234")
    assert json.loads(run(sqlite_url, "remind", "--json")) == {"reminders": 1}
    assert json.loads(run(sqlite_url, "remind", "--json")) == {"reminders": 0}
    evening = "2026-12-08T18:00:00+08:00"
    assert json.loads(run(sqlite_url, "no-shows", "--json", now=evening)) == {"no_shows": 1}
    stats = json.loads(run(sqlite_url, "stats", "--day", "2026-12-08", "--json", now=evening))
    assert stats["totals"] == {"booked": 0, "checked_in": 0, "cancelled": 0, "no_show": 1}
    assert stats["blocked"] == [] and stats["warned"] == 1
    shown = run(sqlite_url, "stats", "--day", "2026-12-08", now=evening)
    assert "09:00-09:15" in shown and "爽约" in shown
    erased = json.loads(run(sqlite_url, "erase", "--json", now="2027-01-08T03:00:00+08:00"))
    assert erased["bookings"] == 1
    assert "138****1234" not in run(sqlite_url, "list", "--day", "2026-12-08")
