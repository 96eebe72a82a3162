"""Opening hours that overlap are a typo, never a wider day: the hall file is refused, saying
which ranges overlap and where, in both languages, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mashangban import app
from models.hall import default_hall_path, parse_hall

JINAN = default_hall_path().read_text(encoding="utf-8")
HALL_HOURS = 'hours = ["08:30-12:00", "13:00-17:00"]'
QUEUE_HOURS = '# hours = ["08:30-12:00"]        # optional'


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (HALL_HOURS, 'hours = ["08:00-12:00", "11:00-14:00"]', "hall.hours"),
        (HALL_HOURS, 'hours = ["13:00-17:00", "08:30-13:30"]', "hall.hours"),  # any order
        (QUEUE_HOURS, 'hours = ["08:30-12:00", "08:30-12:00"]  # twice', "queue[0].hours"),
    ],
)
def test_hall_load_refuses_overlapping_hours(
    db_url: str, tmp_path: Path, old: str, new: str, field: str
) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["--db", db_url, "hall", "show", "--json"]).stdout
    text = JINAN.replace(old, new, 1)
    assert text != JINAN
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["--db", db_url, "hall", "load", str(path)])
    said = result.stdout + result.stderr
    assert result.exit_code == 1, said
    assert "Traceback" not in said
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith(new))) + 1
    assert f"line {line}" in said and field in said
    assert "营业时段重叠" in said and "the hours overlap" in said
    assert runner.invoke(app, ["--db", db_url, "hall", "show", "--json"]).stdout == before


def test_hours_that_touch_are_fine() -> None:
    text = JINAN.replace(HALL_HOURS, 'hours = ["08:30-12:00", "12:00-17:00"]', 1)
    assert parse_hall(text).hall.hours == ["08:30-12:00", "12:00-17:00"]
