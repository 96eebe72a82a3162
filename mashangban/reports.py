"""``mashangban report``: figures per queue, window, clerk, item, hour or day, as a Rich table,
CSV or XLSX, with a bar chart of tickets per hour or day."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from mashangban import app, state
from mashangban.output import console, errors, parse_day, safe
from models.db import reading
from models.errors import Refused
from models.hall import hall_settings
from models.planning.export import add_plan_sheet
from models.planning.planner import plan_or_reason
from models.reports.files import (
    COLUMNS,
    Column,
    all_rows,
    csv_text,
    group_header,
    text,
    write_csv,
    write_xlsx,
)
from models.reports.report import STEPS, Report, issued_per, prepare_rollups, report
from models.reports.sql import BY_CHOICES
from models.text import commands, planning
from models.textsafe import printable
from models.timeutil import business_date, utcnow
from models.workdays import add_workdays

FORMATS = ("table", "csv", "xlsx")
_SECTIONS = (slice(0, 6), slice(6, 10), slice(10, 14), slice(14, 19), slice(19, 22))
"""Tickets, waits, services, ratings, cases: the parts of COLUMNS kept together on screen."""
BAR_WIDTH = 50


@app.command("rollup")
def rollup_command(ctx: typer.Context) -> None:
    """Roll up every closed day for every grouping (run it nightly, e.g. from cron, so that
    no manager's first report of a long range has to)."""
    engine = state(ctx).engine()
    for by, days, seconds in prepare_rollups(engine):
        console.print(commands.line("rollup_done", by=by, days=days, seconds=seconds))


@app.command("report")
def report_command(
    ctx: typer.Context,
    start: str | None = typer.Option(None, "--from", help="First business date (default: today)."),
    end: str | None = typer.Option(None, "--to", help="Last business date (default: today)."),
    by: str = typer.Option("queue", "--by", help="Rows per " + "|".join(BY_CHOICES) + "."),
    fmt: str | None = typer.Option(
        None, "--format", help="table, csv or xlsx (default: table, or the --out file's kind)."
    ),
    out: Path | None = typer.Option(None, "--out", help="File to write (.csv, .xlsx)."),
    chart: bool = typer.Option(False, "--chart", help="Also draw tickets per hour or day."),
    plan_day: str | None = typer.Option(
        None, "--plan", help="XLSX: add a 排班 Plan sheet for DAY (YYYY-MM-DD, or next)."
    ),
) -> None:
    """Tickets issued and served, no-shows, waits, services, limits, ratings and cases.

    An XLSX report can carry the staffing plan for a day (--plan next: the next working day).
    """
    if by not in BY_CHOICES:
        raise Refused("report_bad_by", by=by, choices=", ".join(BY_CHOICES))
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if fmt is None:
        fmt = suffix if suffix in ("csv", "xlsx") else "table"
    elif fmt in ("csv", "xlsx") and suffix and suffix != fmt:  # an .xlsx named .csv opens badly
        raise Refused("report_out_suffix", format=fmt, out=out)
    if fmt not in FORMATS:
        raise Refused("report_bad_format", format=fmt, choices=", ".join(FORMATS))
    if fmt == "xlsx" and out is None:
        raise Refused("report_needs_out", format=fmt)
    if fmt == "table" and out is not None:
        raise Refused("report_table_out")
    if plan_day is not None and fmt != "xlsx":
        raise Refused("report_plan_xlsx")
    engine = state(ctx).engine()
    with reading(engine) as session:
        today = business_date(utcnow(), hall_settings(session).timezone)
    first, last = parse_day(start, today), parse_day(end, today)
    if first > last:
        raise Refused("report_bad_range", start=first, end=last)
    planned, plan = None, None
    if plan_day is not None:
        planned = (
            add_workdays(today, 1)[0] if plan_day.strip().lower() == "next" else
            parse_day(plan_day, today)
        )  # fmt: skip
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )
    with progress:
        # One more step for writing the file; the total grows when days are rolled up first.
        task = progress.add_task(commands.line("counting"), total=STEPS + 1)
        result = report(
            engine, start=first, end=last, by=by,
            progress=lambda done, total: progress.update(task, completed=done, total=total + 1),
        )  # fmt: skip
        if fmt != "table":
            progress.update(task, description=commands.line("writing"))
            if out is None:
                console.file.write(csv_text(result))
            elif fmt == "csv":
                write_csv(result, out)
            elif planned is None:
                write_xlsx(result, out)
            else:
                progress.update(task, description=planning.line("planning"))
                plan = plan_or_reason(engine, day=planned, today=today)
                progress.update(task, description=commands.line("writing"))
                write_xlsx(result, out, extra=lambda book: add_plan_sheet(book, plan, planned))
            progress.advance(task)
    if fmt == "table":  # drawn once the (transient) bar is gone
        show_table(console, result)
        if chart or by in ("hour", "day"):
            show_chart(console, _per_unit(engine, result))
        return
    if out is not None:
        errors.print(commands.line("report_written", out=out, rows=len(result.rows)))
    if isinstance(plan, Refused):  # the sheet says so too; the report is written all the same
        missing = planning.line("sheet_no_plan", day=planned)
        errors.print(f"{missing}: {plan.message}", style="yellow")
    if chart:
        show_chart(errors, _per_unit(engine, result))


