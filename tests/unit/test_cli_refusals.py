"""Numbers and dates a command line can hold but the hall cannot: refused in both languages
with exit 1 (they were internal errors, exit 70, before)."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize(
    "args", [["status"], ["take", "M"], ["call", "--window", "18"]], ids=lambda v: v[0]
)
def test_a_command_on_a_missing_database_refuses_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    """Only init creates the database: a typo in --db used to leave an empty file (and its
    folder) behind, which the next init then took for the hall's database."""
    missing = tmp_path / "typo" / "hall.db"
    result = runner.invoke(app, ["--db", str(missing), *args])
    out = result.stdout + result.stderr
    assert result.exit_code == 1, out
    assert "找不到数据库" in out and "database not found" in out
    assert str(missing) in out and "mashangban init" in out
    assert "Traceback" not in out
    assert list(tmp_path.iterdir()) == []  # no file, no folder


def test_init_still_creates_the_database_it_is_given(tmp_path: Path) -> None:
    db = tmp_path / "new" / "hall.db"
    result = runner.invoke(app, ["--db", str(db), "init"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert runner.invoke(app, ["--db", str(db), "status"]).exit_code == 0
