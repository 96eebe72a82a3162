"""Every subcommand of `mashangban`: its name, the module that defines it, and its one-line help.

The command line imports a command's module only when that command runs, so `mashangban take`
does not pay for reports, printing, Alembic or the apps. ``--help`` lists every command from this
table without importing any of them. tests/test_fast_cli.py checks the table against the
commands the modules really register (names, modules, help), so it cannot drift.
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    """One subcommand (or group of subcommands) as ``--help`` lists it."""

    module: str
    """The module whose import registers it on ``mashangban.app``."""
    help: str
    """The first paragraph of its help, as the command's own help says it."""


COMMANDS: dict[str, Entry] = {
    # In the order --help lists them: the commands, then the groups.
    "init": Entry(
        "mashangban.admin",
        "Create or upgrade the database and the hall's key file; load the default hall.",
    ),
    "login": Entry("mashangban.admin", "Log a clerk in at a window."),
    "logout": Entry("mashangban.admin", "Log the clerk out of a window."),
    "version": Entry("mashangban.admin", "Print the version and the database revision it expects."),
    "kiosk": Entry(
        "mashangban.apps",
        "Start the ticket kiosk (touch first; F12 and a staff PIN for the staff menu).",
    ),
    "board": Entry(
        "mashangban.apps",
        "Start the display board: the newest calls in large letters, spoken in Mandarin.",
    ),
    "counter": Entry(
        "mashangban.apps",
        "Start the clerk's counter for a window (log in with the clerk number and PIN).",
    ),
    "monitor": Entry(
        "mashangban.apps",
        "Start the hall manager's live monitor: queues, windows and alarms (q quits).",
    ),
    "rate": Entry(
        "mashangban.apps",
        "Start the rating pad (好差评) facing the citizen at a window (F12 and a staff PIN quit).",
    ),
    "serve": Entry(
        "mashangban.apps",
        "Start the hall server: the citizen's ticket page, the browser board, the API.",
    ),
    "demo": Entry(
        "mashangban.demo",
        "Kiosk, counter and board side by side on a fresh database: take, call, see, hear.",
    ),
    "take": Entry("mashangban.desk", "Take a walk-in ticket (and print it with --print)."),
    "checkin": Entry(
        "mashangban.desk", "Check in an appointment: an on-time code becomes a priority ticket."
    ),
    "call": Entry(
        "mashangban.desk",
        "Call the next ticket for a window (exit 3 when nothing waits), or a given number.",
    ),
    "recall": Entry("mashangban.desk", "Call the window's current ticket again."),
    "no-show": Entry(
        "mashangban.desk",
        "The called citizen did not come (void after the hall's maximum misses).",
    ),
    "start": Entry("mashangban.desk", "Start serving the called citizen."),
    "finish": Entry("mashangban.desk", "Finish the current service."),
    "cancel": Entry(
        "mashangban.desk",
        "Cancel a ticket (the window's current one, or any open one by number).",
    ),
    "requeue": Entry("mashangban.desk", "Put a missed ticket back in line."),
    "transfer": Entry(
        "mashangban.desk",
        "Send the window's citizen to another queue or window with a new, linked ticket.",
    ),
    "pause": Entry("mashangban.desk", "Pause a window: it calls no one until resumed."),
    "resume": Entry("mashangban.desk", "Resume a paused window."),
    "status": Entry(
        "mashangban.desk", "Waiting per queue and each window's current ticket and state."
    ),
    "close-day": Entry(
        "mashangban.desk",
        "Close the tickets of past days still open: waiting ones (and ones left at a window\n"
        "overnight) expire, missed ones become void. Safe to run at any time (e.g. nightly "
        "from cron);\n"
        "the first ticket of each day does it too. Refuses (exit 1) when this host's clock is "
        "ahead of\n"
        "the database's, and holds a day still active in the last hours unless --force.",
    ),
    "plan": Entry(
        "mashangban.planning",
        "How many windows each period needs so that the target share waits less than the target,\n"
        "from the hall's history; beside the current staffing, with what-ifs.",
    ),
    "reprint": Entry(
        "mashangban.printing", "Print a ticket (or its receipt) again, marked 补打 REPRINT."
    ),
    "rollup": Entry(
        "mashangban.reports",
        "Roll up every closed day for every grouping (run it nightly, e.g. from cron, so that\n"
        "no manager's first report of a long range has to).",
    ),
    "report": Entry(
        "mashangban.reports",
        "Tickets issued and served, no-shows, waits, services, limits, ratings and cases.",
    ),
    "hall": Entry("mashangban.admin", "The hall file: queues, items, windows."),
    "clerk": Entry("mashangban.admin", "Clerks who log in at windows."),
    "audit": Entry("mashangban.admin", "Checks on the event log and the records."),
    "apikey": Entry("mashangban.apikeys", "API keys for other systems on the hall server's API."),
    "appointments": Entry(
        "mashangban.bookings", "Appointments: book, cancel, list, stats, import, nightly jobs."
    ),
    "case": Entry("mashangban.cases", "Cases (办件): list, ready, pickup."),
    "notify": Entry(
        "mashangban.notify",
        "Messages to citizens (turn near, called, missed, bookings): send, list, retry, secret.",
    ),
    "printer": Entry("mashangban.printing", "Printers named in the hall file."),
    "print-jobs": Entry("mashangban.printing", "Print jobs (stored before they are sent)."),
    "rectify": Entry(
        "mashangban.supervision", "Rectification items (整改) opened by bad ratings: list, close."
    ),
}
"""name → where it is defined and what --help says of it."""
