"""`python -m kiosk [--db URL] [--kiosk-id K] [--printer NAME]`: the same as `mashangban kiosk`."""

from __future__ import annotations

import sys

from models.cli import main


def run(argv: list[str]) -> None:
    """Hand the arguments to `mashangban kiosk` (``--db`` goes before the subcommand)."""
    args = list(argv)
    db: list[str] = []
    if "--db" in args:
        at = args.index("--db")
        db, args = args[at : at + 2], args[:at] + args[at + 2 :]
    sys.argv = ["mashangban", *db, "kiosk", *args]
    main()


if __name__ == "__main__":
    run(sys.argv[1:])
