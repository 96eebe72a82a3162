"""Files and folders only their owner can read: the database, its folder, previews.

A SQLite file left 0644 in a 0755 folder let any local user copy the PIN hashes. What mashangban
creates is owner-only from the start (0700 folders, 0600 files); SQLite gives the ``-wal`` and
``-shm`` files the database file's own mode. What exists already is left as it is: an
administrator who opened it up for a group did so on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create a folder and its missing parents, each 0700; an existing folder is left alone.

    Raises OSError like :meth:`Path.mkdir` (FileExistsError when a file is in the way).
    """
    if path.is_dir():
        return
    if path.parent != path:
        private_dir(path.parent)
    try:
        path.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise


def private_file(path: Path) -> None:
    """Create an empty file 0600 unless one exists (no race: O_EXCL). Raises OSError."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
