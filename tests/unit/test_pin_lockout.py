"""Wrong staff PINs lock the clerk number and the place, for a growing time.

The attack: 23-25 guesses a second through `login` and the kiosk's staff menu, and the right
PIN still worked after 300 wrong ones. Now the fifth wrong PIN in a row locks (1, 5, 15, 60
minutes …); while locked even the right PIN is refused, saying until when; the lock is in the
database (every host, every restart sees it); a supervisor sees it and unlocks it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from mashangban import app
from models.clerks import lockout, pins, staff
from models.db import make_engine, reading
from models.errors import Refused
from models.tables import Event, Window
from models.views.monitor import monitor_state
from models.views.status import hall_status
from monitor.app import alarms_panel
from tests.conftest import NOW, PIN

WRONG = "000000"


def events(engine: Engine, *kinds: str) -> list[tuple[str, dict]]:
    with reading(engine) as session:
        rows = session.exec(
            select(Event.kind, Event.data)
            .where(col(Event.kind).in_(kinds))
            .order_by(col(Event.seq))
        ).all()
    return [(kind, json.loads(data)) for kind, data in rows]


def refusal(func, **kwargs) -> Refused:
    with pytest.raises(Refused) as info:
        func(**kwargs)
    return info.value


def login(engine: Engine, pin: str, *, clerk: str = "1001", window: int = 18, now=NOW):
    return staff.login(engine, window=window, clerk=clerk, pin=pin, now=now)


def holder(engine: Engine, window: int) -> str | None:
    with reading(engine) as session:
        row = session.get(Window, window)
        assert row is not None
        return row.clerk_code


# ---------------------------------------------------------------- the lock


def test_the_fifth_wrong_pin_locks_and_the_right_one_is_then_refused(engine: Engine) -> None:
    for _ in range(4):
        assert refusal(login, engine=engine, pin=WRONG).key == "wrong_pin"
    locked = refusal(login, engine=engine, pin=WRONG)
    assert locked.key == "pin_locked"
    assert locked.zh.startswith("工号 1001 密码错误次数过多，已锁定至 10:01")
    assert "clerk 1001: too many wrong PINs, locked until 10:01" in locked.en
    assert "主管解锁" in locked.zh and "supervisor" in locked.en
    # The sixth try, with the right PIN: refused, saying until when; nobody is logged in.
    right = refusal(login, engine=engine, pin=PIN, now=NOW + dt.timedelta(seconds=30))
    assert (right.key, right.zh, right.en) == (locked.key, locked.zh, locked.en)
    assert holder(engine, 18) is None
    # Every wrong PIN and the lock are events; the refusals while locked check no PIN.
    logged = events(engine, "login_failed", "pin_locked", "login")
    assert [kind for kind, _ in logged] == ["login_failed"] * 5 + ["pin_locked"] * 2
    assert logged[5][1] == {
        "kind": "clerk",
        "name": "1001",
        "minutes": 1,
        "until": "2026-11-25T02:01:00+00:00",
    }
    assert logged[6][1]["kind"] == "place" and logged[6][1]["name"] == "window 18"
    # Once the minute is over, the right PIN works (and clears the count).
    assert login(engine, PIN, now=NOW + dt.timedelta(minutes=1, seconds=1)).window == 18


def test_300_guesses_check_five_pins_and_the_right_one_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack as run: 300 wrong PINs as fast as possible, then the right one."""
    checked = []
    real = pins._scrypt
    monkeypatch.setattr(pins, "_scrypt", lambda *a: checked.append(1) or real(*a))
    keys = set()
    for n in range(300):
        at = NOW + dt.timedelta(milliseconds=40 * n)  # 25 a second, 12 s in all
        with pytest.raises(Refused) as info:
            staff.login(engine, window=18, clerk="1001", pin=f"{n:06d}", now=at)
        keys.add(info.value.key)
    assert keys == {"wrong_pin", "pin_locked"}
    assert len(checked) == 5  # only five guesses were ever tested
    end = NOW + dt.timedelta(seconds=12)
    assert refusal(login, engine=engine, pin=PIN, now=end).key == "pin_locked"
    assert holder(engine, 18) is None
    assert len(events(engine, "login_failed")) == 5


def test_locks_grow_1_5_15_60_minutes(engine: Engine) -> None:
    moment, untils = NOW, []
    for _ in range(5):
        for _ in range(5):
            with pytest.raises(Refused):
                login(engine, WRONG, now=moment)
        until = lockout.locks_now(engine, now=moment)[0].locked_until
        untils.append(round((until - moment).total_seconds() / 60))
        moment = until + dt.timedelta(seconds=1)
    assert untils == [1, 5, 15, 60, 240]
    # A good PIN (after the lock) starts the count again from one minute.
    login(engine, PIN, now=moment)
    for _ in range(5):
        with pytest.raises(Refused):
            login(engine, WRONG, window=19, now=moment)
    (clerk, place) = lockout.locks_now(engine, now=moment)
    assert (clerk.kind, clerk.locked_until - moment) == ("clerk", dt.timedelta(minutes=1))
    assert (place.name, place.locked_until - moment) == ("window 19", dt.timedelta(minutes=1))


