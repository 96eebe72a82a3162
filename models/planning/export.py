"""A plan as rows: for the table, the chart, CSV, the XLSX sheet and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.errors import Refused
from models.planning.plan import Figures, Outcome, serving
from models.planning.planner import Plan
from models.reports.files import atomic
from models.text import planning
from models.textsafe import spreadsheet_text

if TYPE_CHECKING:
    from openpyxl import Workbook


@dataclass(frozen=True)
class PlanRow:
    """One period (or the day, label "合计"), all queues or one."""

    label: str
    current: Figures
    recommended: Figures | None


def period_rows(plan: Plan, queue: str | None = None) -> list[PlanRow]:
    """Per period, the current staffing's figures beside the recommendation's, then the day."""
    span = plan.learned.span
    rec = plan.recommended.outcome if plan.recommended else None

    def pick(outcome: Outcome) -> list[Figures]:
        return outcome.by_period if queue is None else outcome.by_queue[queue]

    def day(outcome: Outcome) -> Figures:
        return outcome.day if queue is None else outcome.day_by_queue[queue]

    rows = [
        PlanRow(span.label(p), pick(plan.current)[p], pick(rec)[p] if rec else None)
        for p in range(span.periods)
    ]
    rows.append(PlanRow(planning.line("total"), day(plan.current), day(rec) if rec else None))
    return rows


def queue_rows(plan: Plan) -> list[PlanRow]:
    """Per queue, the whole day."""
    rec = plan.recommended.outcome if plan.recommended else None
    return [
        PlanRow(prefix, figures, rec.day_by_queue[prefix] if rec else None)
        for prefix, figures in plan.current.day_by_queue.items()
    ]


def windows_matrix(plan: Plan) -> list[tuple[str, list[tuple[int, int | None]]]]:
    """Per period, per queue: (windows that serve it now, recommended)."""
    span = plan.learned.span
    prefixes = [q.prefix for q in plan.current.model.queues]
    rec = plan.recommended.outcome.model if plan.recommended else None
    return [
        (
            span.label(p),
            [
                (serving(plan.current.model, q, p), serving(rec, q, p) if rec else None)
                for q in prefixes
            ],
        )
        for p in range(span.periods)
    ]


def _figures_json(f: Figures | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {
        "windows": f.windows,
        "citizens": round(f.citizens, 1),
        "wait_mean_min": round(f.wait_mean_s / 60, 2),
        "wait_p90_min": round(f.wait_p90_s / 60, 2),
        "within_target": round(f.within, 4),
        "longest_queue": round(f.longest, 1),
        "idle_windows": round(f.idle, 2),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan for --json (the README documents the shape)."""
    learned, span = plan.learned, plan.learned.span
    rec = plan.recommended
    periods = period_rows(plan)
    return {
        "day": learned.day.isoformat(),
        "weekday": learned.day.isoweekday(),
        "after_holiday": learned.after_break,
        "busier_after_holiday": round(learned.busier, 3),
        "days_learnt": learned.days_used,
        "period_minutes": span.period_s // 60,
        "target": {"minutes": plan.target_minutes, "share": plan.share},
        "current_from": plan.source,
        "what_if": plan.whatif.describe(),
        "replications": plan.current.replications,
        "seed": plan.seed,
        "periods": [
            {
                "start": r.label,
                "current": _figures_json(r.current),
                "recommended": _figures_json(r.recommended),
            }
            for r in periods[:-1]
        ],
        "day_total": {
            "current": _figures_json(periods[-1].current),
            "recommended": _figures_json(periods[-1].recommended),
        },
        "queues": {
            q: [
                {
                    "start": r.label,
                    "current": _figures_json(r.current),
                    "recommended": _figures_json(r.recommended),
                }
                for r in period_rows(plan, q)[:-1]
            ]
            for q in plan.current.day_by_queue
        },
        "recommended_windows": (
            {span.label(p): sorted(w) for p, w in enumerate(rec.staffing)} if rec else None
        ),
        "window_hours": {
            "current": round(plan.current.window_hours(), 2),
            "recommended": round(rec.outcome.window_hours(), 2) if rec else None,
        },
        "target_met": rec.met if rec else None,
        "short": [{"start": span.label(p), "queue": q} for p, q in rec.short] if rec else [],
    }


