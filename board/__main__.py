"""`python -m board [--db URL] [--queues A,B,M] [--mute]`: the same as `mashangban board`."""

from __future__ import annotations

import sys

from models.cli import main


def run(argv: list[str]) -> None:
    """Hand the arguments to `mashangban board` (``--db`` goes before the subcommand)."""
    args = list(argv)
    db: list[str] = []
    if "--db" in args:
        at = args.index("--db")
        db, args = args[at : at + 2], args[:at] + args[at + 2 :]
    sys.argv = ["mashangban", *db, "board", *args]
    main()


if __name__ == "__main__":
    run(sys.argv[1:])
