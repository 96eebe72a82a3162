"""An insider who can write the database, but not read the hall's key or write its witness,
cannot rewrite, cut short or wipe the history without `audit verify` saying so (exit 1).

Each attack is done the way such a person would: SQL on the database, the records made to agree
with the edited events, and the chain re-hashed from the start with everything they can compute
(plain SHA-256, their own key, or — the worst case — the hall's key stolen but not the witness).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from alembic import command
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from mashangban import app
from models import events, secret, settings
from models.clerks import staff
from models.db import make_engine, reading
from models.errors import Refused
from models.events import GENESIS, chain_mark, event_hash, events_key, last_event_seq
from models.hall import default_hall_path, read_hall_file, store_hall
from models.queue import tickets
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.schema import _config, upgrade
from models.supervision import witness
from models.supervision.ratings import rate
from models.tables import Case, ChainHead, Event, Rating
from tests.conftest import CLERKS, CST, PIN, open_window

runner = CliRunner()
DAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST)
E = Event.__table__  # type: ignore[attr-defined]


def at(minutes: int) -> dt.datetime:
    return DAY + dt.timedelta(minutes=minutes)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def cli(engine: Engine, *args: str, code: int = 0) -> str:
    """Run `mashangban --db … <args>`; check the exit code; return everything it said."""
    result = runner.invoke(app, ["--db", url_of(engine), *args])
    said = result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, said)
    assert "Traceback" not in said
    return said


def verify_json(engine: Engine, code: int) -> dict[str, Any]:
    result = runner.invoke(app, ["--db", url_of(engine), "audit", "verify", "--json"])
    assert result.exit_code == code, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def a_morning(engine: Engine) -> None:
    """Walk-ins served and rated (one 非常不满意, with its rectification), and a case taken in
    with a promised date."""
    open_window(engine, 18, "1001")
    open_window(engine, 13, "1002")
    take_ticket(engine, queue="M", now=at(0))  # M001
    take_ticket(engine, item="D01", now=at(1))  # D001: a case with a promised date
    take_ticket(engine, queue="M", now=at(2))  # M002
    call_next(engine, window=18, now=at(3))
    finish(engine, window=18, now=at(8))
    rate(engine, window=18, level=1, reason="态度差", now=at(9))  # 非常不满意
    call_next(engine, window=13, now=at(10))
    finish(engine, window=13, now=at(20))  # opens the case


def checkpoint(engine: Engine) -> None:
    assert "checkpoint written" in cli(engine, "audit", "checkpoint")


def raw(engine: Engine, sql: str, **params: Any) -> None:
    """SQL the way someone with database access would run it."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def edit_event_data(engine: Engine, kind: str, **changes: Any) -> None:
    """Change the details of the (one) event of a kind, as the forger wants them to read."""
    with reading(engine) as session:
        row = session.exec(select(Event).where(Event.kind == kind)).one()
    data = {**json.loads(row.data), **changes}
    raw(engine, "UPDATE event SET data = :d WHERE seq = :s", d=events.canonical(data), s=row.seq)


