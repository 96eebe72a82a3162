"""``mashangban plan``: how many windows each period needs, learnt from the hall's history and
simulated with its queue rules (models.planning); a table in 80 columns, a chart, CSV, XLSX or
JSON."""

from __future__ import annotations

import re
from contextlib import nullcontext
from pathlib import Path

import typer

from mashangban import app, state
from mashangban.output import console, errors, parse_day, print_json
from models.db import reading
from models.errors import Refused
from models.hall import hall_settings
from models.planning.export import (
    PlanRow,
    period_rows,
    plan_json,
    queue_rows,
    windows_matrix,
    write_csv,
    write_xlsx,
)
from models.planning.planner import Plan, WhatIf, make_plan, read_plan_file
from models.text import planning
from models.timeutil import business_date, utcnow
from models.workdays import add_workdays

_WEEKDAYS_ZH = "一二三四五六日"
BAR_WIDTH = 40


def _bounded(option: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise Refused("plan_bad_option", option=option, low=low, high=high, value=value)


def _whatif(close: list[str], more: float, slower: list[str]) -> WhatIf:
    whatif = WhatIf(arrivals_pct=more)
    for text in close:
        m = re.fullmatch(r"(\d{1,3})@([01]?\d|2[0-3]):([0-5]\d)", text.strip())
        if not m:
            raise Refused("plan_bad_whatif", text=text)
        whatif.close[int(m[1])] = f"{int(m[2]):02d}:{m[3]}"
    for text in slower:
        m = re.fullmatch(r"([A-Z0-9]{2,8})([+-]\d+(?:\.\d+)?)", text.strip())
        if not m:
            raise Refused("plan_bad_whatif", text=text)
        whatif.slower[m[1]] = whatif.slower.get(m[1], 0.0) + float(m[2])
    return whatif


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--date", help="Day to plan (default: next working day)."),
    period: int = typer.Option(30, "--period", help="Minutes per period: 15, 30 or 60."),
    target: int | None = typer.Option(None, "--target", help="Target wait in minutes (hall file)."),
    share: int | None = typer.Option(
        None, "--share", help="Percent within the target (hall file)."
    ),
    like: str | None = typer.Option(None, "--like", help="Current staffing: that past day's."),
    plan_file: Path | None = typer.Option(None, "--plan-file", help="Staffing and what-ifs file."),
    close: list[str] = typer.Option([], "--close", help="What-if: window@HH:MM closes then."),
    more: float = typer.Option(0.0, "--more", help="What-if: percent more arrivals (or fewer)."),
    slower: list[str] = typer.Option([], "--slower", help="What-if: ITEM+MINUTES longer each."),
    runs: int = typer.Option(100, "--runs", help="Simulated days (replications)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same figures)."),
    weeks: int = typer.Option(26, "--weeks", help="Weeks of history to learn from."),
    queue: str | None = typer.Option(None, "--queue", help="Show one queue per period."),
    chart: bool = typer.Option(False, "--chart", help="Also chart the mean wait per period."),
    out: Path | None = typer.Option(None, "--out", help="Write a .csv or .xlsx file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How many windows each period needs so that the target share waits less than the target,
    from the hall's history; beside the current staffing, with what-ifs."""
    if period not in (15, 30, 60):
        raise Refused("plan_bad_option", option="--period", low=15, high=60, value=period)
    _bounded("--runs", runs, 2, 10_000)
    _bounded("--weeks", weeks, 1, 260)
    _bounded("--more", more, -90, 500)
    suffix = out.suffix.lower() if out is not None else ""
    if out is not None and suffix not in (".csv", ".xlsx"):
        raise Refused("report_out_suffix", format="csv/xlsx", out=out)
    whatif = _whatif(close, more, slower)
    engine = state(ctx).engine()
    with reading(engine) as session:
        settings = hall_settings(session)
    today = business_date(utcnow(), settings.timezone)
    default_day, _ = add_workdays(today, 1)
    the_day = parse_day(day, default_day)
    minutes = target if target is not None else settings.plan_target_minutes
    percent = share if share is not None else settings.plan_target_share
    _bounded("--target", minutes, 1, 24 * 60)
    _bounded("--share", percent, 1, 100)
    if queue is not None and queue.upper() not in {p for p in _prefixes(engine)}:
        raise Refused("plan_bad_whatif", text=f"--queue {queue}")
    staffing = read_plan_file(plan_file) if plan_file is not None else None
    # Learning and the search for the fewest windows take half a minute on a year of history:
    # a spinner on the terminal (stderr) says the command is working, then goes away.
    working = errors.status(planning.line("planning_wait")) if errors.is_terminal else nullcontext()
    with working:
        plan = make_plan(
            engine, day=the_day, today=today, period_minutes=period, weeks=weeks,
            target_minutes=minutes, share=percent / 100, replications=runs, seed=seed,
            like=parse_day(like, today) if like else None, plan_file=staffing, whatif=whatif,
        )  # fmt: skip
    if out is not None:
        (write_csv if suffix == ".csv" else write_xlsx)(plan, out)
        errors.print(planning.line("plan_written", out=out))
    if as_json:
        print_json(plan_json(plan))
        return
    show_plan(plan, queue.upper() if queue else None)
    if chart:
        show_chart(plan)


def _prefixes(engine: object) -> list[str]:
    from models.hall import hall_config

    with reading(engine) as session:  # type: ignore[arg-type]
        return [q.prefix for q in hall_config(session).queue]


def _m(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.1f}" if minutes < 100 else f"{minutes:.0f}"


def _cells(f: PlanRow, idle: bool) -> list[str]:
    now, rec = f.current, f.recommended
    cells = [
        str(now.windows), _m(now.wait_mean_s), _m(now.wait_p90_s), f"{now.within:.0%}",
        f"{now.longest:.0f}",
    ]  # fmt: skip
    if idle:
        cells.append(f"{now.idle:.1f}")
    if rec is not None:
        cells += [str(rec.windows), _m(rec.wait_mean_s), _m(rec.wait_p90_s), f"{rec.within:.0%}"]
    return cells


def _table(plan: Plan, rows: list[PlanRow], *, first: str, idle: bool) -> object:
    from rich import box
    from rich.table import Table

    minutes = f"{plan.target_minutes:g}"
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False, header_style="bold cyan")
    table.add_column(first, no_wrap=True)
    table.add_column(planning.line("col_citizens"), justify="right")
    now = ["col_windows", "col_wait", "col_p90", "col_within", "col_longest"]
    if idle:
        now.append("col_idle")
    for key in now:
        table.add_column(planning.line(key, minutes=minutes), justify="right", style="yellow")
    if plan.recommended is not None:
        for key in ("col_windows", "col_wait", "col_p90", "col_within"):
            table.add_column(planning.line(key, minutes=minutes), justify="right", style="green")
    for n, row in enumerate(rows):
        if n == len(rows) - 1 and row.label == planning.line("total"):
            table.add_section()
        table.add_row(row.label, f"{row.current.citizens:.0f}", *_cells(row, idle))
    return table


def show_plan(plan: Plan, queue: str | None) -> None:
    """The plan as tables within 80 columns: per period, per queue, the windows per queue."""
    learned = plan.learned
    weekday = learned.day.strftime("%A")
    console.print(planning.line("title", day=learned.day), style="bold")
    console.print(
        planning.line(
            "kind_weekday",
            weekday_zh=_WEEKDAYS_ZH[learned.day.weekday()],
            weekday=weekday,
            days=learned.days_used,
        )
    )
    if learned.after_break:
        pct = round((learned.busier - 1) * 100)
        console.print(planning.line("kind_after_break", pct=pct, breaks=learned.break_days))
    console.print(
        planning.line("target", share=round(plan.share * 100), minutes=f"{plan.target_minutes:g}")
    )
    if plan.source == "file":
        console.print(planning.line("source_file"))
    elif plan.source == "open":
        console.print(planning.line("source_open"))
    else:
        console.print(planning.line("source_day", day=plan.source.removeprefix("day:")))
    for what in plan.whatif.describe():
        console.print(planning.line("whatif", what=what))
    console.print(
        planning.line("runs", runs=plan.current.replications, seed=plan.seed), style="dim"
    )
    heads = planning.line("head_now")
    if plan.recommended is not None:
        heads += "  ·  " + planning.line("head_rec")
    console.print(heads, style="bold")
    label = planning.line("col_period") if queue is None else f"{queue}"
    console.print(_table(plan, period_rows(plan, queue), first=label, idle=queue is None))
    if queue is None:
        console.print(planning.line("queues_title"), style="bold")
        console.print(_table(plan, queue_rows(plan), first=planning.line("col_queue"), idle=False))
        _show_matrix(plan)
    rec = plan.recommended
    if rec is not None:
        now_h, rec_h = plan.current.window_hours(), rec.outcome.window_hours()
        console.print(
            planning.line(
                "window_hours",
                current=f"{now_h:.1f}",
                recommended=f"{rec_h:.1f}",
                change=f"{rec_h - now_h:+.1f}",
            ),
            style="bold",
        )
        if rec.short:
            labels = _short_ranges(plan)
            console.print(planning.line("short", periods=labels), style="red")
        elif rec.met:
            console.print(planning.line("met"), style="green")
    console.print(planning.line("times_note"), style="dim")


def _short_ranges(plan: Plan) -> str:
    """Per queue, the periods it misses the target in, consecutive ones as a range."""
    span = plan.learned.span
    assert plan.recommended is not None
    periods: dict[str, list[int]] = {}
    for p, q in plan.recommended.short:
        periods.setdefault(q, []).append(p)
    parts = []
    for q in sorted(periods):
        ranges: list[list[int]] = []
        for p in sorted(periods[q]):
            if ranges and ranges[-1][1] == p - 1:
                ranges[-1][1] = p
            else:
                ranges.append([p, p])
        spans = [f"{span.label(a)}–{span.label(b + 1)}" for a, b in ranges]
        parts.append(f"{q} {', '.join(spans)}")
    return "; ".join(parts)


def _show_matrix(plan: Plan) -> None:
    from rich import box
    from rich.table import Table

    console.print(planning.line("windows_title"), style="bold")
    prefixes = [q.prefix for q in plan.current.model.queues]
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False, header_style="bold cyan")
    table.add_column(planning.line("col_period"), no_wrap=True)
    for prefix in prefixes:
        table.add_column(prefix, justify="right", no_wrap=True)
    for label, cells in windows_matrix(plan):
        table.add_row(
            label,
            *(f"{now}" if rec is None else (f"{now}→{rec}" if rec != now else f"{now}")
              for now, rec in cells),
        )  # fmt: skip
    console.print(table)


def show_chart(plan: Plan) -> None:
    """Bars of the mean wait per period, current and recommended."""
    from rich.text import Text

    console.print(Text(planning.line("chart_title"), style="bold"))
    rows = period_rows(plan)[:-1]
    top = max(
        [r.current.wait_mean_s for r in rows]
        + [r.recommended.wait_mean_s for r in rows if r.recommended is not None]
        + [plan.target_minutes * 60]
    )
    mark = round(plan.target_minutes * 60 / top * BAR_WIDTH)
    for row in rows:
        for which, figures, glyph, style in (
            ("", row.current, "█", "yellow"),
            (" ", row.recommended, "▒", "green"),
        ):
            if figures is None:
                continue
            n = round(figures.wait_mean_s / top * BAR_WIDTH)
            bar = (glyph * n).ljust(BAR_WIDTH)
            bar = bar[:mark] + ("│" if bar[mark : mark + 1] == " " else bar[mark]) + bar[mark + 1 :]
            line = Text(f"  {row.label if not which else '':<5} ")
            line.append(bar.rstrip(), style=style)
            line.append(f" {figures.wait_mean_s / 60:.1f}")
            console.print(line)
