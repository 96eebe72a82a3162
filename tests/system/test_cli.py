"""The `mashangban` command as staff and scripts use it: output, JSON shapes, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from tests.conftest import PIN

runner = CliRunner()
TICKET_KEYS = {"number", "queue", "status", "ahead", "eta_minutes", "window"}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # A working Wednesday, 10:00 in Jinan: the hall is open.
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)
    monkeypatch.delenv("MASHANGBAN_PIN", raising=False)


def run(db: str, *args: str, code: int = 0) -> str:
    """Run a command against a database; check the exit code; return stdout."""
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout if code == 0 else result.stderr + result.stdout


def run_json(db: str, *args: str) -> dict:
    return json.loads(run(db, *args, "--json"))


def login(db: str, window: int, clerk: str = "1001") -> None:
    run(db, "login", "--window", str(window), "--clerk", clerk, "--pin", PIN)


def test_init_creates_database_and_loads_the_jinan_hall(tmp_path: Path) -> None:
    db = str(tmp_path / "new" / "hall.db")
    out = run(db, "init")
    assert "济南市政务服务中心" in out and "revision" in out
    assert "hall loaded" not in run(db, "init")  # a second init changes nothing
    hall = run_json(db, "hall", "show")
    assert [q["prefix"] for q in hall["queues"]] == ["A", "B", "C", "D", "E", "M", "F"]
    instant = [i for i in hall["items"] if i["queue"] == "M" and i["instant"]]
    assert len(instant) == 23
    assert len(hall["windows"]) == 21


def test_take_prints_the_number_and_json_has_the_documented_shape(db_url: str) -> None:
    assert "M001" in run(db_url, "take", "M")
    ticket = run_json(db_url, "take", "--item", "M05", "--priority", "green")
    assert ticket.keys() >= TICKET_KEYS
    assert (ticket["number"], ticket["queue"], ticket["status"]) == ("M002", "M", "waiting")
    assert ticket["priority"] == "green" and ticket["item"] == "M05"
    assert ticket["ahead"] == 0  # green goes ahead of the waiting normal ticket


def test_take_names_the_item_not_only_its_code(db_url: str) -> None:
    out = run(db_url, "take", "--item", "M05")
    assert "M05 抵押登记信息查询" in out and "Mortgage registration enquiry" in out


def test_call_with_nothing_waiting_exits_3_with_a_plain_message(db_url: str) -> None:
    login(db_url, 18)
    out = run(db_url, "call", "--window", "18", code=3)
    assert "暂无等候" in out and "nothing is waiting for window 18" in out
    error = json.loads(run(db_url, "call", "--window", "18", "--json", code=3))
    assert error["error"] == "nothing_waiting"


def test_a_citizen_from_ticket_to_done(db_url: str) -> None:
    run(db_url, "take", "M")
    run(db_url, "take", "M")
    login(db_url, 18)
    called = run_json(db_url, "call", "--window", "18")
    assert (called["number"], called["status"], called["window"]) == ("M001", "called", 18)
    assert run_json(db_url, "recall", "--window", "18")["recalls"] == 1
    assert run_json(db_url, "start", "--window", "18")["status"] == "serving"
    assert run_json(db_url, "finish", "--window", "18")["status"] == "done"
    run(db_url, "take", "M")
    assert run_json(db_url, "call", "-w", "18")["number"] == "M002"
    assert run_json(db_url, "call", "-w", "18", "--finish")["number"] == "M003"
    status = run_json(db_url, "status")
    m = next(q for q in status["queues"] if q["prefix"] == "M")
    assert (m["waiting"], m["issued"], m["next"]) == (0, 3, [])
    w18 = next(w for w in status["windows"] if w["number"] == 18)
    assert (w18["state"], w18["clerk"], w18["ticket"]) == ("called", "1001", "M003")
    assert "event chain intact" in run(db_url, "audit", "verify")


def test_call_a_number_no_show_requeue_transfer_and_cancel(db_url: str) -> None:
    for _ in range(3):
        run(db_url, "take", "M")
    login(db_url, 18)
    assert run_json(db_url, "call", "-w", "18", "--number", "m3")["number"] == "M003"
    assert run_json(db_url, "no-show", "-w", "18")["status"] == "missed"
    assert run_json(db_url, "requeue", "M003")["status"] == "waiting"
    run(db_url, "call", "-w", "18")
    moved = run_json(db_url, "transfer", "-w", "18", "--to", "A")
    # The citizen keeps the number on their slip, now in zone A.
    assert (moved["number"], moved["queue"], moved["transferred_from"]) == ("M001", "A", "M001")
    assert run_json(db_url, "cancel", "--number", "M002")["status"] == "cancelled"


def test_a_transfer_with_new_numbers_prints_the_slip_at_the_window(db_url: str) -> None:
    from tests.support.hall_file import reload_hall

    engine = make_engine(db_url)
    reload_hall(engine, transfer_number="new")
    engine.dispose()
    run(db_url, "take", "M")
    login(db_url, 18)
    run(db_url, "call", "-w", "18")
    out = run(db_url, "transfer", "-w", "18", "--to", "A")
    assert "A001" in out and "新号单已打印 new slip printed (counter-preview)" in out
    run(db_url, "login", "--window", "19", "--clerk", "1002", "--pin", PIN)
    run(db_url, "take", "M")
    run(db_url, "call", "-w", "19")
    moved = run_json(db_url, "transfer", "-w", "19", "--to", "A")
    assert (moved["number"], moved["transferred_from"]) == ("A002", "M002")
    assert (moved["print"]["kind"], moved["print"]["state"]) == ("ticket", "done")


def test_pause_blocks_calls_until_resumed(db_url: str) -> None:
    run(db_url, "take", "M")
    login(db_url, 18)
    assert "break" in run(db_url, "pause", "-w", "18", "--reason", "break")
    out = run(db_url, "call", "-w", "18", code=1)
    assert "暂停" in out and "paused" in out
    assert "resumed" in run(db_url, "resume", "-w", "18")
    assert run_json(db_url, "call", "-w", "18")["number"] == "M001"


def test_clerks_are_added_listed_and_a_wrong_pin_is_refused(db_url: str) -> None:
    run(db_url, "clerk", "add", "2001", "--name", "赵敏", "--pin", "135790")
    out = run(db_url, "login", "--window", "5", "--clerk", "2001", "--pin", "000000", code=1)
    assert "工号或密码错误" in out and "wrong clerk number or PIN" in out
    run(db_url, "login", "--window", "5", "--clerk", "2001", "--pin", "135790")
    clerks = {c["code"]: c for c in json.loads(run(db_url, "clerk", "list", "--json"))}
    assert clerks["2001"]["window"] == 5 and clerks["2001"]["name"] == "赵敏"
    assert "135790" not in run(db_url, "clerk", "list")


def test_pin_is_asked_for_without_echo_when_not_given(db_url: str) -> None:
    result = runner.invoke(
        app, ["--db", db_url, "clerk", "add", "2002", "--name", "钱七"], input="432109\n432109\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "432109" not in result.stdout and "6–12" in result.stdout
    login_result = runner.invoke(
        app, ["--db", db_url, "login", "--window", "6", "--clerk", "2002"], input="432109\n"
    )
    assert login_result.exit_code == 0 and "logged in at window 6" in login_result.stdout


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["take", "X"], "没有这个队列", "unknown queue: X"),
        (["take", "A", "--item", "M05"], "不属于", "is not served by queue A"),
        (["take", "--item", "ZZ9"], "没有这个事项", "unknown service item"),
        (["take", "M", "--priority", "vip"], "优先类别不对", "unknown priority class"),
        (["call", "-w", "99"], "没有这个窗口", "unknown window: 99"),
        (["call", "-w", "18"], "无人登录", "no clerk is logged in"),
        (["finish", "-w", "18"], "当前没有号", "has no current ticket"),
        (["requeue", "M999"], "今天没有这个号", "no ticket M999 today"),
        (["requeue", "23"], "号码格式不对", "not a ticket number"),
        (["resume", "-w", "18"], "未暂停", "is not paused"),
        (["checkin", "NOPE1234"], "预约码无效", "unknown appointment code"),
    ],
)
def test_bad_input_is_refused_in_both_languages(
    db_url: str, args: list[str], zh: str, en: str
) -> None:
    out = run(db_url, *args, code=1)
    assert zh in out and en in out


def test_closed_hall_and_full_day(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-28T10:00:00+08:00")  # a Saturday
    assert "今天不办公" in run(db_url, "take", "M", code=1)
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T12:30:00+08:00")  # lunch break
    out = run(db_url, "take", "M", code=1)
    assert "08:30-12:00" in out and "queue M is closed now" in out
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE queue SET daily_cap = 2 WHERE prefix = 'E'"))
    engine.dispose()
    run(db_url, "take", "E")
    run(db_url, "take", "E")
    out = run(db_url, "take", "E", code=1)
    assert "今日号已取完" in out and "all 2 tickets" in out
    assert (
        next(q for q in run_json(db_url, "status")["queues"] if q["prefix"] == "E")["issued"] == 2
    )


def test_a_bad_hall_file_names_file_and_line_and_stores_nothing(
    db_url: str, tmp_path: Path
) -> None:
    before = run_json(db_url, "hall", "show")
    broken = tmp_path / "hall.toml"
    broken.write_text('[hall]\nname_zh = "厅"\nname_en = "Hall"\n[[queue]]\nprefix = \n', "utf-8")
    out = run(db_url, "hall", "load", str(broken), code=1)
    assert str(broken) in out and "line 5" in out
    good = Path(__file__).parents[2] / "models" / "halls" / "jinan.toml"
    bad_field = good.read_text("utf-8").replace('prefix = "B"', 'prefix = "BB"', 1)
    broken.write_text(bad_field, "utf-8")
    out = run(db_url, "hall", "load", str(broken), code=1)
    line = next(n for n, s in enumerate(bad_field.splitlines(), 1) if 'prefix = "BB"' in s)
    assert f"line {line}" in out and "queue[1].prefix" in out
    assert run_json(db_url, "hall", "show") == before


def test_appointments_import_and_check_in(db_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "appointments.csv"
    csv.write_text(
        "code,queue,item,date,start,end,name\n"
        "AP1001,M,M05,2026-11-25,10:00,10:30,张三丰\n"
        "AP1002,A,,2026-11-25,15:00,15:30,李四\n",
        "utf-8",
    )
    assert "imported 2 new" in run(db_url, "appointments", "import", str(csv))
    assert "imported 0 new, 2 unchanged" in run(db_url, "appointments", "import", str(csv))
    ticket = run_json(db_url, "checkin", "ap1001")
    assert (ticket["number"], ticket["priority"]) == ("M001", "appointment")
    assert "M001" in run(db_url, "checkin", "AP1001", code=1)  # used
    out = run(db_url, "checkin", "AP1002", code=1)
    assert "14:30" in out and "too early" in out
    csv.write_text("code,queue,item,date,start,end,name\nAP2001,M,,2026-13-01,10:00,10:30,\n")
    out = run(db_url, "appointments", "import", str(csv), code=1)
    assert str(csv) in out and "line 2" in out


def test_database_problems_get_clear_messages(tmp_path: Path) -> None:
    out = run("mysql://u@h/db", "status", code=1)
    assert "不支持的数据库" in out and "unsupported database" in out
    out = run("postgresql://user@host:notaport/db", "status", code=1)
    assert "不是有效的数据库地址" in out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run(str(blocker / "sub" / "hall.db"), "init", code=1)
    assert "无法创建数据库目录" in out and "cannot create the database directory" in out
    (tmp_path / "empty.db").touch()
    out = run(str(tmp_path / "empty.db"), "status", code=1)
    assert "尚未初始化" in out and "mashangban init" in out


def test_a_database_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in (["status"], ["init"]):
        out = run(sqlite_url, *command, code=1)
        assert "更新版本" in out and "newer version" in out and "9999" in out


def test_audit_verify_reports_a_changed_row(db_url: str) -> None:
    run(db_url, "take", "M")
    run(db_url, "take", "M")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        seq = conn.execute(text("SELECT max(seq) FROM event WHERE kind = 'issued'")).scalar_one()
        conn.execute(text("UPDATE event SET data = '{}' WHERE seq = :s"), {"s": seq})
    engine.dispose()
    out = run(db_url, "audit", "verify", code=1)
    assert f"event {seq}" in out and "broken" in out
    report = json.loads(run(db_url, "audit", "verify", "--json", code=1))
    assert report["broken_at"] == seq


def test_the_installed_command_exits_cleanly(sqlite_url: str) -> None:
    exe = shutil.which("mashangban", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed with the package"
    env = {
        "MASHANGBAN_DB": sqlite_url,
        "MASHANGBAN_NOW": "2026-11-25T10:00:00+08:00",
        "PATH": "/usr/bin:/bin",
        "MASHANGBAN_KEY_FILE": os.environ["MASHANGBAN_KEY_FILE"],  # the test run's hall key
    }
    bad = subprocess.run([exe, "take", "Q"], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1 and "unknown queue: Q" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = subprocess.run(
        [exe, "take", "C", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert good.returncode == 0 and json.loads(good.stdout)["number"] == "C001"


def test_the_kiosk_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    empty = str(tmp_path / "empty.db")
    (tmp_path / "empty.db").touch()
    out = run(empty, "kiosk", code=1)
    assert "尚未初始化" in out and "mashangban init" in out
    module = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", empty],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert module.returncode == 1 and "not initialised" in module.stderr
    assert "Traceback" not in module.stderr


def test_the_counter_refuses_an_unknown_window_before_its_screen(sqlite_url: str) -> None:
    out = run(sqlite_url, "counter", "--window", "99", code=1)
    assert "没有这个窗口：99" in out and "unknown window: 99" in out
    module = subprocess.run(
        [sys.executable, "-m", "counter", "--db", sqlite_url, "--window", "99"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert module.returncode == 1 and "unknown window: 99" in module.stderr
    assert "Traceback" not in module.stderr


def test_a_wrong_command_line_is_said_in_chinese_too(db_url: str) -> None:
    for args, english in [
        (["take", "--bogus"], "No such option"),
        (["rectify", "close", "abc", "--by", "1003", "--note", "x"], "Invalid value"),
    ]:
        out = run(db_url, *args, code=2)
        assert "命令行有误" in out and english in out
