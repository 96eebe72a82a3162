"""The counter's dialogs: transfer, a number (call or requeue), a pause reason.

Each is a modal that returns the clerk's choice, or None on Esc.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from models.clerks.staff import PAUSE_REASONS
from models.text import counter as ct
from models.text.words import word
from models.textsafe import printable_lines
from models.views.window import TransferWindow

T = TypeVar("T")
Target = tuple[str | None, int | None]
"""Where a transfer goes: (zone prefix, None) or (None, window number)."""


class _Dialog(ModalScreen[T | None]):
    """A modal with a title, a list to pick from and a line to type in; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", ct.line("cancel"))]

    def __init__(self, title: str, hint: str, options: list[Option], placeholder: str) -> None:
        super().__init__()
        self.title_text = title
        """The dialog's title."""
        self.hint = hint
        """One line on what to do."""
        self.options = options
        """What can be picked."""
        self.placeholder = placeholder
        """The typing line's placeholder."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Plain text: ticket numbers, zone names and clerks come from the database.
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.hint, classes="dialog-hint", markup=False)
            if self.options:
                yield OptionList(*self.options, markup=False)
            yield Input(placeholder=self.placeholder)
            yield Static("", classes="dialog-error", markup=False)

    def on_mount(self) -> None:
        if self.options:
            self.query_one(OptionList).focus()
        else:
            self.query_one(Input).focus()

    def action_cancel(self) -> None:
        """Close without a choice."""
        self.dismiss(None)

    def refuse(self, text: str) -> None:
        """Say what is wrong with what was typed."""
        self.query_one(".dialog-error", Static).update(printable_lines(text))


class NumberDialog(_Dialog[str]):
    """A ticket number: typed, or picked from the suggestions (the next in line, the missed)."""

    def __init__(self, title: str, suggestions: list[str]) -> None:
        super().__init__(
            title, ct.line("number_hint"), [Option(n, id=n) for n in suggestions], "M023"
        )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        number = event.value.strip().upper()
        if not number:
            self.refuse(ct.line("number_hint"))
            return
        self.dismiss(number)


class TransferDialog(_Dialog[Target]):
    """Another zone or window, picked from the list (zones first), or a window number typed."""

    def __init__(
        self, number: str, queues: list[tuple[str, str, str]], windows: list[TransferWindow]
    ) -> None:
        options = [Option(f"{p}  {zh}  {en}", id=f"q:{p}") for p, zh, en in queues]
        for w in windows:
            who = ct.line("window_open", clerk=w.clerk) if w.clerk else ct.line("window_closed")
            label = f"{ct.line('window_label', number=w.number)}  {w.prefixes}  {who}"
            options.append(Option(label, id=f"w:{w.number}"))
        super().__init__(
            ct.line("transfer_title", number=number),
            ct.line("transfer_hint"),
            options,
            "18",
        )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        kind, _, value = (event.option.id or "").partition(":")
        self.dismiss((value, None) if kind == "q" else (None, int(value)))

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text.isdigit():
            self.refuse(ct.line("bad_window"))
            return
        self.dismiss((None, int(text)))


class PauseDialog(_Dialog[str]):
    """A pause reason: break, meeting, back-office work, or typed."""

    def __init__(self) -> None:
        options = [Option(f"{word('pause', code)}  {code}", id=code) for code in PAUSE_REASONS]
        super().__init__(ct.line("pause_title"), ct.line("pause_other"), options, "…")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if reason:
            self.dismiss(reason)
