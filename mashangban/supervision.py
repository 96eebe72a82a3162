"""`mashangban rectify …`: rectification items (整改) opened by bad ratings (好差评)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from mashangban import app, state
from mashangban.output import console, print_json, row_id, safe
from models.supervision.ratings import RectificationView, close_rectification, list_rectifications
from models.text import commands, words

rectify_app = typer.Typer(
    no_args_is_help=True, help="Rectification items (整改) opened by bad ratings: list, close."
)
app.add_typer(rectify_app, name="rectify")


def rectification_json(item: RectificationView) -> dict[str, Any]:
    """A rectification item for --json."""
    return {
        "id": item.id,
        "rating_id": item.rating_id,
        "ticket": item.number,
        "ticket_date": item.business_date.isoformat(),
        "window": item.window,
        "clerk": item.clerk_code,
        "level": item.level,
        "level_zh": words.zh(f"rating_{item.level}"),
        "reason": item.reason,
        "opened_at": item.opened_at.isoformat(timespec="seconds"),
        "due_date": item.due_date.isoformat(),
        "provisional": item.provisional,
        "state": item.state,
        "overdue": item.overdue,
        "days_overdue": item.days_overdue,
        "closed_at": item.closed_at.isoformat(timespec="seconds") if item.closed_at else None,
        "closed_by": item.closed_by,
        "note": item.note,
    }


def _state(item: RectificationView) -> Text:
    if item.overdue:
        return Text(commands.line("overdue_days", days=item.days_overdue), "bold red")
    if item.closed_at is not None:
        return Text(commands.line("rectify_closed"), "green")
    return Text(commands.line("rectify_open"))


@rectify_app.command("list")
def rectify_list(
    ctx: typer.Context,
    show_all: bool = typer.Option(False, "--all", help="Closed items too."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open items past their due date."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rectification items, oldest first: the open ones (or --all); overdue ones in red."""
    items = list_rectifications(state(ctx).engine(), open_only=not show_all, overdue_only=overdue)
    if as_json:
        print_json([rectification_json(item) for item in items])
        return
    title = commands.line("rectifications") + (commands.line("title_overdue") if overdue else "")
    # Every column but the reason keeps its width; the reason wraps, so 80 cells suffice.
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold cyan",
        pad_edge=False,
        box=None,
    )
    table.add_column(commands.line("col_id"), no_wrap=True, justify="right")
    table.add_column(commands.line("col_no"), no_wrap=True)
    table.add_column(commands.line("col_win"), no_wrap=True, justify="right")
    table.add_column(commands.line("col_clerk"), no_wrap=True)
    table.add_column(commands.line("col_level"), no_wrap=True)
    table.add_column(commands.line("col_reason"), overflow="fold")
    table.add_column(commands.line("col_opened"), no_wrap=True)
    table.add_column(commands.line("col_due"), no_wrap=True)
    table.add_column(commands.line("col_state"), no_wrap=True)
    for item in items:
        due = Text(f"{item.due_date:%Y-%m-%d}", "bold red" if item.overdue else "")
        if item.provisional:
            due.append("*", "yellow")
        table.add_row(
            str(item.id),
            safe(item.number),
            str(item.window),
            safe(item.clerk_code or "—"),
            f"{item.level} {words.zh(f'rating_{item.level}')}",
            safe(item.reason),
            f"{item.opened_at:%m-%d}",
            due,
            _state(item),
        )
    console.print(table)
    late = sum(item.overdue for item in items)
    summary = Text(commands.line("items_count", count=len(items)))
    if late:
        summary.append(commands.line("items_overdue", late=late), "bold red")
    console.print(summary)
    if any(item.provisional for item in items):
        console.print(
            Text(
                commands.line("provisional_rectify"),
                "yellow",
            )
        )


@rectify_app.command("close")
def rectify_close(
    ctx: typer.Context,
    item_id: int = typer.Argument(
        ..., metavar="ID", help="The rectification item's number.", callback=row_id
    ),
    by: str = typer.Option(..., "--by", help="Clerk number of who closes it."),
    note: str = typer.Option(..., "--note", help="What was done (required)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Close a rectification item with a note of what was done."""
    item = close_rectification(state(ctx).engine(), id=item_id, by=by, note=note)
    if as_json:
        print_json(rectification_json(item))
        return
    console.print(
        commands.line(
            "rectification_closed",
            id=item.id,
            number=safe(item.number),
            window=item.window,
            by=safe(item.closed_by),
        )
    )
