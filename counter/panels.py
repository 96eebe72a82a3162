"""What each part of the desk screen shows, drawn from a WindowView (pure functions)."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.text import Text

from models.text import counter as ct
from models.text.counter import KEYS
from models.text.words import word
from models.timeutil import local
from models.views.window import CurrentTicket, WindowView


def reason_text(reason: str) -> str:
    """A pause reason as the clerk reads it (休息 for break, …; free text as typed)."""
    return word("pause", reason)


def reason_en(reason: str) -> str:
    """A pause reason in English (free text as typed)."""
    return word("pause", reason, "en")


def top_line(view: WindowView, now: dt.datetime, width: int = 0) -> Text:
    """Window, clerk, pause state and the time. A pause that does not fit in ``width`` cells
    (0: any width) goes whole on a second line rather than being cut."""
    line = Text(f"{local(now, view.timezone):%H:%M} ", "bold")
    line.append(
        ct.line("window_title", number=view.number, label=view.label_zh or view.label_en),
        "bold",
    )
    if view.clerk:
        line.append(
            "   " + ct.line("clerk_line", name=view.clerk_name or view.clerk, code=view.clerk)
        )
    if view.paused is not None and view.paused_since is not None:
        minutes = max(int((now - view.paused_since).total_seconds() // 60), 0)
        zh = ct.zh("paused", reason=reason_text(view.paused), minutes=minutes)
        en = ct.en("paused", reason=reason_en(view.paused), minutes=minutes)
        paused = Text(
            f"{zh} {en}",
            "bold black on yellow",
        )
        fits = not width or line.cell_len + 3 + paused.cell_len <= width
        line.append("   " if fits else "\n")
        line.append_text(paused)
    return line


def current_panel(view: WindowView) -> RenderableType:
    """The current ticket: number, zone, item and materials, priority, wait, counts."""
    ticket = view.current
    if ticket is None:
        return Text(ct.line("none_current" if view.paused is None else "none_paused"), style="dim")
    head = Text()
    head.append(f" {ticket.number} ", "bold reverse")
    head.append("  ")
    head.append(ct.line(f"state_{ticket.status}"), "bold")
    head.append("   ")
    priority_style = "bold green" if ticket.priority != "normal" else ""
    head.append(ct.line(f"priority_{ticket.priority}"), priority_style)
    lines: list[RenderableType] = [head, Text(f"{ticket.queue_name_zh} {ticket.queue_name_en}")]
    if ticket.item:
        lines.append(Text(f"{ticket.item} {ticket.item_zh}", "bold"))
        lines.append(Text(f"     {ticket.item_en}", "dim"))
    else:
        lines.append(Text(ct.line("no_item"), "dim"))
    facts = [ct.line("waited", n=ticket.waited_minutes)]
    if ticket.recalls:
        facts.append(ct.line("recalls", n=ticket.recalls))
    if ticket.misses:
        facts.append(ct.line("misses", n=ticket.misses))
    if ticket.transferred_from:
        facts.append(ct.line("from", number=ticket.transferred_from))
    lines.append(Text(" · ".join(facts)))
    if ticket.promised_days:
        lines.append(Text(ct.line("promise", days=ticket.promised_days), "cyan"))
    return Group(*lines)


def materials_panel(view: WindowView) -> RenderableType:
    """The materials the current ticket's item needs (the clerk checks them off)."""
    ticket = view.current
    if ticket is None or not ticket.materials:
        return Text("")
    lines = [Text(ct.line("materials"), "bold underline")]
    lines.extend(Text(f" · {m}") for m in ticket.materials)
    return Group(*lines)


def service_clock(ticket: CurrentTicket | None, now: dt.datetime) -> str:
    """The service clock's text (its colour comes from the clock-ok/amber/red class)."""
    if ticket is None:
        return ""
    seconds = ticket.service_seconds(now)
    return ct.line(
        "clock", elapsed=f"{seconds // 60:02d}:{seconds % 60:02d}", limit=ticket.limit_minutes
    )


def lines_panel(view: WindowView) -> RenderableType:
    """The queues this window calls from, in its order: waiting and the next numbers."""
    rows: list[RenderableType] = []
    for line in view.queues:
        head = Text()
        head.append(f"{line.prefix} ", "bold")
        head.append(f"{line.name_zh}  ")
        over = line.waiting and line.longest_wait_minutes >= line.wait_limit_minutes
        head.append(ct.line("waiting", n=line.waiting), "bold red" if over else "bold")
        rows.append(head)
        if line.next:
            rows.append(Text("  " + ct.line("next_up", numbers=" ".join(line.next)), "dim"))
    if view.missed:
        shown = view.missed[:6] + (["…"] if len(view.missed) > 6 else [])
        rows.append(Text(ct.line("missed", numbers=" ".join(shown)), "yellow"))
    return Group(*rows)


def today_panel(view: WindowView) -> RenderableType:
    """Today's figures for this window, and the last ticket finished with its case."""
    figures = view.figures
    mean = (
        ct.line("mean", m=f"{figures.mean_service_minutes:.1f}")
        if figures.mean_service_minutes is not None
        else ct.line("mean_none")
    )
    rows: list[RenderableType] = [
        Text(f"{ct.line('served', n=figures.served)} · {ct.line('no_shows', n=figures.no_shows)}"),
        Text(mean),
    ]
    last = view.last_finished
    if last is not None:
        rows.append(Text(ct.line("last", number=last.number), "dim"))
        if last.case_number and not last.pickup_code:  # an instant item, handed over
            rows.append(Text(ct.line("last_case_instant", case=last.case_number), "dim"))
        elif last.case_number:
            date = f"{last.promised_date:%m-%d}" if last.promised_date else "—"
            rows.append(
                Text(
                    ct.line("last_case", case=last.case_number, code=last.pickup_code, date=date),
                    "dim",
                )
            )
    return Group(*rows)


def available(view: WindowView | None) -> set[str]:
    """The actions that make sense now (the others are dimmed in the key bar)."""
    if view is None:
        return {"logout"}
    ticket = view.current
    can = {"pause", "reprint", "logout"}
    if view.paused is None:
        can.add("next")
        if ticket is None:
            can.add("call_number")
    if ticket is not None:
        can |= {"finish", "transfer"}
        if ticket.status == "called":
            can |= {"recall", "no_show", "start"}
    if view.missed:
        can.add("requeue")
    if view.last_finished is not None:
        can.add("receipt")
    return can


def key_bar(view: WindowView | None, width: int) -> Text:
    """Every key and what it does, wrapped between keys to the width; the ones that do nothing
    now are dimmed."""
    can = available(view)
    bar = Text()
    used = 0
    for key, action in KEYS:
        label = ct.zh(f"key_{action}")
        on = action in can
        cell = Text()  # no base style: it would cover the label too
        cell.append(f" {key} ", "bold reverse" if on else "dim reverse")
        cell.append(f" {label}  ", "" if on else "dim")
        if used and used + cell.cell_len > width:
            bar.append("\n")
            used = 0
        bar.append_text(cell)
        used += cell.cell_len
    return bar
