"""Report columns and files: CSV (UTF-8 with a BOM, so Excel reads the Chinese) and XLSX.

Names come from people (a clerk's name, an item's): a text cell that would start a formula
gets a leading single quote and control characters are shown visibly
(:func:`models.textsafe.spreadsheet_text`); figures stay numbers.

A file is written to a temporary file beside the target and renamed over it at the end, so a
failed export leaves nothing half-written. openpyxl is imported only for XLSX.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from models.errors import Refused
from models.reports.report import LEVELS, Report, ReportRow
from models.text import reports
from models.textsafe import spreadsheet_text

if TYPE_CHECKING:
    from openpyxl import Workbook


@dataclass(frozen=True)
class Column:
    """One figure of a report row: headers in both languages, its value, and its kind."""

    zh: str
    en: str
    value: Callable[[ReportRow], Any]
    kind: str = "int"
    """int, minutes (a float, one decimal), whole minutes, or rate (a fraction, shown in %)."""

    def file_headers(self) -> tuple[str, str]:
        """Headers for files, where a time says its unit: 平均等候(分) / wait mean (min)."""
        if "minutes" in self.kind:
            return reports.zh("minutes", header=self.zh), reports.en("minutes", header=self.en)
        return self.zh, self.en


def _rating(level: int) -> Callable[[ReportRow], Any]:
    return lambda row: row.ratings[LEVELS.index(level)]


COLUMNS: list[Column] = [
    Column(*reports.pair("col_issued"), lambda r: r.issued),
    Column(*reports.pair("col_called"), lambda r: r.called),
    Column(*reports.pair("col_served"), lambda r: r.served),
    Column(*reports.pair("col_no_shows"), lambda r: r.no_shows),
    Column(*reports.pair("col_no_show_rate"), lambda r: r.no_show_rate, "rate"),
    Column(*reports.pair("col_expired"), lambda r: r.expired),
    Column(*reports.pair("col_wait_mean"), lambda r: r.wait_mean, "minutes"),
    Column(*reports.pair("col_wait_p90"), lambda r: r.wait_p90, "whole minutes"),
    Column(*reports.pair("col_wait_max"), lambda r: r.wait_max, "minutes"),
    Column(*reports.pair("col_wait_breaches"), lambda r: r.wait_breaches),
    Column(*reports.pair("col_service_mean"), lambda r: r.service_mean, "minutes"),
    Column(*reports.pair("col_service_p90"), lambda r: r.service_p90, "whole minutes"),
    Column(*reports.pair("col_service_max"), lambda r: r.service_max, "minutes"),
    Column(*reports.pair("col_service_breaches"), lambda r: r.service_breaches),
    *[Column(*reports.pair(f"col_rating_{lv}"), _rating(lv)) for lv in LEVELS],
    Column(*reports.pair("col_cases"), lambda r: r.cases),
    Column(*reports.pair("col_cases_on_time"), lambda r: r.cases_on_time),
    Column(*reports.pair("col_cases_overdue"), lambda r: r.cases_overdue),
]
"""Every figure, in the order of the files (the first column, the group, comes before)."""


def group_header(by: str) -> tuple[str, str]:
    """The first column's headers for a grouping."""
    return reports.pair(f"group_{by}")


def text(column: Column, row: ReportRow) -> str:
    """A figure as shown in a table or a CSV cell ("" when there is none)."""
    value = column.value(row)
    if value is None:
        return ""
    if column.kind == "rate":
        return f"{value * 100:.1f}%"
    if column.kind == "minutes":
        return f"{value:.1f}"
    return str(value)


def all_rows(report: Report) -> list[ReportRow]:
    """The rows then the totals."""
    return [*report.rows, report.total]


def csv_text(report: Report) -> str:
    """The report as CSV text: one header row (中文 English), the rows, the totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    zh, en = group_header(report.by)
    heads = [c.file_headers() for c in COLUMNS]
    writer.writerow([f"{zh} {en}", *(f"{h_zh} {h_en}" for h_zh, h_en in heads)])
    for row in all_rows(report):
        writer.writerow([spreadsheet_text(row.label_zh), *(text(c, row) for c in COLUMNS)])
    return out.getvalue()


@contextmanager
def atomic(path: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """A temporary file beside ``path``, renamed over it when the block ends without error.

    Raises Refused (file_unwritable) when the folder cannot take the file.
    """
    target = path.expanduser()
    if target.is_dir():
        raise Refused("file_unwritable", path=path, reason=reports.line("is_a_directory"))
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    except OSError as exc:
        raise Refused("file_unwritable", path=path, reason=exc.strerror or str(exc)) from exc
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise Refused("file_unwritable", path=path, reason=exc.strerror or str(exc)) from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_csv(report: Report, path: Path) -> None:
    """Write the CSV file (UTF-8 with a BOM for Excel)."""
    data = csv_text(report).encode("utf-8-sig")
    with atomic(path) as handle:
        handle.write(data)


def write_xlsx(
    report: Report,
    path: Path,
    *,
    progress: Callable[[], None] | None = None,
    extra: Callable[[Workbook], None] | None = None,
) -> None:
    """Write the XLSX file: Chinese headers, English under them, the rows, the totals in bold.

    A second sheet (说明 About) names the dates, the grouping and when it was made; ``extra``
    adds more sheets after it (the 排班 Plan sheet).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = reports.line("sheet_report")
    zh, en = group_header(report.by)
    heads = [c.file_headers() for c in COLUMNS]
    sheet.append([zh, *(h[0] for h in heads)])
    sheet.append([en, *(h[1] for h in heads)])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    rows = all_rows(report)
    for n, row in enumerate(rows, start=1):
        sheet.append([spreadsheet_text(row.label_zh), *(_cell(c, row) for c in COLUMNS)])
        if progress is not None and n % 200 == 0:
            progress()
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for k, column in enumerate(COLUMNS, start=2):
        fmt = {"rate": "0.0%", "minutes": "0.0"}.get(column.kind)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=k, max_col=k):
                cell.number_format = fmt
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = 24
    about = book.create_sheet(reports.line("sheet_about"))
    about.append([reports.line("about_from"), report.start.isoformat()])
    about.append([reports.line("about_to"), report.end.isoformat()])
    about.append([reports.line("about_by"), f"{zh} {report.by}"])
    about.append([reports.line("about_today"), report.today.isoformat()])
    if extra is not None:
        extra(book)
    with atomic(path) as handle:
        book.save(handle)


def _cell(column: Column, row: ReportRow) -> Any:
    value = column.value(row)
    if value is not None and column.kind == "minutes":
        return round(value, 1)
    return value
