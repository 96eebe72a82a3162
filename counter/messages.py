"""What the desk's workers report back with: typed messages, handled on the desk screen.

Each is in the ``desk_screen`` namespace, so its handler is ``on_desk_screen_<name>`` (the desk
keeps them as ``DeskScreen.Ran`` and so on, as before they lived here).
"""

from __future__ import annotations

from textual.message import Message

from models.views.window import WindowView


class Ran(Message, bubble=False, namespace="desk_screen"):
    """An action ended: the window read after it (None: not read), what to tell the clerk, and
    the number whose case receipt to print (None: none)."""

    def __init__(
        self,
        view: WindowView | None,
        text: str,
        severity: str,
        receipt_for: str | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self.text = text
        self.severity = severity
        self.receipt_for = receipt_for


class ReceiptPrinted(Message, bubble=False, namespace="desk_screen"):
    """A case receipt or a transfer slip was printed (or not): what to say, whether it failed,
    and for a slip the message line's "printing…" to take back and what stands instead."""

    def __init__(self, text: str, bad: bool, retold: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.bad = bad
        self.retold = retold


class SlipDue(Message, bubble=False, namespace="desk_screen"):
    """A transfer gave the citizen a new number: its slip is to print at this window. The
    clerk is told ``printing`` until it is done, then ``done``."""

    def __init__(self, token: str, number: str, printing: str, done: str) -> None:
        super().__init__()
        self.token = token
        self.number = number
        self.printing = printing
        self.done = done


class LoggedOut(Message, namespace="desk_screen"):
    """The clerk logged out of the window (the app shows the login again)."""
