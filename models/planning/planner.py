"""``mashangban plan`` in the core: a day learnt, its staffing simulated, what-ifs applied, and
the recommendation beside it.

A plan file is plain text, one instruction a line (``#`` starts a comment)::

    08:30 1-4,9-12,18,21     # from 08:30 these windows are open (until the next such line)
    12:00 -                  # none
    close 12 from 14:00      # what-if: window 12 closes at 14:00
    arrivals +20%            # what-if: a fifth more citizens
    item M05 +2              # what-if: item M05 takes 2 minutes longer
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from models.db import reading
from models.errors import Refused
from models.hall import hall_settings
from models.limits import FIRST_DAY
from models.planning.history import History, Learned, Span, learn, load_history, past_day
from models.planning.plan import Outcome, Recommendation, recommend, run
from models.planning.simulate import Arrivals
from models.tables import Window

PLAN_FILE_MAX_BYTES = 64 * 1024
_TIME = r"([01]?\d|2[0-3]):([0-5]\d)"


@dataclass
class WhatIf:
    """Changes to the learnt day: closures, more arrivals, slower items."""

    close: dict[int, str] = field(default_factory=dict)
    """Window → local time HH:MM it closes from."""
    arrivals_pct: float = 0.0
    slower: dict[str, float] = field(default_factory=dict)
    """Item code → minutes added to each service."""

    def describe(self) -> list[str]:
        """The what-ifs as short lines (language-neutral)."""
        out = [f"close {w} from {t}" for w, t in sorted(self.close.items())]
        if self.arrivals_pct:
            out.append(f"arrivals {self.arrivals_pct:+g}%")
        out += [f"item {code} {m:+g} min" for code, m in sorted(self.slower.items())]
        return out


@dataclass
class PlanFile:
    """A plan file read: staffing from given times, and what-ifs."""

    staffing: list[tuple[str, frozenset[int]]]
    whatif: WhatIf


def _windows(text: str) -> frozenset[int] | None:
    if text == "-":
        return frozenset()
    out: set[int] = set()
    for part in text.split(","):
        m = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", part.strip())
        if not m:
            return None
        first, last = int(m[1]), int(m[2] or m[1])
        if last < first:
            return None
        out.update(range(first, last + 1))
    return frozenset(out)


def parse_whatif(whatif: WhatIf, line: str) -> bool:
    """Add a what-if line's change; False when the line is not one."""
    if m := re.fullmatch(rf"close\s+(\d{{1,3}})\s+from\s+{_TIME}", line):
        whatif.close[int(m[1])] = f"{int(m[2]):02d}:{m[3]}"
    elif m := re.fullmatch(r"arrivals\s+([+-]?\d+(?:\.\d+)?)\s*%", line):
        whatif.arrivals_pct += float(m[1])
    elif m := re.fullmatch(r"item\s+([A-Z0-9]{2,8})\s+([+-]?\d+(?:\.\d+)?)(?:\s*min)?", line):
        whatif.slower[m[1]] = whatif.slower.get(m[1], 0.0) + float(m[2])
    else:
        return False
    return True


def read_plan_file(path: Path) -> PlanFile:
    """Read a plan file; Refused (plan_file_unreadable, plan_file_line) naming the bad line."""
    try:
        with path.open("rb") as handle:
            data = handle.read(PLAN_FILE_MAX_BYTES + 1)
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise Refused("plan_file_unreadable", path=path, reason=reason) from exc
    if len(data) > PLAN_FILE_MAX_BYTES:
        raise Refused("plan_file_unreadable", path=path, reason="too big")
    staffing: list[tuple[str, frozenset[int]]] = []
    whatif = WhatIf()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(rf"{_TIME}\s+(\S+)", line)
        windows = _windows(m[3]) if m else None
        if m and windows is not None:
            staffing.append((f"{int(m[1]):02d}:{m[2]}", windows))
        elif not parse_whatif(whatif, line):
            raise Refused("plan_file_line", path=path, line=number, text=raw.strip()[:80])
    return PlanFile(staffing, whatif)


def staffing_from_times(
    span: Span, lines: list[tuple[str, frozenset[int]]]
) -> tuple[frozenset[int], ...]:
    """Windows per period from "from HH:MM these windows" lines (before the first: none)."""
    marks = sorted((int(t[:2]) * 3600 + int(t[3:]) * 60, w) for t, w in lines)
    out = []
    for p in range(span.periods):
        start = span.start_s + p * span.period_s
        current: frozenset[int] = frozenset()
        for at, windows in marks:
            if at <= start:
                current = windows
        out.append(current)
    return tuple(out)


def open_now(engine: Engine) -> frozenset[int]:
    """The windows with a clerk logged in now."""
    with reading(engine) as session:
        w = Window.__table__.c  # type: ignore[attr-defined]
        rows = session.execute(select(w.number).where(w.clerk_code.is_not(None), w.active))
        return frozenset(int(n) for n in rows.scalars())


