"""Stored text shown on a terminal: escape sequences in a clerk's name, a pause reason or a
rectification note do not reach the supervisor's terminal, and new ones are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from mashangban import app, output
from models.clerks import staff
from models.db import make_engine
from models.errors import Refused
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.supervision.ratings import rate
from models.textsafe import printable, spreadsheet_text
from tests.conftest import NOW, open_window

runner = CliRunner()
ATTACK = "\x1b[2J\x1b]0;pwned\x07"
"""Clear the screen, then set the terminal's title to "pwned"."""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASHANGBAN_NOW", NOW.isoformat())
    monkeypatch.delenv("MASHANGBAN_DB", raising=False)
    monkeypatch.setattr(output.console, "width", 400)  # whole cells on one line, to read back


def run(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result.stdout + result.stderr


def test_printable_shows_controls_visibly_and_keeps_the_rest() -> None:
    assert printable(f"王芳{ATTACK}") == "王芳\\x1b[2J\\x1b]0;pwned\\x07"
    assert printable("a\u202eb\x9bc\nd") == "a\\u202eb\\x9bc\\x0ad"
    assert printable("张伟 Zhang Wei") == "张伟 Zhang Wei"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("\t=1", "'\\x09=1"),
        ("王芳", "王芳"),
    ],
)
def test_spreadsheet_text_neutralises_formulas(cell: str, shown: str) -> None:
    assert spreadsheet_text(cell) == shown


@pytest.fixture
def stored_attack(db_url: str) -> str:
    """A hall where a clerk's name, a pause reason and a rating's reason and note hold escape
    sequences and Rich markup, as they could have been stored before they were refused."""
    engine = make_engine(db_url)
    open_window(engine, 18)
    take_ticket(engine, item="M05", now=NOW)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    rate(engine, window=18, level=1, reason="态度不好", now=NOW)
    open_window(engine, 19, clerk="1002")
    staff.pause(engine, window=19, reason="meeting", now=NOW)
    with engine.begin() as conn:
        nasty = {"v": f"王芳{ATTACK}[bold]粗[/bold]尾"}
        conn.execute(text("UPDATE clerk SET name = :v WHERE code = '1001'"), nasty)
        conn.execute(text("UPDATE pause SET reason = :v"), nasty)
        conn.execute(text("UPDATE rectification SET reason = :v"), nasty)
    engine.dispose()
    return db_url


@pytest.mark.parametrize(
    "command", [("clerk", "list"), ("status",), ("rectify", "list")], ids=" ".join
)
def test_listings_escape_stored_control_characters_and_markup(
    stored_attack: str, command: tuple[str, ...]
) -> None:
    out = run(stored_attack, *command)
    assert "\x1b" not in out and "\x07" not in out  # the terminal is not cleared, no title set
    assert "\\x1b[2J" in out and "pwned" in out  # still shown, visibly
    assert "[bold]粗" in out  # markup shown as typed, not as bold


def test_a_pause_reason_with_control_characters_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    open_window(engine, 18)
    engine.dispose()
    out = run(db_url, "pause", "--window", "18", "--reason", f"午休{ATTACK}", code=1)
    assert "暂停原因不能含控制字符" in out and "pause reason must not contain control" in out
    assert "\x1b" not in out
    assert "暂停" not in run(db_url, "status").split("18", 1)[1].splitlines()[0]


def test_a_rectification_note_with_control_characters_is_refused(stored_attack: str) -> None:
    out = run(
        stored_attack, "rectify", "close", "1", "--by", "1001", "--note", f"已整改{ATTACK}", code=1
    )
    assert "整改说明不能含控制字符" in out and "rectification note must not contain" in out
    assert "\x1b" not in out
    assert "整改中" in run(stored_attack, "rectify", "list")  # still open


def test_a_rating_reason_with_control_characters_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    open_window(engine, 18)
    take_ticket(engine, item="M05", now=NOW)
    call_next(engine, window=18, now=NOW)
    finish(engine, window=18, now=NOW)
    with pytest.raises(Refused) as info:
        rate(engine, window=18, level=1, reason=f"态度不好{ATTACK}", now=NOW)
    engine.dispose()
    assert info.value.key == "text_control" and "rating reason" in info.value.en
    assert "\\x1b[2J" in info.value.en and "\x1b" not in info.value.en  # shown visibly
