"""Cases from acceptance to pickup (统一出件), overdue flags, and the `case` commands.

Promised dates are counted by hand on the 2026 official calendar: 国庆 holidays 10-01..10-07
and 10-10 an adjusted working Saturday, as chinese-calendar knows it; the test checks the
calendar it assumes before counting).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from mashangban import app
from models.db import reading, writing
from models.errors import NotFound, Refused
from models.events import verify_chain
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.cases import open_case
from models.supervision.pickup import list_cases, mark_ready, pickup
from models.tables import Case, Event
from tests.conftest import CST, NOW, open_window

runner = CliRunner()


def accept(engine, item: str = "D01", *, at: dt.datetime = NOW, window: int = 13) -> Case:
    """A citizen served at a window for an item with promised days: the case it opens."""
    take_ticket(engine, item=item, now=at)
    open_window(engine, window)  # logging in again where one is, is allowed
    call_next(engine, window=window, now=at)
    finish(engine, window=window, now=at)
    with reading(engine) as session:
        case = session.exec(select(Case).order_by(Case.id.desc())).first()
        assert case is not None
        session.expunge(case)
        return case


def test_a_case_goes_accepted_ready_picked_up_with_events(engine) -> None:
    case = accept(engine)
    assert case.promised_date == dt.date(2026, 12, 2)  # Wed + 5 working days
    ready = mark_ready(engine, case_number=case.case_number, now=NOW + dt.timedelta(days=2))
    assert ready.case.state == "ready" and not ready.overdue
    done = pickup(engine, code=case.pickup_code, window=21, now=NOW + dt.timedelta(days=3))
    assert done.case.state == "picked_up"
    assert done.picked_up_at == NOW + dt.timedelta(days=3)
    with reading(engine) as session:
        kinds = [e.kind for e in session.exec(select(Event).order_by(Event.seq)).all()]
    assert kinds[-2:] == ["case_ready", "case_picked_up"]
    assert verify_chain(engine).broken_at is None


def test_a_wrong_used_or_early_pickup_code_is_refused_clearly(engine) -> None:
    case = accept(engine)
    with pytest.raises(Refused) as early:
        pickup(engine, code=case.pickup_code, now=NOW)
    assert "尚未办结" in early.value.zh and "not ready" in early.value.en
    with pytest.raises(Refused) as wrong:
        pickup(engine, code="000000" if case.pickup_code != "000000" else "999999", now=NOW)
    assert "不正确" in wrong.value.zh
    mark_ready(engine, case_number=case.case_number, now=NOW)
    pickup(engine, code=case.pickup_code, now=NOW)
    with pytest.raises(Refused) as used:
        pickup(engine, code=case.pickup_code, now=NOW)
    assert "已经领取过" in used.value.zh and "already been collected" in used.value.en


def test_an_instant_items_case_has_no_pickup_code_and_nothing_to_collect(engine) -> None:
    # 马上办: handed over at the window; its 办结单 case stores no pickup code.
    take_ticket(engine, item="M05", now=NOW)
    open_window(engine, 18)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    slip = open_case(engine, ticket_number="M001", now=NOW)
    assert slip.state == "done" and slip.promised_date is None
    assert slip.pickup_code == ""
    with pytest.raises(Refused) as empty:
        pickup(engine, code="  ", now=NOW)
    assert "不正确" in empty.value.zh


def test_ready_is_refused_twice_and_for_an_unknown_case(engine) -> None:
    case = accept(engine)
    mark_ready(engine, case_number=case.case_number, now=NOW)
    with pytest.raises(Refused) as twice:
        mark_ready(engine, case_number=case.case_number, now=NOW)
    assert "ready" in twice.value.en
    with pytest.raises(NotFound):
        mark_ready(engine, case_number="20991231-0001", now=NOW)


def test_overdue_means_not_ready_after_the_promised_date(engine) -> None:
    late = accept(engine)  # promised 2026-12-02
    on_time = accept(engine)
    mark_ready(engine, case_number=on_time.case_number, now=NOW)
    on_the_day = dt.datetime(2026, 12, 2, 16, 0, tzinfo=CST)
    assert [c.overdue for c in list_cases(engine, now=on_the_day)] == [False, False]
    next_day = dt.datetime(2026, 12, 3, 9, 0, tzinfo=CST)
    overdue = list_cases(engine, overdue=True, now=next_day)
    assert [line.case.case_number for line in overdue] == [late.case_number]
    assert overdue[0].days_left == -1


def test_promised_dates_skip_the_national_day_holiday_and_count_the_adjusted_saturday(
    engine,
) -> None:
    # Accepted Tue 2026-09-29 with 5 working days: 09-30, (10-01..10-07 holiday),
    # 10-08, 10-09, 10-10 (Saturday, an adjusted working day), 10-12 → 2026-10-12.
    at = dt.datetime(2026, 9, 29, 10, 0, tzinfo=CST)
    from models.workdays import is_workday

    assert is_workday(dt.date(2026, 10, 10)) == (True, False), "the calendar this test assumes"
    assert is_workday(dt.date(2026, 10, 5)) == (False, False)
    case = accept(engine, at=at)
    expected = [dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 10, 9)]
    expected += [dt.date(2026, 10, 10), dt.date(2026, 10, 12)]
    assert case.promised_date == expected[-1] and not case.provisional


def test_pickup_codes_are_unique_among_open_cases(engine, monkeypatch) -> None:
    import models.supervision.cases

    digits = iter([123456, 123456, 654321])
    monkeypatch.setattr(models.supervision.cases.secrets, "randbelow", lambda _n: next(digits))
    first, second = accept(engine), accept(engine)
    assert (first.pickup_code, second.pickup_code) == ("123456", "654321")


def test_an_old_receipts_code_is_not_given_to_a_new_case(engine, monkeypatch) -> None:
    """A case picked up last month keeps its code from new cases: its old receipt must not
    collect someone else's result. Two years on, the code is free again."""
    import models.supervision.cases

    first = accept(engine, at=NOW)
    mark_ready(engine, case_number=first.case_number, now=NOW + dt.timedelta(days=7))
    pickup(engine, code=first.pickup_code, window=21, now=NOW + dt.timedelta(days=8))
    digits = iter([int(first.pickup_code), 111111, int(first.pickup_code)])
    monkeypatch.setattr(models.supervision.cases.secrets, "randbelow", lambda _n: next(digits))
    month_later = accept(engine, at=NOW + dt.timedelta(days=30))
    assert month_later.pickup_code == "111111"
    years_later = accept(engine, at=NOW + dt.timedelta(days=800))
    assert years_later.pickup_code == first.pickup_code


