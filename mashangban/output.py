"""How the command line shows things: Rich for people, JSON for scripts, no tracebacks.

Rich is imported when something is shown to a person, so a command that prints JSON never
loads it (the command line starts fast; see mashangban.commands).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any, cast

from appkit.launch import bounded
from appkit.launch import window_number as window_number  # the callback of every --window
from models.errors import MashangbanError, Refused
from models.limits import FIRST_DAY, ID_MAX, LAST_DAY
from models.text import commands
from models.text import errors as error_text
from models.text.words import word
from models.textsafe import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from models.views.ticket import TicketView


class _LazyConsole:
    """A Rich Console made (and Rich imported) on first use; it stands in for the Console in
    every way a command uses one."""

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)

    def _real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            object.__setattr__(self, "_console", Console(**self._options))
        return cast("Console", self._console)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real(), name, value)


console = cast("Console", _LazyConsole(highlight=False))
errors = cast("Console", _LazyConsole(stderr=True, highlight=False, soft_wrap=True))


def safe(value: object) -> str:
    """Stored text (a name, a reason, a note) ready for ``console.print`` or a table cell:
    control characters shown as ``\\x1b``, Rich markup shown as typed. Use it for every text
    a person typed, never for our own markup."""
    from rich.markup import escape

    return escape(printable(value))


def parse_day(value: str | None, default: dt.date) -> dt.date:
    """A date from the command line (YYYY-MM-DD), or the default. Refused when malformed or
    outside the years the product handles (limits.FIRST_DAY to LAST_DAY)."""
    if value is None:
        return default
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused("report_bad_date", value=printable(value)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refused("date_out_of_range", value=day, first=FIRST_DAY, last=LAST_DAY)
    return day


row_id = bounded("ID", 1, ID_MAX)
"""The callback for every row id (print job, rectification item)."""


def print_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8, Chinese unescaped."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def show_error(exc: MashangbanError, *, as_json: bool) -> None:
    """A refusal in both languages: JSON on stdout for scripts, red text on stderr for people."""
    if as_json:
        print_json({"error": exc.key, "message_zh": exc.zh, "message_en": exc.en, "hint": exc.hint})
        return
    from rich.text import Text

    errors.print(Text(printable(f"✗ {exc.zh}"), style="bold red"))
    errors.print(Text(printable(f"  {exc.en}"), style="red"))
    if exc.hint:
        errors.print(Text(printable(f"  → {exc.hint}"), style="yellow"))


def show_ticket(view: TicketView, *, title: str) -> None:
    """A ticket as a panel: the number large, then where it stands."""
    from rich.panel import Panel
    from rich.text import Text

    lines = Text()
    lines.append(f"{view.number}\n", style="bold white on blue")
    lines.append(printable(f"{view.queue_name_zh} {view.queue_name_en}") + "\n")
    lines.append(
        commands.line("ticket_status", status_zh=word("status", view.status), status=view.status)
        + "\n"
    )
    if view.priority != "normal":
        lines.append(
            commands.line(
                "ticket_priority",
                priority_zh=word("priority", view.priority),
                priority=view.priority,
            )
            + "\n",
            style="green",
        )
    if view.item:
        named = " ".join(n for n in (view.item, view.item_name_zh, view.item_name_en) if n)
        lines.append(commands.line("ticket_item", item=printable(named)) + "\n")
    if view.ahead is not None:
        lines.append(commands.line("ticket_ahead", n=view.ahead) + "\n")
        lines.append(commands.line("ticket_eta", n=view.eta_minutes) + "\n")
    if view.window is not None:
        lines.append(commands.line("ticket_window", window=view.window) + "\n", style="bold")
    if view.transferred_from:
        lines.append(commands.line("ticket_from", number=view.transferred_from) + "\n")
    lines.append(commands.line("ticket_issued", at=view.issued_at), style="dim")
    console.print(Panel(lines, title=title, expand=False))


def warn_clock(view: TicketView) -> None:
    """One warning line on stderr when the host's clock was behind the ticket's last step."""
    if view.clock_behind_s:
        from rich.text import Text

        zh, en = error_text.pair("clock_behind", number=view.number, seconds=view.clock_behind_s)
        errors.print(Text(f"⚠ {zh} / {en}", style="bold yellow"))


def slim_table(title: str) -> Table:
    """A table for an 80-column terminal: a rule under the headings, no frame, columns two
    cells apart (the caller adds the columns; a name's column gets ``no_wrap``)."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        header_style="bold cyan",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )


def zone_name(prefix: str, name_zh: str, name_en: str) -> Text:
    """A zone (or an item) in a cell: the letter and the Chinese name, the English name under
    it; each name on one line, never split."""
    from rich.text import Text

    cell = Text(printable(f"{prefix} {name_zh}".strip()))
    cell.append("\n" + printable(f"{'  ' if prefix else ''}{name_en}"), "dim")
    return cell


def table(title: str, *columns: str) -> Table:
    """A table in the house style."""
    from rich.table import Table

    out = Table(title=title, title_justify="left", header_style="bold cyan")
    for column in columns:
        out.add_column(column)
    return out
