"""Where a file printer may write: checked when the hall file is loaded, and again at each print.

The address comes from the hall configuration stored in the database, so someone who can write
the database can change it after `hall load` checked it. Each print therefore opens the file
itself safely (no symlink followed, checked after opening by what it is, not by its name) and
refuses: the hall's database (and its -wal, -shm, -journal), key file or witness file, by name
or as a hard link; a symbolic link; a folder, a socket, a block device; a hidden file or folder
(``~/.bashrc``, ``~/.ssh``); an executable; a file of another user; system folders
(/etc, /usr, /boot, /proc …) and devices other than printers (/dev/usb/lp0, /dev/ttyUSB0 …).
Pipes (to a print daemon) and new or plain files of the hall's user are fine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from sqlalchemy import Engine

from models.db import is_sqlite
from models.errors import MashangbanError
from models.private import FILE_MODE
from models.text import printing

SYSTEM_DIRS = tuple(
    Path(p)
    for p in (
        "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot",
        "/proc", "/sys", "/dev", "/root", "/var/spool/cron",
    )
)  # fmt: skip
"""Folders a file printer never writes into (devices in /dev: only PRINTER_DEVICES)."""
PRINTER_DEVICES = re.compile(r"^/dev/(null|usb/lp\d+|lp\d+|ttyUSB\d+|ttyACM\d+|ttyS\d+|rfcomm\d+)$")
"""The device nodes a file printer may write to: printers' and serial ports' (and /dev/null)."""


class PrintFileRefused(MashangbanError):
    """A file printer's address is a place printing must not write to."""


def database_file(engine: Engine) -> str | None:
    """The SQLite file an engine writes (None on PostgreSQL), for the checks below."""
    return engine.url.database if is_sqlite(engine) else None


def protected_files(database: str | None) -> list[Path]:
    """The hall's own files: the SQLite database and its companions (``database`` is None on
    PostgreSQL), the key file, the witness file."""
    from models.secret import key_path
    from models.supervision.witness import witness_path

    found = [key_path(), witness_path()]
    if database:
        db = Path(database).expanduser().absolute()
        found += [db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", "-journal"))]
    return found


def check_print_file(address: str, database: str | None) -> None:
    """Refuse an address by its name and by what is there now (without following a link).

    Raises PrintFileRefused."""
    path = _absolute(address)
    _check_name(path, database)
    try:
        found = os.lstat(path)
    except OSError:
        return  # not there (yet): created owner-only at the first print, or it fails then
    _check_found(path, found, database)


def open_print_file(address: str, database: str | None) -> int:
    """Open a file printer's file for appending, without blocking, after checking it again.

    A new file is created owner-only. Raises PrintFileRefused for a place it must not write
    to, OSError when it cannot be opened."""
    path = _absolute(address)
    _check_name(path, database)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refused(path, "symlink") from exc
        raise
    try:
        _check_found(path, os.fstat(fd), database)
    except PrintFileRefused:
        os.close(fd)
        raise
    return fd


def _absolute(address: str) -> Path:
    return Path(address).expanduser().absolute()


def _refused(path: Path, why: str) -> PrintFileRefused:
    return PrintFileRefused("print_file_refused", path=path, why=printing.line(f"file_{why}"))


def _check_name(path: Path, database: str | None) -> None:
    real = path.resolve()
    guarded = set()
    for p in protected_files(database):
        guarded |= {p, p.resolve()}
    if path in guarded or real in guarded:
        raise _refused(path, "hall_file")
    for place in (Path(os.path.normpath(path)), real):
        if any(part.startswith(".") for part in place.parts):
            raise _refused(path, "hidden")
        if PRINTER_DEVICES.match(str(place)):
            continue
        if any(place.is_relative_to(system) for system in SYSTEM_DIRS):
            raise _refused(path, "system")


def _check_found(path: Path, found: os.stat_result, database: str | None) -> None:
    mode = found.st_mode
    if stat.S_ISLNK(mode):
        raise _refused(path, "symlink")
    for protected in protected_files(database):
        with contextlib.suppress(OSError):
            same = os.stat(protected)
            if (same.st_dev, same.st_ino) == (found.st_dev, found.st_ino):
                raise _refused(path, "hall_file")
    if stat.S_ISFIFO(mode):
        return
    if stat.S_ISCHR(mode):
        if not PRINTER_DEVICES.match(str(path.resolve())):
            raise _refused(path, "system")
        return
    if not stat.S_ISREG(mode):
        raise _refused(path, "not_a_file")
    if found.st_nlink > 1:
        raise _refused(path, "hard_link")
    if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        raise _refused(path, "executable")
    if found.st_uid != os.geteuid():
        raise _refused(path, "not_ours")
