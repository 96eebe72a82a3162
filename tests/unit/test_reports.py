"""Reports: every figure checked against numbers worked out by hand from a small day in the hall.

The day (2026-11-25, Jinan time), window 18 (马上办, clerk 1001) and window 1 (不动产, clerk 1002):

| ticket | status      | issued | called | wait | started | finished | service |
|--------|-------------|--------|--------|------|---------|----------|---------|
| M001   | done (M01)  | 09:00  | 09:10  | 10   | 09:11   | 09:19    | 8 > 5 (item M01) |
| M002   | missed      | 09:05  | 09:40  | 35>30|         |          |         |
| M003   | done        | 09:06  | 09:46  | 40>30| 09:46   | 09:50    | 4       |
| A002→M | done (from A002) | 09:10 | 09:55 | 5*   | 09:55   | 10:15    | 20 > 5  |
| A001   | void (2 misses, requeued once) | 09:00 | 10:31 | 91>60 | | |       |
| A002   | transferred to M | 09:10 | 09:35 | 25 | 09:36 | 09:50    | 14      |
| A003   | done        | 09:15  | 10:00  | 45   | 10:00   | 10:30    | 30 > 15 |
| A004   | waiting     | 10:40  |        |      |         |          |         |

A002→M is the ticket the transfer made in M: it shows A002 (the number on the citizen's slip),
keeps A002's issue time and took M's sequence 4 (no M004 is ever shown). *Its wait runs from
the transfer (09:50). The transferred citizen is one citizen: issued once (in A), called in A and
in M, served once (in M).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.errors import Refused
from models.queue import calling, serving
from models.queue.tickets import take_ticket
from models.reports.report import Report, ReportRow, issued_per, p90_minutes, report
from models.reports.sql import offset_spans
from models.tables import Case, Rating, Ticket
from tests.conftest import CST, open_window

DAY = dt.date(2026, 11, 25)
LATER = dt.datetime(2026, 12, 10, 10, 0, tzinfo=CST)
"""When the report is made: cases promised for 12-01 and not ready are overdue by then."""


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=CST)


def _day_in_the_hall(engine: Engine) -> None:
    open_window(engine, 18, "1001")
    open_window(engine, 1, "1002")
    take_ticket(engine, queue="M", item="M01", now=at("09:00"))  # M001
    take_ticket(engine, queue="A", now=at("09:00"))  # A001
    take_ticket(engine, queue="M", now=at("09:05"))  # M002
    take_ticket(engine, queue="M", now=at("09:06"))  # M003
    take_ticket(engine, queue="A", now=at("09:10"))  # A002
    assert calling.call_next(engine, window=18, now=at("09:10")).number == "M001"
    serving.start(engine, window=18, now=at("09:11"))
    take_ticket(engine, queue="A", now=at("09:15"))  # A003
    serving.finish(engine, window=18, now=at("09:19"))
    assert calling.call_next(engine, window=1, now=at("09:20")).number == "A001"
    serving.mark_no_show(engine, window=1, now=at("09:21"))
    serving.requeue(engine, number="A001", now=at("09:25"))  # behind A002 and A003
    assert calling.call_next(engine, window=1, now=at("09:35")).number == "A002"
    serving.start(engine, window=1, now=at("09:36"))
    assert calling.call_next(engine, window=18, now=at("09:40")).number == "M002"
    serving.mark_no_show(engine, window=18, now=at("09:45"))
    assert calling.call_next(engine, window=18, now=at("09:46")).number == "M003"
    serving.start(engine, window=18, now=at("09:46"))
    serving.finish(engine, window=18, now=at("09:50"))
    assert serving.transfer(engine, window=1, to_queue="M", now=at("09:50")).number == "A002"
    assert calling.call_next(engine, window=18, now=at("09:55")).number == "A002"
    serving.start(engine, window=18, now=at("09:55"))
    serving.finish(engine, window=18, now=at("10:15"))
    assert calling.call_next(engine, window=1, now=at("10:00")).number == "A003"
    serving.start(engine, window=1, now=at("10:00"))
    serving.finish(engine, window=1, now=at("10:30"))
    assert calling.call_next(engine, window=1, now=at("10:31")).number == "A001"
    assert serving.mark_no_show(engine, window=1, now=at("10:32")).status == "void"
    take_ticket(engine, queue="A", now=at("10:40"))  # A004, never called
    _ratings_and_cases(engine)


def _ratings_and_cases(engine: Engine) -> None:
    utc = dt.UTC
    first, fifth = dt.date(2026, 12, 1), dt.date(2026, 12, 5)
    with Session(engine) as session:
        # The ticket a transfer made shows the first one's number: A002→M is the second A002.
        ids = {
            t.number if t.parent_id is None else f"{t.number}→M": t.id
            for t in session.exec(select(Ticket)).all()
        }

        def rating(number: str, level: int, window: int, clerk: str) -> Rating:
            ticket_id = ids[number]
            assert ticket_id is not None
            return Rating(
                ticket_id=ticket_id, window=window, clerk_code=clerk, level=level,
                reason="等太久" if level <= 2 else "", rated_at=at("10:40"),
            )  # fmt: skip

        def case(n: int, number: str, promised: dt.date | None, **times: dt.datetime) -> Case:
            ticket_id = ids[number]
            assert ticket_id is not None
            return Case(
                case_number=f"T{n}", ticket_id=ticket_id, item_code="A01", window=1,
                accepted_at=at("10:30"), promised_date=promised, pickup_code=f"{n:06d}",
                state="ready" if times else "accepted", **times,
            )  # fmt: skip

        session.add_all(
            [
                rating("M001", 5, 18, "1001"),
                rating("M003", 2, 18, "1001"),
                rating("A002→M", 5, 18, "1001"),
                rating("A003", 4, 1, "1002"),
                # ready 23:30 Jinan time on the promised day: on time
                case(1, "A003", first, ready_at=dt.datetime(2026, 12, 1, 15, 30, tzinfo=utc)),
                # ready 00:30 Jinan time the day after (still 12-01 in UTC): overdue
                case(2, "A002", first, ready_at=dt.datetime(2026, 12, 1, 16, 30, tzinfo=utc)),
                case(3, "M003", dt.date(2026, 12, 1)),  # not ready, past due: overdue
                case(4, "A002→M", dt.date(2026, 12, 20)),  # not ready, not yet due: neither
                # never marked ready, picked up before the promised date: on time
                case(5, "M001", fifth, picked_up_at=at("10:00", dt.date(2026, 12, 4))),
                case(6, "M001", None),  # an instant item's 办结单: no promise, not counted
            ]
        )  # fmt: skip
        session.commit()


@pytest.fixture
def hall(engine: Engine) -> Engine:
    _day_in_the_hall(engine)
    return engine


def _by(rep: Report) -> dict[str, ReportRow]:
    return {row.key: row for row in rep.rows}


def test_by_queue_counted_by_hand(hall: Engine) -> None:
    rep = report(hall, start=DAY, end=DAY, by="queue", now=LATER)
    assert [row.key for row in rep.rows] == ["A", "M"]  # hall order, only queues with tickets
    a, m = _by(rep)["A"], _by(rep)["M"]
    assert (m.label_zh, m.label_en) == ("M 马上办", "M Instant service")
    # M: 3 issued (A002→M was issued in A), 4 called; M001, M003, A002→M done; M002 missed
    assert (m.issued, m.called, m.served, m.no_shows) == (3, 4, 3, 1)
    assert m.no_show_rate == pytest.approx(1 / 4)
    # waits 10, 35, 40, 5: mean 22.5; p90 is the 4th of 4 (⌈3.6⌉); 35 and 40 exceed 30
    assert (m.wait_mean, m.wait_p90, m.wait_max, m.wait_breaches) == (22.5, 40, 40, 2)
    # services 8 (limit 5 of M01), 4, 20 (limit 5 of M): mean 32/3, p90 the 3rd of 3
    assert m.services == 3
    assert m.service_mean == pytest.approx(32 / 3)
    assert (m.service_p90, m.service_max, m.service_breaches) == (20, 20, 2)
    assert m.ratings == (2, 0, 0, 1, 0)
    assert (m.cases, m.cases_on_time, m.cases_overdue) == (3, 1, 1)
    # A: A001-A004 issued, A004 never called; A003 done; A001 void after two misses
    assert (a.issued, a.called, a.served, a.no_shows) == (4, 3, 1, 1)
    assert a.no_show_rate == pytest.approx(1 / 3)
    # waits 91 (the last call of the requeued A001), 25, 45; only 91 exceeds 60
    assert a.wait_mean == pytest.approx(161 / 3)
    assert (a.wait_p90, a.wait_max, a.wait_breaches) == (91, 91, 1)
    # services 14 (A002 until its transfer) and 30 (A003); limit 15 for A
    assert (a.services, a.service_mean, a.service_p90, a.service_max) == (2, 22, 30, 30)
    assert a.service_breaches == 1
    assert a.ratings == (0, 1, 0, 0, 0)
    assert (a.cases, a.cases_on_time, a.cases_overdue) == (2, 1, 1)


def test_totals_row(hall: Engine) -> None:
    t = report(hall, start=DAY, end=DAY, by="queue", now=LATER).total
    assert (t.key, t.label_zh, t.label_en) == ("total", "合计", "Total")
    # 7 citizens took a number; A002 was called in A and again in M
    assert (t.issued, t.called, t.served, t.no_shows) == (7, 7, 4, 2)
    assert t.no_show_rate == pytest.approx(2 / 7)
    # waits 10 35 40 5 91 25 45: mean 251/7, p90 the 7th of 7 (⌈6.3⌉)
    assert t.wait_mean == pytest.approx(251 / 7)
    assert (t.wait_p90, t.wait_max, t.wait_breaches) == (91, 91, 3)
    # services 8 4 20 14 30: mean 15.2, p90 the 5th of 5 (⌈4.5⌉)
    assert (t.services, t.service_p90, t.service_max, t.service_breaches) == (5, 30, 30, 3)
    assert t.service_mean == pytest.approx(15.2)
    assert t.ratings == (2, 1, 0, 1, 0)
    assert (t.cases, t.cases_on_time, t.cases_overdue) == (5, 2, 2)


def test_by_window_clerk_item(hall: Engine) -> None:
    windows = _by(report(hall, start=DAY, end=DAY, by="window", now=LATER))
    assert list(windows) == ["1", "18", ""]  # A004 never reached a window: a row of its own
    assert (windows["18"].issued, windows["1"].issued, windows[""].issued) == (3, 3, 1)
    assert windows["1"].label_zh == "1 号窗口" and windows[""].label_zh == "（无）"
    assert (windows["1"].called, windows["1"].wait_max, windows[""].called) == (3, 91, 0)
    assert windows[""].wait_mean is None and windows[""].no_show_rate is None
    clerks = _by(report(hall, start=DAY, end=DAY, by="clerk", now=LATER))
    assert clerks["1001"].label_zh == "1001 王芳"
    assert (clerks["1001"].served, clerks["1002"].served, clerks[""].issued) == (3, 1, 1)
    assert clerks["1002"].ratings == (0, 1, 0, 0, 0)
    items = _by(report(hall, start=DAY, end=DAY, by="item", now=LATER))
    assert items["M01"].label_zh == "M01 不动产登记信息查询"
    assert (items["M01"].issued, items["M01"].service_breaches, items[""].issued) == (1, 1, 6)


def test_by_hour_and_day(hall: Engine) -> None:
    hours = _by(report(hall, start=DAY, end=DAY, by="hour", now=LATER))
    assert list(hours) == ["09", "10"]  # the hall's local hour of issue, not UTC's 01 and 02
    assert (hours["09"].issued, hours["10"].issued) == (6, 1)
    assert hours["09"].label_zh == "09:00–10:00"
    days = _by(report(hall, start=DAY - dt.timedelta(days=3), end=DAY, by="day", now=LATER))
    assert list(days) == ["2026-11-25"]
    assert days["2026-11-25"].served == 4
    assert issued_per(hall, start=DAY, end=DAY, unit="hour") == [("09:00", 6), ("10:00", 1)]
    assert issued_per(hall, start=DAY, end=DAY, unit="day") == [("2026-11-25", 7)]


def test_cases_not_yet_due_when_made_earlier(hall: Engine) -> None:
    # Made on 11-30, nothing is due yet: only ready cases count, and case 2's lateness stands.
    t = report(hall, start=DAY, end=DAY, by="queue", now=at("10:00", dt.date(2026, 11, 30)))
    assert (t.total.cases, t.total.cases_on_time, t.total.cases_overdue) == (5, 2, 1)


def test_range_outside_the_tickets_is_empty(hall: Engine) -> None:
    rep = report(hall, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), by="day")
    assert rep.rows == [] and rep.total.issued == 0 and rep.total.wait_p90 is None


def test_refusals(engine: Engine) -> None:
    with pytest.raises(Refused) as info:
        report(engine, start=DAY, end=DAY, by="month")
    assert info.value.key == "report_bad_by" and "分组" in info.value.zh
    with pytest.raises(Refused) as info:
        report(engine, start=DAY, end=DAY - dt.timedelta(days=1))
    assert info.value.key == "report_bad_range" and "晚于" in info.value.zh


def test_p90_nearest_rank() -> None:
    assert p90_minutes(Counter(), 0) is None
    assert p90_minutes(Counter({3: 1}), 1) == 3
    # ten values 1..10: the 9th; eleven values: the 10th (⌈9.9⌉)
    assert p90_minutes(Counter(range(1, 11)), 10) == 9
    assert p90_minutes(Counter(range(1, 12)), 11) == 10


def test_offset_spans_follow_a_zone_change() -> None:
    assert offset_spans("Asia/Shanghai", dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        (None, 480)
    ]
    # Berlin moves to summer time at 01:00 UTC on 2026-03-29
    spans = offset_spans("Europe/Berlin", dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    assert spans == [(None, 60), (dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), 120)]
