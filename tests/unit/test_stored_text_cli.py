"""Listings of the command line show text written straight into the database (past the
checks at the door) as text: `case list`, the difference table of `audit verify`, `status`
and `print-jobs list` do not pass its escape sequences to the terminal or obey its markup."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from mashangban import app, output
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.ratings import rate
from tests.conftest import NOW, open_window

runner = CliRunner()
ATTACK = "\x1b[2J\x1b]0;pwned\x07\x9b31m"
"""Clear the screen, set the terminal's title, ring the bell, an 8-bit CSI."""
HOSTILE = f"坏{ATTACK}[b]闪[/b]"
SHORT = "\x1b[2J[i]"
"""Clear the screen, then italic markup: fits an 8-character column (a ticket number)."""
SHOWN = ("\\x1b[2J", "\\x1b]0;pwned\\x07", "\\x9b31m", "[b]闪[/b]")
"""How the hostile text shows: visibly, and markup as typed."""


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    monkeypatch.setattr(output.console, "width", 400)  # whole cells on one line, to read back


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result.stdout + result.stderr


def poison(engine: Engine, statement: str) -> None:
    """Write hostile text straight into a table, as someone with the database could."""
    with engine.begin() as conn:
        conn.execute(text(statement), {"v": HOSTILE, "short": SHORT})


def assert_inert(out: str, shown: tuple[str, ...] = SHOWN) -> None:
    for byte in ("\x1b", "\x07", "\x9b"):
        assert byte not in out, (byte, out)
    for part in shown:
        assert part in out, (part, out)


def a_case(engine: Engine) -> None:
    """D001 served at window 13: its item promises working days, so finishing opens a case."""
    open_window(engine, 13, "1002")
    take_ticket(engine, item="D01", now=NOW)
    call_next(engine, window=13, now=NOW)
    finish(engine, window=13, now=NOW)


def test_case_list_shows_a_poisoned_case_as_text(db_url: str, engine: Engine) -> None:
    a_case(engine)
    poison(engine, "UPDATE service_case SET case_number = :v, pickup_code = :short")
    assert_inert(run(db_url, "case", "list"), (*SHOWN, "\\x1b[2J[i]"))


def test_audit_verify_shows_a_poisoned_difference_as_text(db_url: str, engine: Engine) -> None:
    open_window(engine, 18)
    take_ticket(engine, item="M05", now=NOW)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    rate(engine, window=18, level=2, reason="等候时间长", now=NOW)
    poison(engine, "UPDATE rating SET reason = :v")
    out = run(db_url, "audit", "verify", code=1)
    assert "等候时间长" in out  # the difference is listed: what the events say
    assert_inert(out)


def test_status_shows_poisoned_ticket_numbers_and_zones_as_text(
    db_url: str, engine: Engine
) -> None:
    open_window(engine, 18)
    take_ticket(engine, queue="M", now=NOW)
    take_ticket(engine, queue="M", now=NOW)
    call_next(engine, window=18, now=NOW)
    poison(engine, "UPDATE ticket SET number = :short")
    out = run(db_url, "status")
    assert_inert(out, ("\\x1b[2J[i]",))
    assert out.count("\\x1b[2J[i]") == 2  # at window 18, and next in line in zone M
