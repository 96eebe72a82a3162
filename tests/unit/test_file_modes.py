"""Files and folders mashangban creates are owner-only.

The attack: `init` made the database 0644 in a 0755 folder, so any local user could copy the
PIN hashes and try every 4-digit PIN offline (done in 279 s). Now the folders it creates are
0700 and the database, its -wal and -shm, and the preview printer's folder and files are 0600.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from mashangban import app
from models.db import make_engine
from models.hall import PrinterConfig
from printer.devices import open_link


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start users with: new files 0644, folders 0755 unless asked."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_init_on_a_new_path_creates_owner_only_folders_and_files(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "hall.db"
    result = CliRunner().invoke(app, ["--db", str(db), "init"])
    assert result.exit_code == 0, result.stderr
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "deeper") == 0o700
    assert mode(db) == 0o600
    # While a connection is open, SQLite keeps the -wal and -shm files: the same mode.
    engine = make_engine(str(db))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM clerk")).scalar()
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert (mode(wal), mode(shm)) == (0o600, 0o600)
    finally:
        engine.dispose()
    # Nobody but the owner can read it: no bit for the group or others anywhere on the way.
    for path in (tmp_path / "new", tmp_path / "new" / "deeper", db):
        assert mode(path) & 0o077 == 0, path


def test_an_existing_folder_and_database_keep_their_modes(tmp_path: Path) -> None:
    """An administrator who opened a folder up for a group did so on purpose."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    shared.chmod(0o750)
    engine = make_engine(str(shared / "hall.db"))
    engine.dispose()
    assert mode(shared) == 0o750
    assert mode(shared / "hall.db") == 0o600  # the new file in it is still owner-only


def test_the_preview_printer_writes_owner_only(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "data" / "preview"
    monkeypatch.setenv("MASHANGBAN_PREVIEW_DIR", str(folder))
    link = open_link(PrinterConfig(name="kiosk-preview", kind="preview"))
    try:
        link.send(b"\x1b@M001\n")
    finally:
        link.close()
    assert mode(tmp_path / "data") == 0o700 and mode(folder) == 0o700
    assert mode(folder / "kiosk-preview.escpos") == 0o600
    assert (folder / "kiosk-preview.escpos").read_bytes() == b"\x1b@M001\n"