def rehash(engine: Engine, how: str) -> None:
    """Renumber the events and re-hash the whole chain from the start, the best a forger can:

    - ``plain``: SHA-256, as events from before the upgrade were hashed;
    - ``as_old``: the same, and the head says keyed hashing never began (all "old");
    - ``own_key``: an HMAC with a key of their own, the chain head re-sealed with it;
    - ``stolen_key``: the hall's own key (stolen), the seal recomputed — only the witness is left.
    """
    forged = secret.subkey("events", b"f" * 32) if how == "own_key" else None
    key = events_key() if how == "stolen_key" else forged
    with Session(engine) as session:
        rows = session.exec(select(Event).order_by(col(Event.seq))).all()
        head = session.get(ChainHead, 1)
        assert head is not None
        chain_id = head.chain_id
    prev, fresh = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        fields: dict[str, Any] = {
            "seq": seq, "at": row.at, "kind": row.kind, "ticket_id": row.ticket_id,
            "window": row.window, "clerk_code": row.clerk_code, "data": row.data,
        }  # fmt: skip
        digest = event_hash(prev_hash=prev, key=key, **fields)
        fresh.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    keyed_from = len(fresh) + 1 if how == "as_old" else 1
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM event"))
        if fresh:
            conn.execute(insert(E), fresh)
        values: dict[str, Any] = {"seq": len(fresh), "hash": prev, "keyed_from": keyed_from}
        sets = "seq = :seq, hash = :hash, keyed_from = :keyed_from"
        if key is not None:
            anchor = GENESIS if keyed_from == 1 else prev
            values["mark"] = chain_mark(
                key, chain_id=chain_id, keyed_from=keyed_from, anchor=anchor
            )
            sets += ", key_mark = :mark"
        if how == "own_key":
            values["fp"] = secret.fingerprint(b"f" * 32)
            sets += ", key_fingerprint = :fp"
        conn.execute(text(f"UPDATE chain_head SET {sets} WHERE id = 1"), values)


@pytest.fixture
def morning(engine: Engine) -> Engine:
    a_morning(engine)
    checkpoint(engine)  # the timer, or a counter at work
    return engine


# ---------------------------------------------------------------- the honest hall


def test_a_normal_day_verifies_against_key_and_witness(morning: Engine) -> None:
    staff.pause(morning, window=18, reason="休息", now=at(30))
    checkpoint(morning)
    said = cli(morning, "audit", "verify")
    assert "event chain intact" in said and "keyed from event 1" in said
    assert "matches all 2 checkpoints" in said
    assert "records match the events" in said
    data = verify_json(morning, 0)
    assert data["checkpoints"] == 2 and data["problem"] == "" and data["difference_count"] == 0


def test_without_checkpoints_verify_passes_but_says_nothing_anchors_it(engine: Engine) -> None:
    a_morning(engine)
    said = cli(engine, "audit", "verify")
    assert "event chain intact" in said and "no checkpoints of this database" in said


