"""Rollups of closed days: a report read from them says exactly what counting the tickets says,
and a change to a closed day (a case made ready, a hall reloaded with other limits) is counted.

The day is the hand-counted one of tests/unit/test_reports.py (2026-11-25); its figures are checked
there against numbers worked out by hand, here against the report counted from the tickets.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Engine, func, select

import models.reports.report as reports_module
from models.db import reading
from models.errors import DatabaseError
from models.hall import default_hall_path, parse_hall, store_hall
from models.reports.report import report
from models.reports.sql import BY_CHOICES
from models.supervision.pickup import mark_ready
from models.tables import ReportRollup, ReportRollupDay
from tests.unit.test_reports import DAY, LATER, _by, _day_in_the_hall, at


@pytest.fixture
def hall(engine: Engine) -> Engine:
    _day_in_the_hall(engine)
    return engine


def _rolled_days(engine: Engine, by: str) -> list[dt.date]:
    with reading(engine) as session:
        days = session.execute(
            select(ReportRollupDay.business_date).where(ReportRollupDay.by_kind == by)
        ).scalars()
    return sorted(dt.date.fromisoformat(str(d)[:10]) for d in days)


def _no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the rollups should have been read, not counted again")

    monkeypatch.setattr(reports_module, "build_rollups", refuse)


@pytest.mark.parametrize("by", BY_CHOICES)
def test_every_grouping_reads_from_its_rollups_what_the_tickets_say(
    hall: Engine, by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = DAY - dt.timedelta(days=2)
    counted = report(
        hall, start=start, end=DAY + dt.timedelta(days=20), by=by, now=LATER, rollups=False
    )
    first = report(hall, start=start, end=DAY + dt.timedelta(days=20), by=by, now=LATER)
    # Only closed days from the first ticket on are rolled up; today (12-10) is counted live.
    assert _rolled_days(hall, by) == [DAY + dt.timedelta(days=n) for n in range(15)]
    _no_building(monkeypatch)
    again = report(hall, start=start, end=DAY + dt.timedelta(days=20), by=by, now=LATER)
    assert counted == first == again
    assert counted.total.issued == 7 and counted.rows


def test_a_case_made_ready_after_its_day_was_rolled_up_is_counted(hall: Engine) -> None:
    before = report(hall, start=DAY, end=DAY, now=LATER).total
    assert (before.cases, before.cases_on_time, before.cases_overdue) == (5, 2, 2)
    mark_ready(hall, case_number="T4", now=LATER)  # promised 12-20: on time
    after = report(hall, start=DAY, end=DAY, now=LATER)
    assert (after.total.cases_on_time, after.total.cases_overdue) == (3, 2)
    assert after == report(hall, start=DAY, end=DAY, now=LATER, rollups=False)


def test_a_later_today_turns_a_rolled_up_case_overdue(hall: Engine) -> None:
    # Case 4 (promised 12-20, never ready) is neither on 12-10, overdue on 12-21: the rollup
    # keeps dates, not a verdict.
    assert report(hall, start=DAY, end=DAY, now=LATER).total.cases_overdue == 2
    later = dt.datetime(2026, 12, 21, 9, 0, tzinfo=LATER.tzinfo)
    assert report(hall, start=DAY, end=DAY, now=later).total.cases_overdue == 3


def test_reloading_the_hall_with_other_limits_counts_the_day_again(hall: Engine) -> None:
    m = _by(report(hall, start=DAY, end=DAY, now=LATER))["M"]
    assert m.wait_breaches == 2  # waits 35 and 40 over 30 minutes
    text = default_hall_path().read_text(encoding="utf-8")
    text, found = re.subn(
        r'(prefix = "M"\n(?:.*\n){3,4}?)wait_limit_minutes = 30', r"\1wait_limit_minutes = 45", text
    )
    assert found == 1
    store_hall(hall, parse_hall(text), text)
    assert _by(report(hall, start=DAY, end=DAY, now=LATER))["M"].wait_breaches == 0


def test_a_busy_database_only_makes_the_report_count_from_the_tickets(
    hall: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*_args: object, **_kwargs: object) -> None:
        raise DatabaseError("db_busy")

    monkeypatch.setattr(reports_module, "build_rollups", busy)
    rep = report(hall, start=DAY, end=DAY, now=LATER)
    assert (rep.total.issued, rep.total.served, rep.total.wait_breaches) == (7, 4, 3)
    assert _rolled_days(hall, "queue") == []


def test_today_is_never_rolled_up(hall: Engine) -> None:
    noon = at("12:00")
    assert report(hall, start=DAY, end=DAY, now=noon).total.issued == 7
    assert _rolled_days(hall, "queue") == []
    with reading(hall) as session:
        assert session.execute(select(func.count()).select_from(ReportRollup)).scalar() == 0


def test_reports_rolling_up_the_same_days_at_once_agree(hall: Engine) -> None:
    """Four managers ask at the same moment: each gets the report, whoever stores the rollups."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    counted = report(hall, start=DAY, end=DAY, by="window", now=LATER, rollups=False)
    barrier = Barrier(4)

    def one(_: int) -> object:
        barrier.wait()
        return report(hall, start=DAY, end=DAY, by="window", now=LATER)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    assert all(result == counted for result in results)
    assert _rolled_days(hall, "window") == [DAY]


def test_progress_counts_the_rolling_up_too(hall: Engine) -> None:
    """An export that rolls a year up first moves its bar while it does (it sat at 0)."""
    seen: list[tuple[int, int]] = []
    report(hall, start=DAY, end=DAY, now=LATER, progress=lambda d, t: seen.append((d, t)))
    # 4 queries and 1 store to roll the day up, then the report's 4 parts
    assert seen == [(n, 9) for n in range(1, 10)]
    seen.clear()
    report(hall, start=DAY, end=DAY, now=LATER, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(n, 4) for n in range(1, 5)]


def test_the_nightly_rollup_command_rolls_every_grouping_up(
    hall: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mashangban import app

    monkeypatch.setenv("MASHANGBAN_NOW", LATER.isoformat())
    url = hall.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(app, ["--db", url, "rollup"])
    assert done.exit_code == 0, done.output
    assert "✓ queue  15 天 days covered" in done.output  # 11-25 … 12-09
    closed = [DAY + dt.timedelta(days=n) for n in range(15)]
    assert all(_rolled_days(hall, by) == closed for by in BY_CHOICES)
    _no_building(monkeypatch)  # a report afterwards only reads
    assert report(hall, start=DAY, end=DAY, by="clerk", now=LATER).total.issued == 7