def test_a_pickup_at_an_unknown_window_is_refused_and_nothing_changes(engine) -> None:
    case = accept(engine)
    mark_ready(engine, case_number=case.case_number, now=NOW + dt.timedelta(days=1))
    with pytest.raises(NotFound) as refused:
        pickup(engine, code=case.pickup_code, window=30, now=NOW + dt.timedelta(days=2))
    assert refused.value.key == "unknown_window"
    with reading(engine) as session:
        assert session.exec(select(Case)).one().state == "ready"


def test_marking_a_picked_up_case_ready_again_says_its_state_in_chinese(engine) -> None:
    case = accept(engine)
    mark_ready(engine, case_number=case.case_number, now=NOW + dt.timedelta(days=1))
    with pytest.raises(Refused) as refused:
        mark_ready(engine, case_number=case.case_number, now=NOW + dt.timedelta(days=1))
    assert "现为待取件" in refused.value.zh and "it is ready" in refused.value.en


def cli(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


def test_the_case_commands(db_url, engine, monkeypatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-12-03T09:00:00+08:00")
    late, fine = accept(engine), accept(engine)
    listed = cli(db_url, "case", "list")
    assert late.case_number in listed and "逾期 1 天" in listed
    assert "2 件 cases · 2 件逾期" in listed
    cli(db_url, "case", "ready", fine.case_number)
    only = json.loads(cli(db_url, "case", "list", "--overdue", "--json"))
    assert [c["case"] for c in only] == [late.case_number] and only[0]["overdue"]
    assert "已取件" in cli(db_url, "case", "pickup", fine.pickup_code, "--window", "21")
    refused = cli(db_url, "case", "pickup", fine.pickup_code, code=1)
    assert "已经领取过" in refused and "already been collected" in refused
    assert "没有这个办件" in cli(db_url, "case", "ready", "nope", code=1)
    with writing(engine) as session:  # nothing else changed
        assert session.exec(select(Case).where(Case.state == "accepted")).one().id == late.id


def test_case_list_keeps_to_the_dates_asked_for(db_url, engine) -> None:
    older = accept(engine, at=NOW)
    newer = accept(engine, at=NOW + dt.timedelta(days=1))
    since = json.loads(cli(db_url, "case", "list", "--from", "2026-11-26", "--json"))
    assert [c["case"] for c in since] == [newer.case_number]
    until = json.loads(cli(db_url, "case", "list", "--to", "2026-11-25", "--json"))
    assert [c["case"] for c in until] == [older.case_number]
    both = cli(db_url, "case", "list", "--from", "2026-11-25", "--to", "2026-11-26")
    assert older.case_number in both and newer.case_number in both
    bad = cli(db_url, "case", "list", "--from", "2026-13-01", code=1)
    assert "日期格式不对" in bad
    backwards = cli(db_url, "case", "list", "--from", "2026-11-26", "--to", "2026-11-25", code=1)
    assert "晚于" in backwards