def _width(header: str, values: list[str]) -> int:
    return max(cell_len(part) for part in [*header.split("\n"), *values]) + 3


def show_table(target: Console, result: Report) -> None:
    """The report as Rich tables, headers 中文 over English: tickets, waits, services, ratings
    and cases, as many sections side by side as the terminal's width allows."""
    zh, en = group_header(result.by)
    rows = all_rows(result)
    first = f"{zh}\n{en}"
    first_width = _width(first, [safe(row.label_zh) for row in rows])
    tables: list[list[Column]] = []
    used = target.width  # start a new table at once
    for section in _SECTIONS:
        columns = COLUMNS[section]
        width = sum(_width(f"{c.zh}\n{c.en}", [text(c, r) for r in rows]) for c in columns)
        if tables and used + width <= target.width:
            tables[-1] += columns
            used += width
        else:
            tables.append(list(columns))
            used = first_width + 1 + width
    for n, columns in enumerate(tables):
        table = Table(
            title=commands.line("report_title", start=result.start, end=result.end)
            if n == 0
            else None,
            title_justify="left",
            header_style="bold cyan",
        )
        table.add_column(first, no_wrap=True)
        for column in columns:
            table.add_column(f"{column.zh}\n{column.en}", justify="right", no_wrap=True)
        for k, row in enumerate(rows):
            last = k == len(rows) - 1
            table.add_row(
                safe(row.label_zh), *(text(c, row) for c in columns), style="bold" if last else None
            )
            if k == len(rows) - 2:
                table.add_section()
        target.print(table)
    target.print(commands.line("times_in_minutes"), style="dim")


def _per_unit(engine: Engine, result: Report) -> tuple[str, list[tuple[str, int]]]:
    """Tickets per hour (a one-day report, or by hour) or per day, for the chart."""
    if result.by == "hour" or (result.by != "day" and result.start == result.end):
        unit = "hour"
    else:
        unit = "day"
    return unit, issued_per(engine, start=result.start, end=result.end, unit=unit)


def show_chart(target: Console, data: tuple[str, list[tuple[str, int]]]) -> None:
    """Horizontal bars of tickets issued per hour or per day."""
    unit, bars = data
    title = (
        commands.line("tickets_per_hour") if unit == "hour" else commands.line("tickets_per_day")
    )
    target.print(Text(title, style="bold"))
    top = max((n for _, n in bars), default=0)
    if not top:
        target.print(commands.line("none"))
        return
    width = max(len(label) for label, _ in bars)
    for label, n in bars:
        eighths = round(n / top * BAR_WIDTH * 8)
        bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        line = Text(f"  {printable(label):<{width}} ")
        line.append(bar or "▏", style="cyan")
        line.append(f" {n}")
        target.print(line)
