"""``mashangban report``: the table, CSV and XLSX read back with their Chinese headers, refusals."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from tests.unit.test_reports import _day_in_the_hall

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Today is the day of the fixture (the default --from and --to), after it ended.
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T18:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)


@pytest.fixture
def db(db_url: str) -> str:
    engine: Engine = make_engine(db_url)
    try:
        _day_in_the_hall(engine)
    finally:
        engine.dispose()
    return db_url


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, "report", *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


def test_table_defaults_to_today_by_queue(db: str) -> None:
    out = run(db)
    assert "报表 Report 2026-11-25 – 2026-11-25" in out
    for header in ("取号", "issued", "未到率", "no-show %", "平均等候", "非常满意", "逾期"):
        assert header in out
    assert "M 马上办" in out and "A 不动产登记" in out and "合计" in out
    assert "25.0%" in out  # M's no-show rate: 1 of 4 called
    assert "每小时取号" not in out  # no chart unless asked for, or by hour/day


def test_by_hour_draws_the_chart(db: str) -> None:
    out = run(db, "--by", "hour")
    assert "09:00–10:00" in out and "每小时取号 Tickets per hour" in out
    assert "█" in out and " 7" in out


def test_chart_by_day_for_a_range(db: str) -> None:
    out = run(db, "--from", "2026-11-20", "--to", "2026-11-25", "--chart")
    assert "每日取号 Tickets per day" in out and "2026-11-25" in out


def test_csv_has_a_bom_and_chinese_headers(db: str, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "r.csv"
    run(db, "--by", "window", "--format", "csv", "--out", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["窗口 Window", "取号 issued", "叫号 called"]
    assert "平均等候(分) wait mean (min)" in rows[0]
    body = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(body) == ["1 号窗口", "18 号窗口", "（无）", "合计"]
    # M001-M003: A002, moved to M and finished here, was issued (and counted) at window 1
    assert body["18 号窗口"]["取号 issued"] == "3"
    assert body["18 号窗口"]["平均等候(分) wait mean (min)"] == "22.5"
    assert body["合计"]["未到率 no-show %"] == "28.6%"  # 2 of 7
    assert [p.name for p in target.parent.iterdir()] == ["r.csv"]  # no temporary file left


def test_csv_to_stdout(db: str) -> None:
    out = run(db, "--format", "csv")
    assert out.startswith("队列 Queue,取号 issued")
    assert out.splitlines()[-1].startswith("合计,7,7,4,2")


def test_xlsx_read_back(db: str, tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    run(db, "--by", "queue", "--format", "xlsx", "--out", str(target))
    book = load_workbook(target)
    sheet = book["报表 Report"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ["队列", "取号", "叫号", "办结"]
    assert values[1][:4] == ["Queue", "issued", "called", "served"]
    heads = values[0]
    a = dict(zip(heads, values[2], strict=True))
    m = dict(zip(heads, values[3], strict=True))
    total = dict(zip(heads, values[4], strict=True))
    assert (a["队列"], m["队列"], total["队列"]) == ("A 不动产登记", "M 马上办", "合计")
    assert (m["取号"], m["办结"], m["未到"]) == (3, 3, 1)
    assert m["未到率"] == pytest.approx(0.25)
    assert (m["平均等候(分)"], m["等候P90(分)"], m["最长等候(分)"]) == (22.5, 40, 40)
    assert (a["非常满意"], a["满意"], m["不满意"]) == (0, 1, 1)
    assert (total["限时办件"], total["按时办结"], total["逾期"]) == (5, 2, 1)  # made on 11-25
    assert len(values) == 5
    about = {row[0]: row[1] for row in book["说明 About"].iter_rows(values_only=True)}
    assert about["起始日期 from"] == "2026-11-25"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-13-01"], "日期格式不对"),
        (["--from", "2026-11-26", "--to", "2026-11-25"], "晚于"),
        (["--by", "month"], "不能按 month 分组"),
        (["--format", "pdf"], "不支持的格式"),
        (["--format", "xlsx"], "须用 --out"),
        (["--out", "x.txt"], "表格只显示在终端"),
        (["--format", "xlsx", "--out", "r.csv"], "xlsx 文件的名字应以 .xlsx 结尾"),
    ],
)
def test_refusals(db: str, args: list[str], words: str) -> None:
    out = run(db, *args, code=1)
    assert words in out


def test_unwritable_out_leaves_nothing(db: str, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "r.csv"
    out = run(db, "--format", "csv", "--out", str(target), code=1)
    assert "无法写入" in out and "cannot write" in out
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    assert "无法写入" in run(db, "--format", "xlsx", "--out", str(folder), code=1)
    old = tmp_path / "keep.xlsx"
    old.write_bytes(b"old")
    run(db, "--from", "bad", "--format", "xlsx", "--out", str(old), code=1)
    assert old.read_bytes() == b"old"


def test_the_out_files_name_picks_the_format(db: str, tmp_path: Path) -> None:
    run(db, "--out", str(tmp_path / "r.xlsx"))
    assert load_workbook(tmp_path / "r.xlsx")["报表 Report"]["A1"].value == "队列"
    run(db, "--out", str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf\xe9\x98\x9f")  # 队
