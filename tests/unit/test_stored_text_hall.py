"""A hall file whose names hold control characters is refused at `hall load`: queue, item,
department and window names reach the kiosk, the board, the counter and the paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mashangban import app
from models.hall import default_hall_path

runner = CliRunner()
SHIPPED = default_hall_path().read_text("utf-8")


def run(db: str, *args: str, code: int) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("original", "poisoned", "field"),
    [
        ('name_zh = "不动产登记"', r'name_zh = "不动产\u001b[2J登记"', "queue[0].name_zh"),
        (
            'name_zh = "不动产登记信息查询"',
            r'name_zh = "不动产\u001d\u0056\u0000登记信息查询"',
            "item[0].name_zh",
        ),
        (
            'name_en = "Municipal Land and Resources Bureau"',
            r'name_en = "Municipal\u001b]0;pwned\u0007 Land"',
            "department[0].name_en",
        ),
        ('label_zh = "不动产登记"', r'label_zh = "不动产\u009b31m登记"', "window[0].label_zh"),
        ('ticket_footer = "只进一扇门', r'ticket_footer = "\t只进一扇门', "hall.ticket_footer"),
    ],
    ids=["queue", "item", "department", "window", "footer"],
)
def test_a_name_with_control_characters_is_refused_in_both_languages(
    sqlite_url: str, tmp_path: Path, original: str, poisoned: str, field: str
) -> None:
    before = run(sqlite_url, "hall", "show", "--json", code=0)
    assert original in SHIPPED
    text = SHIPPED.replace(original, poisoned, 1)
    hall = tmp_path / "hall.toml"
    hall.write_text(text, "utf-8")
    out = run(sqlite_url, "hall", "load", str(hall), code=1)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if poisoned in s)
    assert "控制字符" in out and "control characters" in out
    assert f"line {line}" in out and field in out
    assert "\x1b" not in out and "\x07" not in out and "\x1d" not in out and "\x9b" not in out
    assert run(sqlite_url, "hall", "show", "--json", code=0) == before  # nothing stored


def test_a_footer_may_still_have_two_lines(sqlite_url: str, tmp_path: Path) -> None:
    hall = tmp_path / "hall.toml"
    hall.write_text(
        SHIPPED.replace('ticket_footer = "只进一扇门 ', r'ticket_footer = "只进一扇门\n', 1),
        "utf-8",
    )
    assert "已载入" in run(sqlite_url, "hall", "load", str(hall), code=0)