def test_the_witness_file_is_owner_only_and_one_line_per_checkpoint(
    morning: Engine, witness_file: Path
) -> None:
    checkpoint(morning)
    assert stat.S_IMODE(witness_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(witness_file.parent.stat().st_mode) == 0o700
    lines = witness_file.read_text().splitlines()
    assert len(lines) == 2
    seq = last_event_seq(morning)
    assert lines[1].startswith("mashangban-checkpoint v1 chain=")
    assert f" seq={seq} " in lines[1] and " keyed_from=1 " in lines[1] and " mac=" in lines[1]


# ---------------------------------------------------------------- the attacks of issue 11


def test_failed_logins_deleted_and_the_head_reset_are_found(morning: Engine) -> None:
    before = last_event_seq(morning)
    for _ in range(3):
        with pytest.raises(Refused):
            staff.login(morning, window=21, clerk="1003", pin="0000")
    checkpoint(morning)
    with reading(morning) as session:
        kept = session.exec(select(Event).where(Event.seq == before)).one()
    raw(morning, "DELETE FROM event WHERE kind = 'login_failed'")
    raw(morning, "UPDATE chain_head SET seq = :s, hash = :h WHERE id = 1", s=before, h=kept.hash)
    said = cli(morning, "audit", "verify", code=1)
    assert "事件链被截断" in said and "cut short" in said
    assert f"the witness saw event {before + 3}" in said and f"ends at event {before}" in said


@pytest.mark.parametrize("how", ["plain", "as_old", "own_key", "stolen_key"])
def test_a_ticket_and_its_events_deleted_and_the_chain_rehashed_is_found(
    morning: Engine, how: str
) -> None:
    raw(
        morning, "DELETE FROM event WHERE ticket_id = (SELECT id FROM ticket WHERE number = 'M002')"
    )
    raw(morning, "DELETE FROM ticket WHERE number = 'M002'")
    rehash(morning, how)
    said = cli(morning, "audit", "verify", code=1)
    assert "event chain intact" not in said
    expected = {
        "plain": "contents changed after it was written",  # event 1 is not an HMAC with the key
        "as_old": "密钥封记不符",  # the seal says keyed hashing began at event 1
        "own_key": "sealed with another hall key",
        "stolen_key": "事件链被截断",  # only the witness is left: it saw one event more
    }[how]
    assert expected in said


FOUND = {
    "plain": "chain_broken",  # event 1 is not an HMAC with the hall's key
    "as_old": "chain_mark_bad",  # the seal says keyed hashing began at event 1
    "own_key": "key_wrong",  # sealed with a key that is not the hall's
    "stolen_key": "chain_truncated",  # only the witness is left: it saw more events
}


@pytest.mark.parametrize("how", list(FOUND))
def test_a_very_bad_rating_made_five_stars_is_found(morning: Engine, how: str) -> None:
    raw(morning, "UPDATE rating SET level = 5, reason = '' WHERE level = 1")
    edit_event_data(morning, "rated", level=5, reason="")
    raw(morning, "DELETE FROM rectification")
    raw(morning, "DELETE FROM event WHERE kind = 'rectification_opened'")
    rehash(morning, how)
    with reading(morning) as session:
        assert session.exec(select(Rating.level)).all() == [5]
    data = verify_json(morning, 1)
    found = data.get("problem") or data.get("error")
    assert found == FOUND[how]
    assert "differences" not in data  # the records were made to agree: the chain tells


@pytest.mark.parametrize("how", ["plain", "stolen_key"])
def test_a_promised_date_moved_is_found(morning: Engine, how: str) -> None:
    with reading(morning) as session:
        case = session.exec(select(Case)).one()
    later = "2026-12-31"
    raw(morning, "UPDATE service_case SET promised_date = :d", d=later)
    edit_event_data(morning, "case_opened", promised=later)
    rehash(morning, how)
    assert case.promised_date is not None and case.promised_date.isoformat() != later
    said = cli(morning, "audit", "verify", code=1)
    assert ("事件链在第 1 条断开" if how == "plain" else "事件链被改写") in said


def test_the_whole_history_wiped_is_found(morning: Engine) -> None:
    seen = last_event_seq(morning)
    for table in ("rectification", "rating", "service_case", "ticket", "event"):
        raw(morning, f"DELETE FROM {table}")
    raw(morning, "UPDATE chain_head SET seq = 0, hash = :g WHERE id = 1", g=GENESIS)
    said = cli(morning, "audit", "verify", code=1)
    assert "事件链被截断" in said and f"the witness saw event {seen}" in said
    assert "ends at event 0" in said


def test_a_chain_head_deleted_is_found(morning: Engine) -> None:
    raw(morning, "DELETE FROM event")
    raw(morning, "DELETE FROM chain_head")
    assert "the chain head is gone" in cli(morning, "audit", "verify", code=1)


def test_a_changed_witness_line_is_its_own_finding(morning: Engine, witness_file: Path) -> None:
    line = witness_file.read_text()
    seq = last_event_seq(morning)
    witness_file.write_text(line.replace(f" seq={seq} ", f" seq={seq - 1} "))
    said = cli(morning, "audit", "verify", code=1)
    assert "见证文件的检查点无效" in said and f"{witness_file}:1" in said


def test_checkpoints_of_another_database_are_not_mixed_in(
    morning: Engine, witness_file: Path
) -> None:
    line = witness_file.read_text().strip()
    chain = line.split(" ")[2]
    other = line.replace(chain, "chain=0123456789abcdef").replace(" seq=", " seq=9")
    witness_file.write_text(f"{line}\n{other}\n")
    assert "matches all 1 checkpoints" in cli(morning, "audit", "verify")


# ---------------------------------------------------------------- the key


def test_a_lost_key_is_its_own_error(
    morning: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.KEY_FILE.name, str(tmp_path / "gone" / "hall.key"))
    said = cli(morning, "audit", "verify", code=1)
    assert "找不到大厅密钥文件" in said and "key file is missing" in said
    assert "事件链" not in said  # not reported as tampering
    result = runner.invoke(app, ["--db", url_of(morning), "audit", "verify", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["error"] == "key_missing"


def test_another_hosts_key_is_its_own_error(
    morning: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.key"
    secret.create_key(other)
    monkeypatch.setenv(settings.KEY_FILE.name, str(other))
    said = cli(morning, "audit", "verify", code=1)
    assert "sealed with another hall key" in said and secret.fingerprint() in said
    with pytest.raises(secret.SecretError) as info:  # nor does it write checkpoints
        witness.current_checkpoint(morning)
    assert info.value.key == "key_wrong"


def test_a_host_with_another_key_writes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second host whose key file is not the hall's would write events that never verify."""
    before = last_event_seq(engine)
    other = tmp_path / "other.key"
    secret.create_key(other)
    monkeypatch.setenv(settings.KEY_FILE.name, str(other))
    monkeypatch.setenv("MASHANGBAN_NOW", "2026-11-25T10:00:00+08:00")
    said = cli(engine, "take", "M", code=1)
    assert "另一把大厅密钥" in said and "use the hall's key file" in said
    assert last_event_seq(engine) == before


def test_no_event_is_written_without_the_key(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = last_event_seq(engine)
    monkeypatch.setenv(settings.KEY_FILE.name, str(tmp_path / "gone.key"))
    with pytest.raises(secret.SecretError) as info:
        take_ticket(engine, queue="M", now=at(0))
    assert info.value.key == "key_missing"
    assert last_event_seq(engine) == before


# ---------------------------------------------------------------- events from before the upgrade


@pytest.fixture
def old_then_upgraded(empty_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A hall that ran the version before keyed hashing (revision 0005), then upgraded."""
    with empty_engine.begin() as conn:
        config = _config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    with monkeypatch.context() as old_code:
        old_code.setattr(events, "events_key", lambda key=None: None)  # plain SHA-256
        # today's day close reads tables and columns 0005 did not have (and has no day to close)
        old_code.setattr(tickets, "close_if_first", lambda engine, seq, moment: None)
        config_, text_ = read_hall_file(default_hall_path())
        store_hall(empty_engine, config_, text_)
        for code, name in CLERKS.items():
            staff.add_clerk(empty_engine, code=code, name=name, pin=PIN)
        take_ticket(empty_engine, queue="M", now=at(0))
    upgrade(empty_engine)
    take_ticket(empty_engine, queue="M", now=at(1))
    return empty_engine


def test_events_from_before_the_upgrade_still_verify(old_then_upgraded: Engine) -> None:
    engine = old_then_upgraded
    with reading(engine) as session:
        rows = session.exec(select(Event).order_by(col(Event.seq))).all()
    assert [r.kind for r in rows][-2:] == ["issued", "issued"]
    old, new = rows[-2], rows[-1]
    assert new.prev_hash == old.hash  # the first keyed event links to the last plain one
    checkpoint(engine)
    said = cli(engine, "audit", "verify")
    assert f"{len(rows)} events" in said and f"keyed from event {new.seq}" in said
    assert "matches all 1 checkpoints" in said


def test_old_events_cannot_be_rewritten_and_passed_off_as_old(old_then_upgraded: Engine) -> None:
    engine = old_then_upgraded
    raw(
        engine,
        "UPDATE event SET clerk_code = '1003' WHERE kind = 'clerk_added' AND clerk_code = '1002'",
    )
    rehash(engine, "as_old")
    assert "密钥封记不符" in cli(engine, "audit", "verify", code=1)


def test_moving_the_start_of_keyed_hashing_is_found(old_then_upgraded: Engine) -> None:
    engine = old_then_upgraded
    first_keyed = last_event_seq(engine)
    raw(engine, "UPDATE chain_head SET keyed_from = 999 WHERE id = 1")
    said = cli(engine, "audit", "verify", code=1)  # its HMAC is not a plain hash
    assert f"事件链在第 {first_keyed} 条断开" in said


# ---------------------------------------------------------------- writing checkpoints


class _Sink(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Sink.bodies = []
    yield f"http://127.0.0.1:{server.server_port}/witness"
    server.shutdown()
    server.server_close()


def test_the_webhook_gets_the_same_line(lite: Engine, sink: str, witness_file: Path) -> None:
    said = cli(lite, "audit", "checkpoint", "--webhook", sink, "--syslog")
    assert "checkpoint written" in said
    assert _Sink.bodies == [witness_file.read_bytes()]


def test_a_webhook_that_fails_is_reported_not_fatal(lite: Engine, witness_file: Path) -> None:
    said = cli(lite, "audit", "checkpoint", "--webhook", "http://127.0.0.1:9/nobody")
    assert "checkpoint written" in said and "could not be sent to http://127.0.0.1:9" in said
    assert len(witness_file.read_text().splitlines()) == 1
    refused = cli(lite, "audit", "checkpoint", "--webhook", "file:///etc/passwd")
    assert "must start with http" in refused


def test_the_apps_checkpoint_now_and_then_only_when_the_chain_moved(
    lite: Engine, witness_file: Path
) -> None:
    assert witness.checkpoint_now_and_then(lite) is True
    assert witness.checkpoint_now_and_then(lite) is False  # within the minute: not even a read
    assert witness.checkpoint_now_and_then(lite, every=0) is False  # nothing new
    take_ticket(lite, queue="M", now=at(0))
    assert witness.checkpoint_now_and_then(lite, every=0) is True
    assert len(witness_file.read_text().splitlines()) == 2


def test_a_witness_that_cannot_be_written_is_refused(lite: Engine, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    said = cli(lite, "audit", "checkpoint", "--witness", str(blocker / "witness.log"), code=1)
    assert "无法写入见证文件" in said


# ---------------------------------------------------------------- init and the key


def test_init_creates_the_key_and_seals_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "conf" / "hall.key"
    monkeypatch.setenv(settings.KEY_FILE.name, str(key))
    db = str(tmp_path / "hall.db")
    said = runner.invoke(app, ["--db", db, "init"])
    assert said.exit_code == 0, said.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert secret.fingerprint() in said.stdout
    engine = make_engine(f"sqlite:///{db}")
    try:
        with reading(engine) as session:
            head = session.get(ChainHead, 1)
        assert head is not None and head.key_fingerprint == secret.fingerprint()
        assert head.keyed_from == 1 and len(head.chain_id) == 16
        # A second host that forgot to copy the key gets told so, and no new key is made.
        os.unlink(key)
        second = runner.invoke(app, ["--db", db, "init"])
        assert second.exit_code == 1 and "copy the key file" in second.stderr
        assert not key.exists()
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the apps at work


def test_a_counter_at_work_leaves_a_checkpoint(engine: Engine, witness_file: Path) -> None:
    from tests.support import counter_pilot
    from tests.support.kiosk_pilot import until

    take_ticket(engine, queue="M", now=at(0))

    async def scenario(pilot: Any) -> None:
        await counter_pilot.log_in(pilot)
        line = await until(
            pilot,
            lambda: witness_file.read_text() if witness_file.exists() else None,
            "a checkpoint",
        )
        assert f" seq={last_event_seq(engine)} " in line  # the login's event included

    counter_pilot.drive(counter_pilot.counter(engine), scenario)
    assert "matches all 1 checkpoints" in cli(engine, "audit", "verify")


def test_a_kiosk_at_work_leaves_a_checkpoint(engine: Engine, witness_file: Path) -> None:
    from tests.support import kiosk_pilot

    async def scenario(pilot: Any) -> None:
        await kiosk_pilot.walk_in(pilot, "M")
        await kiosk_pilot.until(
            pilot,
            lambda: witness_file.read_text() if witness_file.exists() else None,
            "a checkpoint",
        )

    kiosk_pilot.drive(kiosk_pilot.kiosk(engine), scenario)
    assert "matches all 1 checkpoints" in cli(engine, "audit", "verify")
