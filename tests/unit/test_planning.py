"""The staffing planner: against Erlang C, reproducible with a seed, refusing thin history,
what-ifs moving the figures the right way, a recommendation that meets its target (and one
window fewer does not), and ``mashangban plan`` in 80 columns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import statistics
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rich.cells import cell_len
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from models.errors import Refused
from models.planning.plan import failing, meets, recommend, run
from models.planning.planner import make_plan
from models.planning.simulate import Day, DayModel, QueueModel, draw_arrivals, simulate
from models.queue.ticketrows import T
from models.tables import Queue

runner = CliRunner()
TODAY = dt.date(2026, 11, 25)  # a Wednesday; the plan is for Thursday the 26th


def _exponential(mean_s: float, n: int = 20000) -> tuple[float, ...]:
    """Exponential service times as evenly spaced quantiles (drawn uniformly: exponential)."""
    return tuple(-math.log(1 - (i + 0.5) / n) * mean_s for i in range(n))


def _one_queue(
    rate_per_hour: float, windows: int, periods: int = 16, mean_s: float = 600
) -> DayModel:
    return DayModel(
        queues=(QueueModel("A", (rate_per_hour,) * periods, ("",), (1.0,)),),
        windows=tuple((n, ("A",)) for n in range(1, windows + 1)),
        services={"": _exponential(mean_s)},
        period_s=3600,
        periods=periods,
        staffing=(frozenset(range(1, windows + 1)),) * periods,
        walk_s=0.0,
    )


def _erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """(probability of waiting, mean wait) of M/M/c."""
    a = lam / mu
    top = a**c / math.factorial(c) / (1 - a / c)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


@pytest.mark.parametrize(("c", "rho"), [(3, 0.8), (5, 0.7)])
def test_one_queue_agrees_with_erlang_c(c: int, rho: float) -> None:
    mu = 1 / 600
    lam = rho * c * mu
    model = _one_queue(lam * 3600, c)
    p_waits, means = [], []
    for seed in range(300):
        rep = simulate(model, seed)
        waits = [w for p in range(2, model.periods) for w in rep.waits[0][p]]  # warmed up
        p_waits.append(sum(1 for w in waits if w > 0) / len(waits))
        means.append(statistics.fmean(waits))
    p_theory, mean_theory = _erlang_c(lam, mu, c)
    for simulated, theory in ((p_waits, p_theory), (means, mean_theory)):
        centre = statistics.fmean(simulated)
        half = 3 * statistics.stdev(simulated) / math.sqrt(len(simulated))  # 99.7 %
        assert abs(centre - theory) <= half, (centre, half, theory)


def test_a_seed_reproduces_the_figures() -> None:
    model = _one_queue(20, 4)
    first = run(model, replications=5, seed=7)
    again = run(model, replications=5, seed=7)
    other = run(model, replications=5, seed=8)
    assert first.day == again.day and first.by_period == again.by_period
    assert first.day != other.day


def _busy(model: DayModel) -> float:
    return run(model, replications=40, seed=3).day.wait_mean_s


def test_what_ifs_move_the_waits_the_right_way() -> None:
    base = dataclasses.replace(
        _one_queue(22, 4, periods=8, mean_s=540),
        queues=(QueueModel("A", (22.0,) * 8, ("M05", "M06"), (1.0, 1.0)),),
        services={"": _exponential(540), "M05": _exponential(540), "M06": _exponential(540)},
    )
    plain = run(base, replications=40, seed=3)
    more = _busy(dataclasses.replace(base, arrival_factor=1.2))
    slower = _busy(dataclasses.replace(base, extra_s={"M05": 120.0}))
    assert more > plain.day.wait_mean_s * 1.2
    assert slower > plain.day.wait_mean_s * 1.1
    closed = run(dataclasses.replace(base, closed_from={4: 4 * 3600.0}), replications=40, seed=3)
    before = [f.wait_mean_s for f in plain.by_period[:3]]
    assert [f.wait_mean_s for f in closed.by_period[:3]] == before  # closing at 4 h: not before
    later = sum(f.wait_mean_s for f in closed.by_period[5:])
    assert later > 2 * sum(f.wait_mean_s for f in plain.by_period[5:])
    assert closed.window_hours() == pytest.approx(plain.window_hours() - 4)


def test_the_recommendation_meets_the_target_and_one_window_fewer_does_not() -> None:
    rates = (10, 30, 45, 30, 12, 25, 35, 15)
    model = dataclasses.replace(
        _one_queue(0, 8, periods=8, mean_s=420),
        queues=(QueueModel("A", tuple(float(r) for r in rates), ("",), (1.0,)),),
        target_s=600,
    )
    rec = recommend(model, share=0.85, replications=40, seed=5)
    assert rec.met and not rec.short
    assert meets(rec.outcome, 0.85)
    counts = [len(s) for s in rec.staffing]
    assert counts[2] > counts[0]  # the busy period gets more windows than the quiet start
    busiest = max(range(len(counts)), key=lambda p: rates[p])
    fewer = list(rec.staffing)
    fewer[busiest] = frozenset(sorted(fewer[busiest])[:-1])
    outcome = run(dataclasses.replace(model, staffing=tuple(fewer)), replications=40, seed=5)
    assert failing(outcome, busiest, 0.85)
    assert rec.outcome.window_hours() < 8 * 8  # cheaper than every window all day
    # The figures shown are those of the recommended day simulated from its start.
    again = run(dataclasses.replace(model, staffing=rec.staffing), replications=40, seed=5)
    assert rec.outcome.by_period == again.by_period and rec.outcome.day == again.day


def test_a_day_resumed_at_a_period_is_the_day_run_from_the_start() -> None:
    """The recommender resumes each replication from a period's start: no-shows coming back,
    transfers and priority runs must carry on exactly as if the morning had been run again."""
    periods = 6
    model = DayModel(
        queues=(
            QueueModel("A", (40.0,) * periods, ("",), (1.0,), priority_share=0.2, no_show=0.1,
                       returns=0.6, transfer=0.2, transfer_to=(("B", 1.0),)),
            QueueModel("B", (15.0,) * periods, ("",), (1.0,), no_show=0.05, returns=0.5),
        ),
        windows=((1, ("A",)), (2, ("A", "B")), (3, ("B", "A")), (4, ("A",))),
        services={"": _exponential(300)},
        period_s=3600,
        periods=periods,
        staffing=(frozenset({1, 2, 3}),) * periods,
    )  # fmt: skip
    arrivals = draw_arrivals(model, 4)
    morning = Day(model, arrivals)
    morning.advance(3 * 3600)
    later = dataclasses.replace(
        model, staffing=model.staffing[:3] + (frozenset({1, 2, 3, 4}),) * (periods - 3)
    )
    whole = morning.resumed(later)
    whole.advance()
    assert whole.result() == simulate(later, 4, arrivals=arrivals)
    # A look: the tickets cut after period 3, the windows then serving until nobody waits.
    look = morning.resumed(later, horizon=4)
    look.advance()
    cut = simulate(later, 4, horizon=4, arrivals=arrivals)
    assert look.result() == cut
    assert [sorted(w) for w in look.waits_in(3)] == [sorted(queue[3]) for queue in cut.waits]
    # The morning kept is untouched by the days resumed from it.
    fewer = dataclasses.replace(model, staffing=model.staffing[:3] + (frozenset({1}),) * 3)
    again = morning.resumed(fewer)
    again.advance()
    assert again.result() == simulate(fewer, 4, arrivals=arrivals) != whole.result()


# --- with a database: history in the hall's tables ---


def _fill(engine: Engine, weeks: int, per_day: int = 60) -> None:
    """``weeks`` of working days before TODAY: queue A, one window's worth of citizens."""
    rng = random.Random(11)
    with engine.begin() as conn:
        queue_id = conn.execute(select(Queue.id).where(Queue.prefix == "A")).scalar_one()  # type: ignore[arg-type]
        rows = []
        for back in range(1, weeks * 7 + 1):
            day = TODAY - dt.timedelta(days=back)
            if day.weekday() >= 5:
                continue
            start = dt.datetime.combine(day, dt.time(0, 30), tzinfo=dt.UTC)  # 08:30 local
            free = start
            for seq in range(1, per_day + 1):
                issued = start + dt.timedelta(minutes=seq * 4 + rng.random() * 3)
                called = max(issued, free)
                started = called + dt.timedelta(seconds=20)
                finished = started + dt.timedelta(seconds=rng.uniform(120, 300))
                free = finished
                rows.append({
                    "business_date": day, "queue_id": queue_id, "seq": seq,
                    "number": f"A{seq:03d}", "item_code": None, "priority": "normal",
                    "status": "done", "order_key": float(seq), "issued_at": issued,
                    "called_at": called, "started_at": started, "finished_at": finished,
                    "window": 1, "clerk_code": None, "recalls": 0, "misses": 0,
                    "token": uuid.uuid4().hex[:16],
                })  # fmt: skip
        conn.execute(T.insert(), rows)


