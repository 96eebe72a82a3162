"""Clerks: PINs kept as slow hashes, logins at windows, pauses with reasons."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from models.clerks import pins, staff
from models.db import reading
from models.errors import NotFound, Refused
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from models.tables import Clerk, Event, Window
from models.views.status import hall_status
from tests.conftest import PIN, open_window


def events(engine: Engine, kind: str) -> list[Event]:
    with reading(engine) as session:
        return list(
            session.exec(select(Event).where(Event.kind == kind).order_by(col(Event.seq))).all()
        )


def holder(engine: Engine, window: int) -> str | None:
    with reading(engine) as session:
        row = session.get(Window, window)
        assert row is not None
        return row.clerk_code


def window_state(engine: Engine, number: int, now: dt.datetime):
    return next(w for w in hall_status(engine, now=now).windows if w.number == number)


# ---------------------------------------------------------------- PINs


def test_pin_is_stored_as_keyed_salted_scrypt_hash(engine: Engine) -> None:
    staff.add_clerk(engine, code="2001", name="赵敏", pin="975310")
    with reading(engine) as session:
        rows = {c.code: c for c in session.exec(select(Clerk)).all()}
    new = rows["2001"]
    assert new.name == "赵敏"
    # The PIN is no field of the stored value (a hex digest may contain its digits by chance).
    assert {"975310", b"975310".hex()}.isdisjoint(new.pin_hash.split("$"))
    scheme, n, r, p, salt, digest = new.pin_hash.split("$")
    assert (scheme, n, r, p) == ("scrypt-hmac", str(2**14), "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 64
    assert pins.check_pin("975310", new.pin_hash)
    assert not pins.check_pin("975311", new.pin_hash)
    # Same PIN, different salt: the hashes of clerks 1001 and 1002 differ.
    assert rows["1001"].pin_hash != rows["1002"].pin_hash
    assert all({PIN, PIN.encode().hex()}.isdisjoint(c.pin_hash.split("$")) for c in rows.values())
    assert pins.check_pin(PIN, rows["1002"].pin_hash)


def test_clerk_list_never_shows_the_pin(engine: Engine) -> None:
    clerks = staff.list_clerks(engine)
    assert [c.code for c in clerks] == ["1001", "1002", "1003"]
    assert [c.name for c in clerks] == ["王芳", "李明", "张伟"]
    assert not any(hasattr(c, "pin_hash") for c in clerks)


@pytest.mark.parametrize(
    "pin", ["123", "2468", "13579", "12a456", "1234567890123", "", " 246813", "１２３４５６"]
)
def test_add_clerk_refuses_bad_pin_and_stores_nothing(engine: Engine, pin: str) -> None:
    """Six digits at least by default (four-digit PINs fell in minutes to a copied hash)."""
    with pytest.raises(Refused) as info:
        staff.add_clerk(engine, code="2002", name="周芷若", pin=pin)
    assert info.value.key == "bad_pin"
    assert "6–12 位数字" in info.value.zh and "6-12 digits" in info.value.en
    assert "2002" not in {c.code for c in staff.list_clerks(engine)}


def test_add_clerk_refuses_duplicate(engine: Engine) -> None:
    with pytest.raises(Refused) as info:
        staff.add_clerk(engine, code=" 1001 ", name="冒名", pin="135790")
    assert info.value.key == "clerk_exists"
    assert "1001" in info.value.zh and "already exists" in info.value.en
    assert {c.code: c.name for c in staff.list_clerks(engine)}["1001"] == "王芳"


# ---------------------------------------------------------------- login


def test_login_with_right_pin(engine: Engine, now: dt.datetime) -> None:
    view = staff.login(engine, window=18, clerk="1001", pin=PIN)
    assert (view.code, view.name, view.window) == ("1001", "王芳", 18)
    assert holder(engine, 18) == "1001"
    assert {c.code: c.window for c in staff.list_clerks(engine)} == {
        "1001": 18,
        "1002": None,
        "1003": None,
    }
    assert window_state(engine, 18, now).state == "idle"
    (login,) = events(engine, "login")
    assert (login.window, login.clerk_code) == (18, "1001")


def test_wrong_pin_is_refused_and_recorded(engine: Engine) -> None:
    with pytest.raises(Refused) as info:
        staff.login(engine, window=18, clerk="1001", pin="8642")
    assert info.value.key == "wrong_pin"
    assert info.value.zh == "工号或密码错误" and "wrong clerk number or PIN" in info.value.en
    assert holder(engine, 18) is None
    (failed,) = events(engine, "login_failed")
    assert failed.window == 18 and json.loads(failed.data) == {"clerk": "1001"}
    assert events(engine, "login") == []


def test_unknown_clerk_gets_the_same_answer_as_a_wrong_pin(engine: Engine) -> None:
    with pytest.raises(Refused) as wrong:
        staff.login(engine, window=18, clerk="1001", pin="0000")
    with pytest.raises(Refused) as unknown:
        staff.login(engine, window=18, clerk="9999", pin=PIN)
    assert unknown.value.key == wrong.value.key == "wrong_pin"
    assert unknown.value.message == wrong.value.message
    assert "9999" not in unknown.value.message
    assert [json.loads(e.data)["clerk"] for e in events(engine, "login_failed")] == [
        "1001",
        "9999",
    ]


def test_login_at_unknown_window(engine: Engine) -> None:
    with pytest.raises(NotFound) as info:
        staff.login(engine, window=99, clerk="1001", pin=PIN)
    assert info.value.key == "unknown_window" and "99" in info.value.zh


def test_window_held_by_another_clerk_is_refused(engine: Engine) -> None:
    open_window(engine, 18, "1001")
    with pytest.raises(Refused) as info:
        staff.login(engine, window=18, clerk="1002", pin=PIN)
    assert info.value.key == "window_held"
    assert "18 号窗口已由 1001 登录" in info.value.zh
    assert "window 18 is held by clerk 1001" in info.value.en
    assert holder(engine, 18) == "1001"


def test_same_clerk_may_log_in_again_at_the_same_window(engine: Engine) -> None:
    open_window(engine, 18, "1001")
    view = staff.login(engine, window=18, clerk="1001", pin=PIN)
    assert view.window == 18 and holder(engine, 18) == "1001"
    assert len(events(engine, "login")) == 2


def test_clerk_logged_in_elsewhere_is_refused(engine: Engine) -> None:
    open_window(engine, 18, "1001")
    with pytest.raises(Refused) as info:
        staff.login(engine, window=19, clerk="1001", pin=PIN)
    assert info.value.key == "clerk_elsewhere"
    assert "1001 已在 18 号窗口登录" in info.value.zh
    assert "logged in at window 18" in info.value.en
    assert holder(engine, 19) is None and holder(engine, 18) == "1001"


def test_logout_frees_the_window(engine: Engine, now: dt.datetime) -> None:
    open_window(engine, 18, "1001")
    staff.logout(engine, window=18)
    assert holder(engine, 18) is None
    assert window_state(engine, 18, now).state == "closed"
    (out,) = events(engine, "logout")
    assert (out.window, out.clerk_code) == (18, "1001")
    open_window(engine, 18, "1002")  # someone else may take it now
    open_window(engine, 19, "1001")  # and the first clerk may go elsewhere
    assert holder(engine, 18) == "1002" and holder(engine, 19) == "1001"


def test_logout_of_an_empty_window_is_refused(engine: Engine) -> None:
    with pytest.raises(Refused) as info:
        staff.logout(engine, window=18)
    assert info.value.key == "no_clerk" and "18 号窗口无人登录" in info.value.zh


# ---------------------------------------------------------------- pauses


def test_pause_stops_calls_until_resume(engine: Engine, now: dt.datetime) -> None:
    take_ticket(engine, queue="M", now=now)
    open_window(engine, 18, "1001")
    staff.pause(engine, window=18, reason="休息", now=now)
    state = window_state(engine, 18, now)
    assert (state.state, state.pause_reason) == ("paused", "休息")
    with pytest.raises(Refused) as info:
        call_next(engine, window=18, now=now + dt.timedelta(minutes=1))
    assert info.value.key == "window_paused"
    assert "18 号窗口暂停中（休息）" in info.value.zh and "paused" in info.value.en

    ended = staff.resume(engine, window=18, now=now + dt.timedelta(minutes=12))
    assert ended.ended_at is not None and ended.reason == "休息"
    assert window_state(engine, 18, now).state == "idle"
    assert call_next(engine, window=18, now=now + dt.timedelta(minutes=13)).number == "M001"


def test_double_pause_is_refused(engine: Engine, now: dt.datetime) -> None:
    open_window(engine, 18, "1001")
    staff.pause(engine, window=18, reason="meeting", now=now)
    with pytest.raises(Refused) as info:
        staff.pause(engine, window=18, reason="break", now=now + dt.timedelta(minutes=1))
    assert info.value.key == "window_paused"
    assert "meeting" in info.value.en  # the pause in force, not the new one
    assert len(events(engine, "paused")) == 1


def test_resume_without_pause_is_refused(engine: Engine, now: dt.datetime) -> None:
    open_window(engine, 18, "1001")
    with pytest.raises(Refused) as info:
        staff.resume(engine, window=18, now=now)
    assert info.value.key == "window_not_paused"
    assert "18 号窗口未暂停" in info.value.zh and "window 18 is not paused" in info.value.en
    staff.pause(engine, window=18, reason="break", now=now)
    staff.resume(engine, window=18, now=now + dt.timedelta(minutes=5))
    with pytest.raises(Refused) as again:
        staff.resume(engine, window=18, now=now + dt.timedelta(minutes=6))
    assert again.value.key == "window_not_paused"


@pytest.mark.parametrize("reason", ["", "   "])
def test_pause_needs_a_reason(engine: Engine, now: dt.datetime, reason: str) -> None:
    open_window(engine, 18, "1001")
    with pytest.raises(Refused) as info:
        staff.pause(engine, window=18, reason=reason, now=now)
    assert info.value.key == "bad_reason"
    assert "请填写暂停原因" in info.value.zh and "reason" in info.value.en
    assert window_state(engine, 18, now).state == "idle"
    assert events(engine, "paused") == []


def test_pause_and_resume_events_carry_reason_and_minutes(engine: Engine, now: dt.datetime) -> None:
    open_window(engine, 19, "1002")
    staff.pause(engine, window=19, reason="  后台业务 ", now=now)
    staff.resume(engine, window=19, now=now + dt.timedelta(minutes=7, seconds=30))
    (paused,) = events(engine, "paused")
    (resumed,) = events(engine, "resumed")
    assert (paused.window, paused.clerk_code) == (19, "1002")
    assert json.loads(paused.data) == {"reason": "后台业务"}
    assert (resumed.window, resumed.clerk_code) == (19, "1002")
    assert json.loads(resumed.data) == {"reason": "后台业务", "minutes": 7.5}
    assert resumed.seq == paused.seq + 1
    assert resumed.at - paused.at == dt.timedelta(minutes=7, seconds=30)
