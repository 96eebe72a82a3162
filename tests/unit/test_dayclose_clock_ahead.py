"""A wrong clock must never close the real day: a host a day ahead takes "tomorrow's" first
number, or runs close-day, and today's waiting citizens keep their tickets; a day still active
is held until it has been quiet, and a supervisor can force it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from models.errors import Refused
from models.queue.dayclose import close_past_days
from models.queue.tickets import take_ticket
from tests.conftest import CST
from tests.unit.test_dayclose import statuses
from tests.unit.test_take import round_the_clock

DAY = dt.date(2026, 11, 25)
NEXT = dt.date(2026, 11, 26)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=CST)


def test_a_host_a_day_ahead_does_not_expire_todays_waiting_tickets(engine: Engine) -> None:
    round_the_clock(engine)
    real = dt.datetime.now(dt.UTC)  # the other hosts' clock, and the database's
    today = real.astimezone(CST).date()
    for n in range(3):
        take_ticket(engine, queue="M", now=real + dt.timedelta(seconds=n))
    # A kiosk whose clock is a day ahead issues "tomorrow's" first number of a queue.
    ahead = real + dt.timedelta(days=1)
    ticket = take_ticket(engine, queue="C", now=ahead)
    assert ticket.number == "C001"  # its citizen still gets a number
    assert statuses(engine, today) == {"M001": "waiting", "M002": "waiting", "M003": "waiting"}
    with pytest.raises(Refused) as refused:
        close_past_days(engine, now=ahead)
    assert refused.value.key == "dayclose_clock_ahead"
    assert "ahead" in refused.value.en and "快" in refused.value.zh
    assert statuses(engine, today) == {"M001": "waiting", "M002": "waiting", "M003": "waiting"}


def test_close_day_on_a_host_ahead_refuses_and_says_why(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        round_the_clock(engine)
        real = dt.datetime.now(dt.UTC)
        take_ticket(engine, queue="M", now=real)
        runner = CliRunner()
        ahead = (real + dt.timedelta(days=1, minutes=5)).isoformat()
        for force in ([], ["--force"]):  # --force does not lift it: the clock must be set right
            result = runner.invoke(
                app, ["--db", db_url, "close-day", *force], env={"MASHANGBAN_NOW": ahead}
            )
            assert result.exit_code == 1, result.stdout + result.stderr
            said = result.stdout + result.stderr
            assert "ahead of the database" in said and "比数据库时钟" in said
        assert statuses(engine, real.astimezone(CST).date()) == {"M001": "waiting"}
    finally:
        engine.dispose()


def test_a_day_still_active_is_held_until_it_has_been_quiet(engine: Engine) -> None:
    round_the_clock(engine)
    take_ticket(engine, queue="M", now=at("22:50"))
    take_ticket(engine, queue="M", now=at("23:40"))
    # A clock a little ahead (or a hall still busy) crosses midnight: the day is left alone.
    take_ticket(engine, queue="C", now=at("00:20", NEXT))
    assert statuses(engine) == {"M001": "waiting", "M002": "waiting"}
    held = close_past_days(engine, now=at("00:30", NEXT))
    assert (held.closed, held.held) == (0, {DAY})
    # Once the day has been quiet for hours, it is genuinely over and is closed.
    done = close_past_days(engine, now=at("03:00", NEXT))
    assert (done.expired, done.held) == (2, set())
    assert statuses(engine) == {"M001": "expired", "M002": "expired"}


def test_close_day_holds_an_active_day_and_force_closes_it(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        round_the_clock(engine)
        take_ticket(engine, queue="M", now=at("23:40"))
    finally:
        engine.dispose()
    runner = CliRunner()
    env = {"MASHANGBAN_NOW": at("00:30", NEXT).isoformat()}
    result = runner.invoke(app, ["--db", db_url, "close-day"], env=env)
    assert result.exit_code == 1, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "2026-11-25" in said and "--force" in said and "尚未结束" in said
    result = runner.invoke(app, ["--db", db_url, "close-day", "--force", "--json"], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {
        "expired": 1,
        "void": 0,
        "days": ["2026-11-25"],
        "no_shows": 0,
    }