def test_too_little_history_is_refused(engine: Engine) -> None:
    _fill(engine, weeks=3)
    with pytest.raises(Refused) as caught:
        make_plan(engine, day=TODAY + dt.timedelta(days=1), today=TODAY, replications=3)
    assert caught.value.key == "plan_history_short"
    assert "3" in caught.value.en and "4" in caught.value.en and "历史记录不足" in caught.value.zh


def test_a_plan_from_history(engine: Engine) -> None:
    _fill(engine, weeks=5)
    plan = make_plan(engine, day=TODAY + dt.timedelta(days=1), today=TODAY, replications=10)
    learned = plan.learned
    assert learned.days_used == 5
    a = next(q for q in learned.model.queues if q.prefix == "A")
    assert sum(a.rates) == pytest.approx(60, abs=1)  # the citizens of a Thursday
    assert plan.source.startswith("day:2026-11-19")  # no window open now: last Thursday's
    assert plan.current.day.citizens == pytest.approx(60, rel=0.3)
    assert plan.recommended is not None and plan.recommended.met


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T18:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)
    engine = make_engine(db_url)
    try:
        _fill(engine, weeks=5)
    finally:
        engine.dispose()
    return db_url


def _plan(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, "plan", "--runs", "8", *args], env={"COLUMNS": "80"})
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_table_fits_80_columns(cli_db: str) -> None:
    out = _plan(cli_db, "--chart", "--close", "1@14:00")
    assert "2026-11-26 排班测算" in out and "Staffing plan for 2026-11-26" in out
    assert "达标" in out and "≤15m" in out and "窗口工时" in out and "window-hours" in out
    assert "close 1 from 14:00" in out and "█" in out
    wide = [line for line in out.splitlines() if cell_len(line) > 80]
    assert not wide, wide


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_json_is_reproducible_with_a_seed(cli_db: str) -> None:
    first = json.loads(_plan(cli_db, "--json", "--seed", "4", "--more", "20"))
    again = json.loads(_plan(cli_db, "--json", "--seed", "4", "--more", "20"))
    assert first == again
    assert first["what_if"] == ["arrivals +20%"] and first["target"]["minutes"] == 15
    assert first["periods"][0]["start"] == "08:30"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_refusals_are_bilingual(cli_db: str, tmp_path: object) -> None:
    out = _plan(cli_db, "--weeks", "2", code=1)
    assert "历史记录不足" in out and "not enough history" in out
    out = _plan(cli_db, "--close", "12 at two", code=1)
    assert "看不懂的假设" in out and "not understood" in out
    out = _plan(cli_db, "--close", "99@14:00", code=1)
    assert "99" in out and "no window 99" in out