def test_a_lock_survives_a_restart_and_holds_on_another_engine(db_url: str) -> None:
    first = make_engine(db_url)
    for _ in range(5):
        with pytest.raises(Refused):
            login(first, WRONG)
    first.dispose()  # the app (or the host) restarts
    second = make_engine(db_url)
    try:
        later = NOW + dt.timedelta(seconds=50)
        assert refusal(login, engine=second, pin=PIN, now=later).key == "pin_locked"
        # The staff menu of a kiosk (another process) sees the same lock.
        menu = refusal(
            staff.verify_staff, engine=second, clerk="1001", pin=PIN, place="kiosk K1", now=later
        )
        assert menu.key == "pin_locked" and "工号 1001" in menu.zh
    finally:
        second.dispose()


def test_a_supervisor_sees_the_lock_and_unlocks_it(engine: Engine) -> None:
    for _ in range(5):
        with pytest.raises(Refused):
            login(engine, WRONG)
    later = NOW + dt.timedelta(seconds=10)
    clerks = {c.code: c for c in staff.list_clerks(engine, now=later)}
    assert clerks["1001"].locked_until == NOW.astimezone(dt.UTC) + dt.timedelta(minutes=1)
    assert clerks["1002"].locked_until is None
    status = hall_status(engine, now=later)
    assert [(lock.kind, lock.name, lock.until) for lock in status.locked] == [
        ("clerk", "1001", "2026-11-25T10:01:00+08:00"),
        ("place", "window 18", "2026-11-25T10:01:00+08:00"),
    ]
    watched = monitor_state(engine, now=later)
    alarms = [a for a in watched.alarms if a.kind == "pin_lock"]
    assert [a.subject for a in alarms] == ["1001", "window 18"]
    assert "工号 1001 密码锁定至 10:01" in alarms[0].detail
    assert "clerk 1001 locked until 10:01" in alarms[0].detail
    assert "▲ 密码锁定 18 号窗口 密码锁定至 10:01" in alarms_panel(watched).plain

    lockout.unlock(engine, clerk="1001", now=later)
    lockout.unlock(engine, place="window 18", now=later)
    assert login(engine, PIN, now=later).window == 18
    assert hall_status(engine, now=later).locked == []
    unlocked = events(engine, "pin_unlocked")
    assert [(d["kind"], d["name"]) for _, d in unlocked] == [
        ("clerk", "1001"),
        ("place", "window 18"),
    ]
    again = refusal(lockout.unlock, engine=engine, clerk="1001", now=later)
    assert again.key == "not_locked" and "工号 1001 未被锁定" in again.zh


def test_after_an_unlock_the_next_lock_lasts_longer(engine: Engine) -> None:
    for _ in range(5):
        with pytest.raises(Refused):
            login(engine, WRONG, window=19)
    lockout.unlock(engine, clerk="1001", now=NOW)
    lockout.unlock(engine, place="window 19", now=NOW)
    for _ in range(5):
        with pytest.raises(Refused):
            login(engine, WRONG, window=19)
    clerk = next(x for x in lockout.locks_now(engine, now=NOW) if x.kind == "clerk")
    assert clerk.locked_until - NOW == dt.timedelta(minutes=5)


# ---------------------------------------------------------------- unknown numbers, places


def test_an_unknown_clerk_number_is_answered_and_timed_like_a_known_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = pins._scrypt
    monkeypatch.setattr(pins, "_scrypt", lambda *a: checked.append("x") or real(*a))

    def answers(clerk: str, window: int) -> list[tuple[str, str, str]]:
        out = []
        for _ in range(6):
            error = refusal(login, engine=engine, pin=WRONG, clerk=clerk, window=window)
            out.append((error.key, error.zh.replace(clerk, "#"), error.en.replace(clerk, "#")))
        return out

    known = answers("1001", 18)
    per_known = len(checked)
    unknown = answers("9999", 19)
    assert unknown == [
        (key, zh.replace("18 号", "19 号"), en.replace("window 18", "window 19"))
        for key, zh, en in known
    ]
    assert per_known == 5 and len(checked) == 10  # the same scrypt work for both


