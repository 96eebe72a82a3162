"""`python -m counter [--db URL] --window N [--clerk ID]`: the same as `mashangban counter`."""

from __future__ import annotations

import sys

from models.cli import main


def run(argv: list[str]) -> None:
    """Hand the arguments to `mashangban counter` (``--db`` goes before the subcommand)."""
    args = list(argv)
    db: list[str] = []
    if "--db" in args:
        at = args.index("--db")
        db, args = args[at : at + 2], args[:at] + args[at + 2 :]
    sys.argv = ["mashangban", *db, "counter", *args]
    main()


if __name__ == "__main__":
    run(sys.argv[1:])
