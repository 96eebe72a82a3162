"""Printing: the machine note, one Rich table per benchmark, the PASS/FAIL lines."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from bench.common import Result, Row, Verdict


def _num(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if digits == 0:
        return f"{value:,.0f}"
    if abs(value) < 10 ** -(digits - 1) and value != 0:
        return f"{value:.{digits + 2}f}"
    return f"{value:,.{digits}f}"


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return "—"
    return f"{ratio:.2f}×" if ratio < 100 else f"{ratio:,.0f}×"


def table(result: Result) -> Table:
    """A benchmark's figures: mashangban, its floor (same run), the ratio, the target."""
    out = Table(title=result.title, title_justify="left", show_lines=False)
    out.add_column("measure")
    out.add_column("mashangban", justify="right")
    out.add_column(f"floor ({result.floor})", justify="right")
    out.add_column("ratio", justify="right")
    out.add_column("unit")
    out.add_column("target")
    for row in result.rows:
        out.add_row(
            row.measure,
            _num(row.product, row.digits),
            _num(row.floor, row.digits),
            _ratio(row),
            row.unit,
            row.target,
        )
    return out


def print_header(console: Console, lines: list[str], quick: bool) -> None:
    console.print(f"[bold]马上办 mashangban benchmarks[/bold] ({'quick' if quick else 'full'} run)")
    for line in lines:
        console.print(f"  {line}")
    console.print("  ratio = mashangban ÷ floor; the floor is measured in this same run\n")


def print_result(console: Console, result: Result) -> None:
    if result.rows:
        console.print(table(result))
    else:
        console.print(f"[italic]{result.title}[/italic]")
    for note in result.notes:
        console.print(f"  · {note}", highlight=False)
    for extra in result.extra:
        console.print(extra)
    console.print(f"  ({result.seconds:.1f} s)\n", style="dim")


def print_verdicts(console: Console, verdicts: list[Verdict]) -> None:
    if not verdicts:
        console.print("no target among the benchmarks run (call and profile report only)")
    for verdict in verdicts:
        word = "[bold green]PASS[/]" if verdict.passed else "[bold red]FAIL[/]"
        console.print(f"{word} {verdict.name}: {verdict.text}", highlight=False)
