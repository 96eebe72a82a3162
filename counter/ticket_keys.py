"""The desk's keys that change the ticket at the window (or call one): recall, no-show, start,
transfer, call a number, requeue, pause. Each runs one core operation in the desk's worker; the
ones that need an answer first open a dialog (counter/dialogs.py) and act on what it returns.
"""

from __future__ import annotations

from counter import panels
from counter.deskcore import DeskCore, missed_text, told
from counter.dialogs import NumberDialog, PauseDialog, TransferDialog
from counter.messages import SlipDue
from models.clerks.staff import pause, resume
from models.queue.calling import call_number
from models.queue.serving import mark_no_show, recall, requeue, start, transfer
from models.text import counter as ct
from models.views.ticket import TicketView


class TicketKeys(DeskCore):
    """The keys that change a ticket (the desk screen's bindings name them)."""

    def action_recall(self) -> None:
        """Call the current ticket again."""
        self._window_op(recall, lambda v: ct.line("recalled", number=v.number))

    def action_no_show(self) -> None:
        """The called citizen did not come."""
        self._window_op(mark_no_show, missed_text)

    def action_start(self) -> None:
        """The citizen is here: the service clock starts."""
        self._window_op(start, lambda v: ct.line("started", number=v.number))

    # ---- transfer ------------------------------------------------------------------------
    def action_transfer(self) -> None:
        """Send the citizen to another zone or window (a dialog asks where)."""
        if self.busy or self.view is None:
            return
        number = self.view.current.number if self.view.current else "—"
        dialog = TransferDialog(number, self.view.transfer_queues, self.view.transfer_windows)
        self.app.push_screen(dialog, self._transfer_to)

    def _transfer_to(self, target: tuple[str | None, int | None] | None) -> None:
        if target is None:
            return
        to_queue, to_window = target

        def run() -> str:
            new = transfer(
                self.counter.engine,
                window=self.window,
                to_queue=to_queue,
                to_window=to_window,
                now=self.counter.now(),
            )
            return told(new, self._transferred(new))

        self._act(run)

    def _transferred(self, new: TicketView) -> str:
        """What the clerk is told of a transfer (in the action's worker); a new number's slip
        is sent to this window's printer next, in a worker of its own (as receipts are)."""
        if new.window is not None:
            place = ct.pair("place_window", window=new.window)
        else:
            place = ct.pair("place_zone", prefix=new.queue)
        where = {"place_zh": place[0], "place_en": place[1], "number": new.number}
        if new.number == new.transferred_from:  # the hall's transfer_number = "keep"
            return ct.line("transferred_kept", **where)
        printing = ct.line("transferred_new", old=new.transferred_from, **where)
        done = ct.line("transferred_new_done", old=new.transferred_from, **where)
        self.post_message(SlipDue(new.token, new.number, printing, done))
        return printing

    # ---- a number of the clerk's choice --------------------------------------------------
    def action_call_number(self) -> None:
        """Call a given number (typed, or picked from the next in line)."""
        if self.busy or self.view is None or self._dimmed("call_number"):
            return
        suggestions = [n for line in self.view.queues for n in line.next]
        self.app.push_screen(NumberDialog(ct.line("call_title"), suggestions), self._call_number)

    def _call_number(self, number: str | None) -> None:
        if not number:
            return
        self._drop_rating_wait()  # the clerk calls a number of their own choice

        def run() -> str:
            called = call_number(
                self.counter.engine, window=self.window, number=number, now=self.counter.now()
            )
            return told(called, ct.line("called", number=called.number))

        self._act(run)

    def action_requeue(self) -> None:
        """Put a missed ticket back in line."""
        if self.busy or self.view is None or self._dimmed("requeue"):
            return
        self.app.push_screen(
            NumberDialog(ct.line("requeue_title"), self.view.missed), self._requeue
        )

    def _requeue(self, number: str | None) -> None:
        if not number:
            return

        def run() -> str:
            back = requeue(self.counter.engine, number=number, now=self.counter.now())
            return told(back, ct.line("requeued", number=back.number))

        self._act(run)

    def _dimmed(self, action: str) -> bool:
        """True, and why said on the desk, when a dialog key is dimmed: it opens nothing (a
        dialog opened for nothing would swallow the next keys typed)."""
        assert self.view is not None
        if action in panels.available(self.view):
            return False
        current = self.view.current
        if action == "call_number" and current is not None:
            self.say(ct.line("call_busy", number=current.number), "warning")
        elif action == "call_number":
            self.say(ct.line("call_paused"), "warning")
        else:
            self.say(ct.line("requeue_none"), "warning")
        return True

    # ---- pause ---------------------------------------------------------------------------
    def action_pause(self) -> None:
        """Pause with a reason (a dialog asks which), or resume when paused."""
        if self.busy or self.view is None:
            return
        if self.view.paused is not None:

            def run() -> str:
                resume(self.counter.engine, window=self.window, now=self.counter.now())
                return ct.line("resumed")

            self._act(run)
            return
        self.app.push_screen(PauseDialog(), self._pause)

    def _pause(self, reason: str | None) -> None:
        if not reason:
            return

        def run() -> str:
            pause(self.counter.engine, window=self.window, reason=reason, now=self.counter.now())
            zh, en = panels.reason_text(reason), panels.reason_en(reason)
            return f"{ct.zh('paused_ok', reason=zh)} {ct.en('paused_ok', reason=en)}"

        self._drop_rating_wait()  # paused: nobody is called
        self._act(run)
