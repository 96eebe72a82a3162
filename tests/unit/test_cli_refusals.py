"""Numbers and dates a command line can hold but the hall cannot: refused in both languages
with exit 1 (they were internal errors, exit 70, before)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mashangban import app

runner = CliRunner()
HUGE = "99999999999999999999"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["call", "--window", HUGE], "--window 超出范围（1–999）", "--window is out of range"),
        (["call", "--window", "-1"], "超出范围", "out of range (1–999): -1"),
        (["login", "--window", HUGE, "--clerk", "1001", "--pin", "0000"], "超出范围", "--window"),
        (["transfer", "--window", "18", "--to-window", HUGE], "超出范围", "--to-window"),
        (["case", "pickup", "123456", "--window", HUGE], "超出范围", "--window"),
        (["print-jobs", "retry", HUGE], "ID 超出范围", "ID is out of range"),
        (["print-jobs", "list", "--limit", HUGE], "超出范围", "--limit"),
        (["rectify", "close", HUGE, "--by", "1001", "--note", "x"], "超出范围", "ID is out"),
        (
            ["printer", "render", "-n", "A001", "--date", "2026-02-30", "--out", "x.bin"],
            "日期格式不对：2026-02-30",
            "not a date: 2026-02-30",
        ),
        (["reprint", "-n", "A001", "--date", "0001-01-01"], "日期超出范围", "out of range"),
        (["report", "--from", "0001-01-01"], "日期超出范围", "(2000-01-01 to 2099-12-31)"),
        (["report", "--to", "9999-12-31"], "日期超出范围", "9999-12-31"),
        (["case", "list", "--from", "0001-01-01"], "日期超出范围", "0001-01-01"),
    ],
    ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else None,
)
def test_out_of_range_numbers_and_dates_are_refused(
    sqlite_url: str, args: list[str], zh: str, en: str
) -> None:
    result = runner.invoke(app, ["--db", sqlite_url, *args])
    out = result.stdout + result.stderr
    assert result.exit_code == 1, out
    assert zh in out and en in out
    assert "内部错误" not in out and "Traceback" not in out