def test_guesses_across_many_numbers_lock_the_place(engine: Engine) -> None:
    """Spraying one PIN over many clerk numbers at one window: the window's login locks."""
    for code in ("2001", "2002", "2003", "1002", "x" * 40):
        with pytest.raises(Refused):
            login(engine, WRONG, clerk=code)
    refused = refusal(login, engine=engine, pin=PIN, clerk="1003")
    assert refused.key == "pin_locked"
    assert "18 号窗口 密码错误次数过多" in refused.zh and "window 18: too many" in refused.en
    # Clerk 1003 is not locked, only that window's login: at window 19 the PIN works.
    assert login(engine, PIN, clerk="1003", window=19).window == 19


def test_a_kiosk_staff_menu_locks_whatever_the_clerk_number(engine: Engine) -> None:
    for code in ("1001", "1002", "1003", "5555", "6666"):
        with pytest.raises(Refused):
            staff.verify_staff(engine, clerk=code, pin=WRONG, place="kiosk K1", now=NOW)
    menu = refusal(
        staff.verify_staff, engine=engine, clerk="1002", pin=PIN, place="kiosk K1", now=NOW
    )
    assert menu.key == "pin_locked"
    assert "取号机 K1 密码错误次数过多，已锁定至 10:01" in menu.zh
    assert "kiosk K1: too many wrong PINs, locked until 10:01" in menu.en
    # The other kiosk is not locked.
    assert staff.verify_staff(engine, clerk="1002", pin=PIN, place="kiosk K2", now=NOW)
    assert [k for k, _ in events(engine, "staff_denied", "pin_locked")] == ["staff_denied"] * 5 + [
        "pin_locked"
    ]


# ---------------------------------------------------------------- the command


def run(db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


def test_the_commands_show_a_lock_and_a_supervisor_unlocks(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_PIN", raising=False)
    for _ in range(4):
        run(db_url, "login", "--window", "18", "--clerk", "1001", "--pin", WRONG, code=1)
    out = run(db_url, "login", "--window", "18", "--clerk", "1001", "--pin", WRONG, code=1)
    assert "已锁定至 10:01" in out and "locked until 10:01" in out
    out = run(db_url, "login", "--window", "18", "--clerk", "1001", "--pin", PIN, code=1)
    assert "已锁定至 10:01" in out and "locked until 10:01" in out

    listed = run(db_url, "clerk", "list")
    row = next(line for line in listed.splitlines() if "1001" in line)
    assert "10:01" in row
    clerks = {c["code"]: c for c in json.loads(run(db_url, "clerk", "list", "--json"))}
    assert clerks["1001"]["locked_until"] == "2026-11-25T02:01:00+00:00"
    assert clerks["1002"]["locked_until"] is None
    status = run(db_url, "status")
    assert "密码锁定" in status and "clerk 1001" in status
    assert "mashangban clerk unlock 1001" in status
    locked = json.loads(run(db_url, "status", "--json"))["locked"]
    assert [(x["kind"], x["name"]) for x in locked] == [("clerk", "1001"), ("place", "window 18")]

    assert "已解锁 unlocked: 工号 1001 / clerk 1001" in run(db_url, "clerk", "unlock", "1001")
    run(db_url, "clerk", "unlock", "--place", "window 18")
    assert "logged in at window 18" in run(
        db_url, "login", "--window", "18", "--clerk", "1001", "--pin", PIN
    )
    out = run(db_url, "clerk", "unlock", "1001", code=1)
    assert "未被锁定" in out and "is not locked" in out
    assert "unlock" in run(db_url, "clerk", "unlock", code=1)


def test_guesses_in_parallel_are_all_counted_and_lock_once(db_url: str) -> None:
    """Eight guessers at once (as from several hosts): no database error, every wrong PIN an
    event, and no more PINs checked than the limit plus the guesses already in flight."""
    from concurrent.futures import ThreadPoolExecutor

    engines = [make_engine(db_url) for _ in range(8)]

    def guess(n: int) -> list[str]:
        keys = []
        for m in range(4):
            try:
                staff.login(engines[n], window=18, clerk="1001", pin=f"{n}{m}0000", now=NOW)
            except Refused as exc:
                keys.append(exc.key)
        return keys

    try:
        with ThreadPoolExecutor(8) as pool:
            answers = [key for keys in pool.map(guess, range(8)) for key in keys]
    finally:
        for each in engines:
            each.dispose()
    engine = make_engine(db_url)
    try:
        assert set(answers) <= {"wrong_pin", "pin_locked"} and len(answers) == 32
        failed = events(engine, "login_failed")
        assert 5 <= len(failed) <= 5 + 7
        assert [k for k, _ in events(engine, "pin_locked")] == ["pin_locked"] * 2  # clerk, place
        assert [(x.name, x.locked_until - NOW) for x in lockout.locks_now(engine, now=NOW)] == [
            ("1001", dt.timedelta(minutes=1)),
            ("window 18", dt.timedelta(minutes=1)),
        ]
    finally:
        engine.dispose()