@dataclass(frozen=True)
class Plan:
    """Everything ``mashangban plan`` shows."""

    learned: Learned
    source: str
    """Where the current staffing came from: "file", "day:YYYY-MM-DD", "open" or "all"."""
    whatif: WhatIf
    current: Outcome
    recommended: Recommendation | None
    share: float
    target_minutes: float
    seed: int


def apply_whatif(
    learned: Learned, model_staffing: tuple[frozenset[int], ...], whatif: WhatIf
) -> Learned:
    """The learnt day with a staffing and the what-ifs."""
    span = learned.span
    known = {n for n, _ in learned.model.windows}
    for window in whatif.close:
        if window not in known:
            raise Refused("plan_unknown_window", window=window)
    closed = {
        w: float(int(t[:2]) * 3600 + int(t[3:]) * 60 - span.start_s)
        for w, t in whatif.close.items()
    }
    model = dataclasses.replace(
        learned.model,
        staffing=tuple(frozenset(n for n in s if n in known) for s in model_staffing),
        closed_from=closed,
        arrival_factor=max(0.0, 1 + whatif.arrivals_pct / 100),
        extra_s={code: minutes * 60 for code, minutes in whatif.slower.items()},
    )
    return dataclasses.replace(learned, model=model)


def make_plan(
    engine: Engine,
    *,
    day: dt.date,
    today: dt.date,
    period_minutes: int = 30,
    weeks: int = 26,
    target_minutes: float = 15,
    share: float = 0.85,
    replications: int = 100,
    seed: int = 1,
    like: dt.date | None = None,
    plan_file: PlanFile | None = None,
    whatif: WhatIf | None = None,
    with_recommendation: bool = True,
    history: History | None = None,
) -> Plan:
    """Learn ``day`` from the ``weeks`` before ``today``, simulate the current staffing (the plan
    file's, the day ``like``'s, the windows open now, or else the last day of the same weekday)
    and recommend the fewest windows meeting the target."""
    start = max(FIRST_DAY, today - dt.timedelta(weeks=weeks))
    history = history or load_history(engine, start=start, end=today - dt.timedelta(days=1))
    learned = learn(history, day, period_minutes=period_minutes, target_minutes=target_minutes)
    span = learned.span
    whatif = whatif or WhatIf()
    if plan_file is not None:
        whatif.close.update(plan_file.whatif.close)
        whatif.arrivals_pct += plan_file.whatif.arrivals_pct
        for code, minutes in plan_file.whatif.slower.items():
            whatif.slower[code] = whatif.slower.get(code, 0.0) + minutes
    if plan_file is not None and plan_file.staffing:
        staffing, source = staffing_from_times(span, plan_file.staffing), "file"
    elif like is not None:
        if like not in history.by_day:
            history_like = load_history(engine, start=like, end=like)
            if like not in history_like.by_day:
                raise Refused("plan_like_empty", day=like)
            staffing = past_day(history_like, like, span).staffing
        else:
            staffing = past_day(history, like, span).staffing
        source = f"day:{like.isoformat()}"
    elif opened := open_now(engine):
        staffing, source = tuple(opened for _ in range(span.periods)), "open"
    else:
        same = sorted(d for d in history.by_day if d.weekday() == day.weekday() and d < day)
        staffing = past_day(history, same[-1], span).staffing
        source = f"day:{same[-1].isoformat()}"
    learned = apply_whatif(learned, staffing, whatif)
    drawn: dict[tuple[int, int | None], Arrivals] = {}  # the citizens: whatever the staffing
    current = run(learned.model, replications=replications, seed=seed, drawn=drawn)
    rec = (
        recommend(learned.model, share=share, replications=replications, seed=seed, drawn=drawn)
        if with_recommendation
        else None
    )
    return Plan(learned, source, whatif, current, rec, share, target_minutes, seed)


NO_HISTORY = ("plan_history_short", "plan_no_services")
"""The refusals that mean the hall's history is too thin to plan from."""


def plan_or_reason(
    engine: Engine, *, day: dt.date, today: dt.date, replications: int = 100, seed: int = 1
) -> Plan | Refused:
    """The plan for ``day`` with the hall file's target, as ``mashangban plan`` makes it by
    default; or, when the history is too thin, the refusal that says why (for a report's sheet,
    which is written all the same)."""
    with reading(engine) as session:
        settings = hall_settings(session)
    try:
        return make_plan(
            engine, day=day, today=today, target_minutes=settings.plan_target_minutes,
            share=settings.plan_target_share / 100, replications=replications, seed=seed,
        )  # fmt: skip
    except Refused as exc:
        if exc.key in NO_HISTORY:
            return exc
        raise
