"""`python -m kiosk [--db URL] [--kiosk-id K] [--printer NAME]`: the kiosk, started fast.

It does what `mashangban kiosk` does, without loading the console command (Typer, and SQLAlchemy
before the first screen): the database is opened and checked by the app after its first screen
is drawn, and an uninitialised one still ends the kiosk with the message and exit status 1.
The first screen comes from a snapshot of the last run in the user cache folder.
"""

from __future__ import annotations

import argparse
import sys


def run(argv: list[str]) -> int:
    """Start the kiosk; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m kiosk", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a SQLite file path or a SQLAlchemy URL (or MASHANGBAN_DB)")
    parser.add_argument("--kiosk-id", help="which [[kiosk]] of the hall file this is")
    parser.add_argument("--printer", help="print on this printer instead")
    args = parser.parse_args(argv)

    from kiosk import snapshot
    from kiosk.app import KioskSettings, create_app

    app = create_app(
        KioskSettings(
            db=args.db,
            kiosk_id=args.kiosk_id,
            printer=args.printer,
            snapshot=snapshot.default_path(args.db, args.kiosk_id),
        )
    )
    app.run()
    if app.refusal is not None:
        exc = app.refusal  # shown as the console command shows a refusal
        hint = f"\n  → {exc.hint}" if exc.hint else ""
        print(f"✗ {exc.zh}\n  {exc.en}{hint}", file=sys.stderr)
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
