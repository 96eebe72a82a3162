"""An appointments CSV with a huge field is refused in our words, on the right line, at our
limit (1,024 characters), not the csv module's English at its own 128 KiB; nothing is stored."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models import limits
from models.errors import Refused
from models.queue.appointments import import_appointments
from tests.unit.test_appointments import DAY, GOOD, HEADER, count
from tests.unit.test_appointments import hall_clock as hall_clock

LONG = "张" * 200_000  # 200 K characters (600 KB in UTF-8), within the file's 16 MiB


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "a.csv"
    path.write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8", newline="")
    return path


def test_a_200k_field_is_refused_on_its_line_in_both_languages(db_url: str, tmp_path: Path) -> None:
    assert limits.CSV_FIELD_MAX == 1024
    # Lines 2-4 are good, line 5 has the long name, line 6 is good again.
    path = write(tmp_path, [*GOOD, f"APPT0004,M,,{DAY},10:00,10:30,{LONG}", GOOD[0]])
    result = CliRunner().invoke(app, ["--db", db_url, "appointments", "import", str(path)])
    said = result.stdout + result.stderr
    assert result.exit_code == 1, said[:500]
    assert "line 5: field too long (max 1024)" in said
    assert "第 5 行：字段过长（上限 1024 个字符）" in said
    assert "field larger than field limit" not in said  # not the csv module's words


def test_the_limit_is_ours_exactly_and_the_process_keeps_its_own(
    engine: Engine, tmp_path: Path
) -> None:
    before = csv.field_size_limit()
    ok = write(tmp_path, [f"APPT0001,M,,{DAY},10:00,10:30,{'张' * 1024}"])
    assert import_appointments(engine, ok).added == 1
    over = write(tmp_path, [f"APPT0002,M,,{DAY},10:00,10:30,{'张' * 1025}"])
    with pytest.raises(Refused) as info:
        import_appointments(engine, over)
    assert (info.value.key, info.value.values["line"]) == ("csv_field_too_long", 2)
    assert count(engine) == 1
    assert csv.field_size_limit() == before  # other csv users in the process are untouched


def test_a_long_field_in_a_row_spanning_lines_names_the_rows_first_line(
    engine: Engine, tmp_path: Path
) -> None:
    # Line 2 is good; the row of line 3 goes on to line 4 (a quoted name with a line break).
    path = write(tmp_path, [GOOD[0], f'APPT0004,M,,{DAY},10:00,10:30,"王\r\n{LONG}"'])
    with pytest.raises(Refused) as info:
        import_appointments(engine, path)
    assert "line 3: field too long (max 1024)" in info.value.en
    assert count(engine) == 0
