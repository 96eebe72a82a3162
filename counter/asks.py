"""The counter's one-key questions: did the called citizen come, and quitting (or logging out)
with a citizen still at the window.

Each answers with one key and Esc goes back to the desk with nothing done. They are modals
with their own bindings, so a key pressed here never reaches the desk underneath.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static

from models.text import counter as ct
from models.views.window import CurrentTicket


class _Ask(ModalScreen[str | None]):
    """A title, a few lines and one key per answer; Esc dismisses with None."""

    def __init__(self, title: str, lines: list[str], warn: str = "") -> None:
        super().__init__()
        self.title_text = title
        """The question."""
        self.lines = lines
        """One line per key that answers it."""
        self.warn = warn
        """A warning above the answers (a citizen still at the window)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask"):
            # Plain text: numbers come from the database.
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.warn:
                yield Static(self.warn, classes="ask-warn", markup=False)
            for line in self.lines:
                yield Static(line, classes="ask-line", markup=False)

    def action_answer(self, answer: str) -> None:
        """The clerk's answer."""
        self.dismiss(answer)

    def action_back(self) -> None:
        """Nothing done: back to the desk."""
        self.dismiss(None)


class CameDialog(_Ask):
    """A ticket called and never started is closed: did its citizen come? s came (served), m
    did not come (no-show); Esc goes back. Returns "came", "not_came" or None."""

    BINDINGS = [
        Binding("s", "answer('came')", show=False),
        Binding("m", "answer('not_came')", show=False),
        Binding("escape", "back", show=False),
    ]

    def __init__(self, number: str) -> None:
        super().__init__(
            ct.line("came_title", number=number),
            [ct.line("came_yes"), ct.line("came_no"), ct.line("ask_back")],
        )


class QuitDialog(_Ask):
    """Quit the counter (or log out): y quits, n or Esc stays. With a citizen at the window it
    warns and asks what becomes of them: r back in line first, m no-show (called only), k keep
    (the window shows them when the clerk is back). Returns "quit", "requeue", "no_show",
    "keep" or None."""

    BINDINGS = [Binding("escape", "back", show=False)]

    def __init__(self, current: CurrentTicket | None, *, logout: bool = False) -> None:
        self.current = current
        """The citizen at the window (None: nobody)."""
        title = ct.line("logout_title" if logout else "quit_title")
        if current is None:
            super().__init__(title, [ct.line("quit_yes"), ct.line("quit_no")])
            return
        lines = [ct.line("leave_requeue")]
        if current.status == "called":
            lines.append(ct.line("leave_no_show"))
        lines += [ct.line("leave_keep"), ct.line("leave_stay")]
        warn = ct.line(f"leave_warn_{current.status}", number=current.number)
        super().__init__(title, lines, warn)

    def on_mount(self) -> None:
        self.answers: dict[str, str | None] = (
            {"y": "quit", "n": None} if self.current is None else {"r": "requeue", "k": "keep"}
        )
        """What each key answers (the keys offered depend on who is at the window)."""
        if self.current is not None and self.current.status == "called":
            self.answers["m"] = "no_show"

    def on_key(self, event: Key) -> None:
        if event.key in self.answers:
            event.stop()
            self.dismiss(self.answers[event.key])
