"""A file printer pointed, through the database, at a file printing must never write.

The printer's address is in the hall configuration stored in the database, so someone who can
write the database can change it long after `hall load` checked it. Each print checks again:
the target stays byte-for-byte as it was, the ticket is still taken and shown, the job fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models import secret
from models.db import reading, writing
from models.errors import HallError
from models.queue.tickets import take_ticket
from models.supervision import witness
from models.tables import PrintJob
from printer.spooler import print_ticket_at_kiosk
from tests.system.test_print_faults import run_cli
from tests.unit.test_print_spooler import load

HARMLESS = "/tmp/placeholder-spool.bin"


def load_with_file_printer(engine: Engine, address: str) -> None:
    """The Jinan hall with kiosk K1 printing on one file printer."""
    load(
        engine,
        f'[[printer]]\nname = "desk"\nkind = "file"\naddress = "{address}"\ntimeout_s = 1.0\n\n'
        '[[kiosk]]\nid = "K1"\nprinter = "desk"\n',
    )


def rewrite_printer_in_database(engine: Engine, old: str, new: str) -> None:
    """What someone with write access to the database does: edit hall.source in place."""
    with writing(engine) as session:
        source = session.execute(text("SELECT source FROM hall WHERE id = 1")).scalar_one()
        assert old in source
        session.execute(
            text("UPDATE hall SET source = :s WHERE id = 1"), {"s": source.replace(old, new)}
        )


def job_state_and_error(engine: Engine) -> tuple[str, str]:
    with reading(engine) as session:
        job = session.get(PrintJob, 1)
        assert job is not None
        return job.state, job.last_error


def hall_key_file() -> Path:
    return secret.key_path()


def witness_with_a_checkpoint(engine: Engine) -> Path:
    witness.take_checkpoint(engine)
    return witness.witness_path()


def fake_bashrc(engine: Engine, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    rc = home / ".bashrc"
    rc.write_text("alias ll='ls -l'\n")
    return rc


TARGETS: dict[str, Callable[[Engine, Path], Path]] = {
    "key-file": lambda engine, tmp: hall_key_file(),
    "witness": lambda engine, tmp: witness_with_a_checkpoint(engine),
    "bashrc": fake_bashrc,
}


@pytest.mark.parametrize("name", list(TARGETS))
def test_a_file_printer_rewritten_in_the_database_does_not_touch_the_halls_files(
    engine: Engine, now: object, tmp_path: Path, name: str
) -> None:
    load_with_file_printer(engine, HARMLESS)
    target = TARGETS[name](engine, tmp_path)
    before = target.read_bytes()
    rewrite_printer_in_database(engine, HARMLESS, str(target))

    ticket = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
    job = print_ticket_at_kiosk(engine, token=ticket.token)

    assert target.read_bytes() == before
    assert job.state == "failed" and job.number == ticket.number
    state, error = job_state_and_error(engine)
    assert state == "failed" and "must not write" in error and "不能写入" in error


def test_a_symlink_planted_after_load_is_not_followed(
    engine: Engine, now: object, tmp_path: Path
) -> None:
    spool = tmp_path / "spool.bin"
    load_with_file_printer(engine, str(spool))  # a plain new file: fine when loaded
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    spool.symlink_to(victim)  # planted after the check

    ticket = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
    job = print_ticket_at_kiosk(engine, token=ticket.token)

    assert victim.read_bytes() == b"precious\n"
    assert job.state == "failed" and "symbolic link" in job_state_and_error(engine)[1]


def test_a_hard_link_to_the_database_is_refused_at_print_time(
    lite: Engine, now: object, tmp_path: Path
) -> None:
    assert lite.url.database
    database = Path(lite.url.database)
    link = tmp_path / "tickets.bin"
    load_with_file_printer(lite, HARMLESS)
    os.link(database, link)  # another name for the database, made after the load
    rewrite_printer_in_database(lite, HARMLESS, str(link))

    ticket = take_ticket(lite, queue="M", now=now)  # type: ignore[arg-type]
    job = print_ticket_at_kiosk(lite, token=ticket.token)

    assert job.state == "failed" and "hall's database" in job_state_and_error(lite)[1]
    with reading(lite) as session:  # nothing appended: whole pages, and SQLite finds it sound
        page = session.execute(text("PRAGMA page_size")).scalar_one()
        assert session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert session.execute(text("SELECT count(*) FROM ticket")).scalar_one() == 1
    assert database.stat().st_size % page == 0


def test_a_system_path_is_refused_at_print_time(engine: Engine, now: object) -> None:
    planted = Path(f"/etc/mashangban-guard-{secrets.token_hex(4)}")
    load_with_file_printer(engine, HARMLESS)
    rewrite_printer_in_database(engine, HARMLESS, str(planted))
    try:
        ticket = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
        job = print_ticket_at_kiosk(engine, token=ticket.token)
        assert not planted.exists()
        assert job.state == "failed" and "system folder" in job_state_and_error(engine)[1]
    finally:
        planted.unlink(missing_ok=True)


def test_take_print_shows_the_number_when_the_printer_points_at_the_key(
    engine: Engine, db_url: str
) -> None:
    load_with_file_printer(engine, HARMLESS)
    key = secret.key_path()
    before = key.read_bytes()
    rewrite_printer_in_database(engine, HARMLESS, str(key))

    done = run_cli(db_url, "take", "M", "--print")

    assert done.returncode == 0, done.stderr
    assert "M001" in done.stdout and "打印失败" in done.stdout
    assert key.read_bytes() == before
    with reading(engine) as session:
        assert session.execute(text("SELECT count(*) FROM ticket")).scalar_one() == 1


@pytest.mark.parametrize("kind", ["witness", "hard-link", "bashrc"])
def test_hall_load_refuses_the_witness_a_hard_link_and_hidden_files(
    lite: Engine, tmp_path: Path, kind: str
) -> None:
    if kind == "witness":
        witness.take_checkpoint(lite)
        address = str(witness.witness_path())
    elif kind == "hard-link":
        other = tmp_path / "notes.txt"
        other.write_text("x")
        os.link(other, tmp_path / "tickets.bin")
        address = str(tmp_path / "tickets.bin")
    else:
        address = str(fake_bashrc(lite, tmp_path))
    with pytest.raises(HallError) as info:
        load_with_file_printer(lite, address)
    assert "printer[1].address (desk)" in info.value.en


def test_a_plain_file_a_pipe_and_dev_null_still_print(
    engine: Engine, now: object, tmp_path: Path
) -> None:
    spool = tmp_path / "spool.bin"
    load_with_file_printer(engine, str(spool))
    ticket = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
    assert print_ticket_at_kiosk(engine, token=ticket.token).state == "done"
    assert b"M001" in spool.read_bytes()
    assert oct(spool.stat().st_mode & 0o777) == "0o600"
    rewrite_printer_in_database(engine, str(spool), "/dev/null")
    ticket = take_ticket(engine, queue="M", now=now)  # type: ignore[arg-type]
    assert print_ticket_at_kiosk(engine, token=ticket.token).state == "done"
