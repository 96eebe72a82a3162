"""`mashangban case …`: the 限时办结 cases and their pickup (统一出件)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from mashangban import app, state
from mashangban.output import console, parse_day, print_json, safe, window_number
from models.errors import Refused
from models.supervision.pickup import CaseLine, list_cases, mark_ready, pickup
from models.text import commands
from models.text.words import word

case_app = typer.Typer(no_args_is_help=True, help="Cases (办件): list, ready, pickup.")
app.add_typer(case_app, name="case")


def case_json(line: CaseLine) -> dict[str, Any]:
    """A case for --json (the README documents the shape)."""
    case = line.case
    return {
        "case": case.case_number,
        "ticket": case.number,
        "item": case.item,
        "item_zh": case.item_zh,
        "window": case.window,
        "clerk": case.clerk,
        "accepted_at": case.accepted_at.isoformat(timespec="seconds"),
        "promised_date": case.promised_date.isoformat() if case.promised_date else None,
        "provisional": case.provisional,
        "state": case.state,
        "overdue": line.overdue,
        "days_left": line.days_left,
        "ready_at": line.ready_at.isoformat(timespec="seconds") if line.ready_at else None,
        "picked_up_at": line.picked_up_at.isoformat(timespec="seconds")
        if line.picked_up_at
        else None,
    }


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only cases past their promise."),
    open_only: bool = typer.Option(False, "--open", help="Only cases not yet picked up."),
    start: str | None = typer.Option(None, "--from", help="Accepted on or after this date."),
    end: str | None = typer.Option(None, "--to", help="Accepted on or before this date."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every case with its promised date; overdue ones (not ready, promise passed) in red."""
    first = parse_day(start, dt.date.min) if start else None
    last = parse_day(end, dt.date.max) if end else None
    if first and last and first > last:
        raise Refused("report_bad_range", start=first, end=last)
    engine = state(ctx).engine()
    lines = list_cases(engine, overdue=overdue, open_only=open_only, start=first, end=last)
    if as_json:
        print_json([case_json(line) for line in lines])
        return
    table = Table(
        title=commands.line("cases") + (commands.line("title_overdue") if overdue else "")
    )
    table.box = box.SIMPLE_HEAD  # no vertical rules: the columns fit 80 cells
    table.add_column(commands.line("col_case"), no_wrap=True, min_width=13)
    table.add_column(commands.line("col_ticket"), no_wrap=True, min_width=6)
    table.add_column(commands.line("col_item"), overflow="ellipsis", no_wrap=True, max_width=12)
    table.add_column(commands.line("col_win"), no_wrap=True, min_width=4)
    table.add_column(commands.line("col_ready_by"), no_wrap=True, min_width=11)
    table.add_column(commands.line("col_state"), no_wrap=True, min_width=9)
    table.add_column(commands.line("col_code"), no_wrap=True, min_width=6)
    for line in lines:
        case = line.case
        promised = Text(f"{case.promised_date:%Y-%m-%d}" if case.promised_date else "—")
        if case.provisional:
            promised.append("*", "yellow")
        table.add_row(
            safe(case.case_number),
            safe(case.number),
            safe(f"{case.item} {case.item_zh}"),
            str(case.window),
            promised,
            Text(commands.line("overdue_days", days=-(line.days_left or 0)), "bold red")
            if line.overdue
            else safe(word("case", case.state)),
            safe(case.pickup_code) if case.state in ("accepted", "ready") else "",
        )
    console.print(table)
    overdue_count = sum(line.overdue for line in lines)
    console.print(
        commands.line("cases_count", count=len(lines), overdue=overdue_count), style="dim"
    )
    if any(line.case.provisional for line in lines):
        console.print(commands.line("provisional_cases"))


@case_app.command("ready")
def case_ready(
    ctx: typer.Context,
    case_number: str = typer.Argument(..., help="The case number, e.g. 20261125-0001."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The result is ready: the citizen can collect it with the pickup code."""
    line = mark_ready(state(ctx).engine(), case_number=case_number)
    if as_json:
        print_json(case_json(line))
        return
    late = commands.line("late") if line.days_left is not None and line.days_left < 0 else ""
    console.print(commands.line("case_ready", case=line.case.case_number, late=late))


@case_app.command("pickup")
def case_pickup(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The six-digit pickup code from the receipt."),
    window: int | None = typer.Option(
        None, "--window", help="The pickup window (统一出件).", callback=window_number
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Hand a ready result over for its pickup code (a wrong or used code is refused)."""
    line = pickup(state(ctx).engine(), code=code, window=window)
    if as_json:
        print_json(case_json(line))
        return
    case = line.case
    console.print(
        commands.line(
            "collected", case=case.case_number, item=safe(case.item_zh), number=case.number
        )
    )
