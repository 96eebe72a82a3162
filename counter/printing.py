"""The desk's printing: a case receipt after a finish, a transfer's new slip, and the keys that
print (the last receipt, a reprint). Printers are slow and may fail: each print runs in a worker
of its own that reports with a :class:`~counter.messages.ReceiptPrinted`, said on the receipt
line, so the clerk's next key does not wait for paper.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from textual import work
from textual.widgets import Static

from appkit.errors import describe
from counter.deskcore import DeskCore
from counter.messages import ReceiptPrinted, SlipDue
from models.text import counter as ct
from models.textsafe import printable_lines

if TYPE_CHECKING:
    from printer.receipts import ReceiptPrint


class Printing(DeskCore):
    """Receipts and slips, printed beside the desk's actions."""

    def __init__(self, window: int) -> None:
        super().__init__(window)
        self.receipts_done = 0
        """Receipts and transfer slips printed (or failed) so far."""
        self._slip: SlipDue | None = None
        """A transfer's slip to print once its action has ended."""

    def _print_after(self, receipt_for: str | None) -> None:
        """An action ended: print the case receipt or the transfer slip it made due, if any."""
        if receipt_for is not None:
            # Printed once the new number is on screen (rendering ESC/POS holds the GIL), in
            # its own worker: the clerk's next key does not wait for the printer.
            self.call_after_refresh(self._print_receipt_of, receipt_for)
        slip, self._slip = self._slip, None
        if slip is not None:
            # After the action's message ("printing…"), so the slip's result comes after it.
            self.call_after_refresh(self._print_slip, slip)

    @work(thread=True, group="receipt", exit_on_error=False)
    def _print_receipt_of(self, number: str) -> None:
        text, bad = _print_receipt(self.counter.engine, self.window, number, self.counter.now())
        self.post_message(ReceiptPrinted(text, bad))

    def on_desk_screen_receipt_printed(self, message: ReceiptPrinted) -> None:
        text, bad = message.text, message.bad
        receipt = self.query_one("#receipt", Static)
        receipt.set_classes("message-error" if bad else "message-information")
        receipt.update(printable_lines(text))
        receipt.display = True
        self.receipts_done += 1
        said, severity = self.said
        if message.retold is not None and message.retold[0] in said:
            # The slip is done (the line above says how): the message no longer says printing.
            self.say(said.replace(*message.retold), severity)

    def on_desk_screen_slip_due(self, message: SlipDue) -> None:
        self._slip = message  # posted by the action's worker: the action ends next

    @work(thread=True, group="receipt", exit_on_error=False)
    def _print_slip(self, slip: SlipDue) -> None:
        from printer.receipts import print_transfer_slip

        number = slip.number
        try:
            job = print_transfer_slip(self.counter.engine, window=self.window, token=slip.token)
        except Exception as exc:  # said on the receipt line; the new ticket stands
            text, bad = f"{ct.line('slip_not_sent', number=number)}\n{describe(exc)}", True
        else:
            bad = job.state != "done"
            if bad:
                text = ct.line("slip_failed", number=number, state=job.state)
            else:
                text = ct.line("slip_printed", number=number)
        self.post_message(ReceiptPrinted(text, bad, (slip.printing, slip.done)))

    def action_receipt(self) -> None:
        """Print the receipt of the ticket finished last (a 办结单 for an instant item)."""

        def run() -> str:
            from printer.receipts import print_last_receipt

            printed = print_last_receipt(
                self.counter.engine, window=self.window, now=self.counter.now()
            )
            return _receipt_text(printed)

        self._act(run)

    def action_reprint(self) -> None:
        """Print this window's newest receipt again, marked 补打."""

        def run() -> str:
            from printer.receipts import reprint_receipt

            job = reprint_receipt(self.counter.engine, window=self.window)
            return ct.line("reprinted", state=job.state)

        self._act(run)


def _print_receipt(engine: Engine, window: int, number: str, now: dt.datetime) -> tuple[str, bool]:
    """Print the case receipt of a ticket just finished; (what to say, whether it failed)."""
    from printer.receipts import print_ticket_receipt

    try:
        printed = print_ticket_receipt(engine, window=window, number=number, now=now)
    except Exception as exc:  # said on the receipt line; the case stands, e reprints
        return f"{ct.line('receipt_not_sent', number=number)}\n{describe(exc)}", True
    return _receipt_text(printed), printed.job.state != "done"


def _receipt_text(printed: ReceiptPrint) -> str:
    case = printed.case
    title = ct.zh("receipt_title" if case.promised_date else "completed_title")
    if printed.job.state != "done":
        return ct.line("receipt_failed", number=case.number, state=printed.job.state)
    if not case.pickup_code:  # an instant item's 办结单: handed over, nothing to collect
        return ct.line("receipt_instant", number=case.number, case=case.case_number)
    return ct.line(
        "receipt", number=case.number, title=title, case=case.case_number, code=case.pickup_code
    )