HEADERS = ("period", "plan", "windows", "citizens", "wait_mean", "wait_p90", "within",
           "longest", "idle")  # fmt: skip


def _values(label: str, which: str, f: Figures) -> list[Any]:
    return [
        label, which, f.windows, round(f.citizens, 1), round(f.wait_mean_s / 60, 1),
        round(f.wait_p90_s / 60, 1), round(f.within, 3), round(f.longest, 1), round(f.idle, 2),
    ]  # fmt: skip


def _flat(plan: Plan) -> list[list[Any]]:
    rows: list[list[Any]] = []
    queues: list[str | None] = [None, *plan.current.day_by_queue]
    for queue in queues:
        for row in period_rows(plan, queue):
            for which, figures in (("current", row.current), ("recommended", row.recommended)):
                if figures is not None:
                    rows.append([queue or "*", *_values(row.label, which, figures)])
    return rows


def _headers() -> list[str]:
    return [planning.line("col_queue"), *(planning.line(f"file_{h}") for h in HEADERS)]


def csv_text(plan: Plan) -> str:
    """The plan as CSV: per queue ("*" for all) and period, current and recommended."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    for row in _flat(plan):
        writer.writerow([spreadsheet_text(str(v)) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def write_csv(plan: Plan, path: Path) -> None:
    """Write the CSV file (UTF-8 with a BOM for Excel)."""
    data = csv_text(plan).encode("utf-8-sig")
    with atomic(path) as handle:
        handle.write(data)


def add_plan_sheet(book: Workbook, plan: Plan | Refused, day: dt.date | None = None) -> None:
    """The 排班 Plan sheet: per queue and period, current and recommended; then the windows.
    Given a refusal instead (too little history for ``day``), the sheet says so and why."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(planning.line("sheet_plan"))
    if isinstance(plan, Refused):
        sheet.append([spreadsheet_text(planning.line("sheet_no_plan", day=day or "-"))])
        sheet["A1"].font = Font(bold=True)
        for text in (plan.zh, plan.en, planning.line("sheet_no_plan_hint")):
            sheet.append([spreadsheet_text(text)])
        sheet.column_dimensions["A"].width = 100
        return
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _flat(plan):
        sheet.append([spreadsheet_text(v) if isinstance(v, str) else v for v in row])
    sheet.freeze_panes = "C2"
    sheet.append([])
    sheet.append([planning.line("rec_windows_title")])
    rec = plan.recommended
    if rec is not None:
        for p, windows in enumerate(rec.staffing):
            sheet.append([plan.learned.span.label(p), ", ".join(str(w) for w in sorted(windows))])
    sheet.append([])
    for key, value in _about(plan):
        sheet.append([key, value])


def _about(plan: Plan) -> list[tuple[str, str]]:
    rec = plan.recommended
    return [
        (planning.line("about_day"), plan.learned.day.isoformat()),
        (planning.line("about_target"), f"{plan.share:.0%} ≤ {plan.target_minutes:g} min"),
        (planning.line("about_source"), plan.source),
        (planning.line("about_whatif"), "; ".join(plan.whatif.describe()) or "-"),
        (planning.line("about_runs"), f"{plan.current.replications} (seed {plan.seed})"),
        (
            planning.line("about_hours"),
            f"{plan.current.window_hours():.1f} → "
            + (f"{rec.outcome.window_hours():.1f}" if rec else "-"),
        ),
    ]


def write_xlsx(plan: Plan, path: Path) -> None:
    """Write an XLSX workbook holding the plan sheet."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    add_plan_sheet(book, plan)
    with atomic(path) as handle:
        book.save(handle)