def test_the_first_working_day_after_a_holiday() -> None:
    from models.workdays import after_break

    assert after_break(dt.date(2026, 10, 8))  # after National Day (10-01 … 10-07)
    assert not after_break(dt.date(2026, 10, 9))
    assert not after_break(dt.date(2026, 10, 5))  # a holiday is no working day
    assert not after_break(dt.date(2026, 11, 23))  # a Monday after a plain weekend
    assert not after_break(dt.date(2026, 11, 24))


# --- the 排班 Plan sheet in the report's XLSX ---


def _report(db: str, *args: str, code: int = 0) -> tuple[str, str]:
    result = runner.invoke(app, ["--db", db, "report", *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout, result.stderr


def _cells(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_xlsx_report_carries_tomorrows_plan(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    _report(cli_db, "--from", "2026-11-23", "--to", "2026-11-25", "--out", str(target),
            "--plan", "next")  # fmt: skip
    book = load_workbook(target)
    assert book.sheetnames == ["报表 Report", "说明 About", "排班 Plan"]
    rows = _cells(book["排班 Plan"])
    assert rows[0][:4] == ["队列 Queue", "时段 period", "排班 plan", "窗口 windows"]
    first = rows[1]
    assert first[:3] == ["*", "08:30", "current"]  # the hall, its first period, now
    queue_a = [r for r in rows if r[0] == "A" and r[2] == "recommended"]
    assert queue_a, rows[:5]
    day = next(r for r in queue_a if r[1] == "合计")
    assert day[4] == pytest.approx(60, rel=0.3)  # a Thursday's citizens of queue A
    assert 0 <= day[7] <= 1  # the share within the target
    about = {r[0]: r[1] for r in rows if r and r[0] and len(r) > 1}
    assert about["日期 day"] == "2026-11-26"  # the working day after the report's today
    assert about["现有排班来自 current staffing from"] == "day:2026-11-19"
    titles = [r[0] for r in rows]
    assert "建议各时段开放的窗口 Windows to open per period (recommended)" in titles
    sheet = book["排班 Plan"]
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_thin_history_writes_the_report_and_says_why_in_the_plan_sheet(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T18:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)
    engine = make_engine(db_url)
    try:
        _fill(engine, weeks=2)
    finally:
        engine.dispose()
    target = tmp_path / "r.xlsx"
    _, said = _report(db_url, "--out", str(target), "--plan", "2026-11-26")
    assert "未能测算" in said and "not enough history" in said
    book = load_workbook(target)
    assert book["报表 Report"]["A1"].value == "队列"  # the report itself is all there
    rows = [r[0] for r in _cells(book["排班 Plan"])]
    assert rows[0] == "2026-11-26 未能测算排班 No staffing plan for 2026-11-26"
    assert any("历史记录不足" in str(r) and "2" in str(r) for r in rows)
    assert any("not enough history" in str(r) for r in rows)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_plan_sheet_only_goes_into_an_xlsx_report(cli_db: str, tmp_path: Path) -> None:
    _, said = _report(cli_db, "--out", str(tmp_path / "r.csv"), "--plan", "next", code=1)
    assert "xlsx" in said and "排班表" in said
    assert not (tmp_path / "r.csv").exists()
    _, said = _report(cli_db, "--out", str(tmp_path / "r.xlsx"), "--plan", "tomorrow", code=1)
    assert "tomorrow" in said and not (tmp_path / "r.xlsx").exists()


def test_a_queue_no_window_can_help_leaves_the_others_their_windows() -> None:
    """Regression (8dff09b): in a period where queue X misses the target with every window that
    can serve it open, the recommender gave up on the whole period — queue Y there missed too,
    with a window that could serve it left shut. Every miss must be one no window could help."""
    windows = ((1, ("X",)), (2, ("X", "Y")), (3, ("Y",)), (4, ("Y",)), (5, ("Y", "X")), (6, ("Y",)))
    model = DayModel(
        queues=(
            QueueModel("X", (35.0, 15.0, 6.0, 15.0, 6.0), ("",), (1.0,)),  # 35/h: hopeless at 8:00
            QueueModel("Y", (15.0, 20.0, 15.0, 30.0, 3.0), ("",), (1.0,)),
        ),
        windows=windows,
        services={"": _exponential(600, 2000)},
        period_s=3600,
        periods=5,
        staffing=(frozenset(range(1, 7)),) * 5,
        walk_s=0.0,
        target_s=900,
    )
    rec = recommend(model, share=0.85, replications=10, seed=1)
    misses = [(p, q) for p in range(5) for _, q in failing(rec.outcome, p, 0.85)]
    assert (0, "X") in misses  # X really cannot make it in the first hour
    for p, q in misses:
        shut = [n for n, queues in windows if q in queues and n not in rec.staffing[p]]
        assert not shut, (p, q, shut, [sorted(s) for s in rec.staffing])
