"""``python -m bench`` (``make bench``): run the benchmarks, print tables and PASS/FAIL lines.

Options: ``--quick`` (smaller sizes, a smoke test of about a minute), ``--only NAME`` (repeatable:
take, call, drain, status, print, kiosk, mixed, cli, serve, book, profile), ``--profile``
(profile the chosen benchmarks even when they pass; otherwise the profile runs for missed targets
only; print has no profile; kiosk profiles itself, in its own subprocesses). Exit status 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench import BENCHMARKS
from bench.common import FULL, QUICK, Result, Verdict, machine_note
from bench.databases import Databases
from bench.halldb import commit_latency
from bench.report import print_header, print_result, print_verdicts
from models import settings
from models.secret import create_key


def _runners(dbs: Databases, profile: bool) -> dict[str, Callable[[], Result]]:
    from bench import (
        board,
        book,
        call,
        cli,
        counter,
        drain,
        kiosk,
        mixed,
        printing,
        serve,
        status,
        take,
        yearreport,
    )

    sizes, workdir = dbs.sizes, dbs.workdir
    return {
        "take": lambda: take.run(sizes, workdir, dbs.template),
        "call": lambda: call.run(sizes, workdir, dbs.prefilled[0]),
        "drain": lambda: drain.run(sizes, workdir, *dbs.prefilled),
        "status": lambda: status.run(sizes, workdir, dbs.template, dbs.history),
        "print": lambda: printing.run(sizes),
        "kiosk": lambda: kiosk.run(sizes, workdir, profile),
        "board": lambda: board.run(sizes, workdir, dbs.template),
        "counter": lambda: counter.run(sizes, workdir, dbs.template),
        "yearreport": lambda: yearreport.run(sizes, workdir, dbs.template),
        "mixed": lambda: mixed.run(sizes, workdir),
        "cli": lambda: cli.run(sizes, workdir, dbs.template, dbs.prefilled[0]),
        "serve": lambda: serve.run(sizes, workdir, dbs.template),
        "book": lambda: book.run(sizes, workdir, dbs.template),
    }


def _profile(console: Console, dbs: Databases, parts: list[str]) -> None:
    from bench import profiling

    _run(console, lambda: profiling.run(dbs, parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke test)")
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true", help="profile the chosen benchmarks even if they pass"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    chosen = args.only or [name for name in BENCHMARKS if name != "profile"]
    console = Console(width=max(Console().width, 120))
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mashangban-bench-") as tmp:
        os.environ.pop(settings.DB.name, None)  # every benchmark names its own database
        os.environ[settings.KEY_FILE.name] = str(Path(tmp) / "hall.key")  # never the hall's own
        os.environ[settings.WITNESS.name] = str(Path(tmp) / "witness.log")
        create_key()
        fsync = commit_latency(Path(tmp))
        note = machine_note(tmp)
        note.insert(2, f"one-row commit on this disk (WAL, FULL): p50 {fsync[0]:.2f} ms, "
                    f"p99 {fsync[1]:.2f} ms")  # fmt: skip
        print_header(console, note, args.quick)
        dbs = Databases(Path(tmp), sizes)
        runners = _runners(dbs, args.profile)
        verdicts: list[Verdict] = []
        for name in chosen:
            if name != "profile":
                verdicts += _run(console, runners[name])
        missed = [v.name for v in verdicts if not v.passed]
        everything = ["take", "drain", "status"]
        if "profile" in chosen or args.profile:
            measured = [name for name in chosen if name != "profile"]
            parts = profiling_parts(measured if args.profile and measured else everything)
            if parts:  # print has no profile
                _profile(console, dbs, sorted(parts))
        elif profiling_parts(missed):
            console.print(f"Missed: {', '.join(missed)}. Profiling.", style="bold")
            _profile(console, dbs, sorted(profiling_parts(missed)))
    console.rule("targets")
    print_verdicts(console, verdicts)
    console.print(f"({time.perf_counter() - began:.0f} s in all)", style="dim")
    return 1 if missed else 0


def profiling_parts(missed: list[str]) -> set[str]:
    """What to profile for the missed targets: take → take, drain → call + finish, status."""
    parts = {"take": "take", "drain": "call", "call": "call", "status": "status"}
    return {parts[name] for name in missed if name in parts}


def _run(console: Console, runner: Callable[[], Result]) -> list[Verdict]:
    start = time.perf_counter()
    result = runner()
    result.seconds = time.perf_counter() - start
    print_result(console, result)
    return result.verdicts


if __name__ == "__main__":
    sys.exit(main())
