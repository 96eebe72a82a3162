"""A witness file cut short or garbled is evidence of tampering: `audit verify` fails, naming
the line, instead of passing with a yellow note."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.clerks import staff
from models.supervision import witness
from tests.unit.test_audit_witness import a_morning, at, checkpoint, cli, verify_json


def cut_the_last_line_short(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1][:60]  # a disk full, or a hand that truncated the file
    path.write_bytes(b"".join(lines))


def garble_the_first_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[0] = lines[0].replace(b" seq=", b" s\xffq=", 1)
    path.write_bytes(b"".join(lines))


def blank_the_first_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[0] = b" " * (len(lines[0]) - 1) + b"\n"
    path.write_bytes(b"".join(lines))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "cut-short": (cut_the_last_line_short, "2"),
    "garbled": (garble_the_first_line, "1"),
    "blanked": (blank_the_first_line, "1"),
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_verify_fails_on_a_damaged_witness_and_names_the_line(engine: Engine, how: str) -> None:
    a_morning(engine)
    checkpoint(engine)
    staff.pause(engine, window=18, reason="休息", now=at(30))
    checkpoint(engine)
    assert "records match the events" in cli(engine, "audit", "verify")  # sound before
    damage, line = DAMAGE[how]
    damage(witness.witness_path())

    said = cli(engine, "audit", "verify", code=1)

    assert f"unreadable lines: {line} " in said and "tampered" in said
    assert f"第 {line} 行无法识别" in said
    data = verify_json(engine, 1)
    assert data["witness_unreadable_lines"] == [int(line)]
    assert data["problem"] == "witness_garbled"


def test_a_whole_witness_still_verifies(engine: Engine) -> None:
    a_morning(engine)
    checkpoint(engine)
    checkpoint(engine)
    said = cli(engine, "audit", "verify")
    assert "matches all 2 checkpoints" in said and "unreadable" not in said
    assert verify_json(engine, 0)["problem"] == ""
