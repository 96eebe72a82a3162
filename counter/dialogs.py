"""The counter's dialogs: transfer, a number (call or requeue), a pause reason.

Each is a modal that returns the clerk's choice, or None on Esc.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events, on
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
            yield from self.below()
            error = Static("", classes="dialog-error", markup=False)
            error.display = False  # no empty row until there is something wrong
            yield error

    def below(self) -> ComposeResult:
        """Widgets under the typing line (none here; a dialog may add its own)."""
        yield from ()

    def on_mount(self) -> None:
        if self.options:
            self.query_one(OptionList).focus()
        else:
            self.query_one(Input).focus()

    def action_cancel(self) -> None:
        """Close without a choice."""
        self.dismiss(None)

    def refuse(self, text: str) -> None:
        """Say what is wrong with what was typed ("": nothing is)."""
        error = self.query_one(".dialog-error", Static)
        error.update(printable_lines(text))
        error.display = bool(text)


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
    """Another zone or window, picked from the list (zones first) or typed as a window number,
    then confirmed: the first Enter only says where the citizen would go, a second one sends
    them. Digits typed anywhere go to the window number."""

    LIST_ROOM = 16
    """Rows the dialog needs besides its list (borders, title, hint, typing line, confirm line):
    the list gets what the terminal has left, so the dialog fits 80×24."""

    def __init__(
        self, number: str, queues: list[tuple[str, str, str]], windows: list[TransferWindow]
    ) -> None:
        self.places: dict[Target, str] = {}
        """What the confirm line says for each place the citizen can be sent to."""
        options = []
        for p, zh, en in queues:
            options.append(Option(f"{p}  {zh}  {en}", id=f"q:{p}"))
            self.places[(p, None)] = ct.line(
                "confirm_zone", number=number, prefix=p, name_zh=zh, name_en=en
            )
        for w in windows:
            who = ct.line("window_open", clerk=w.clerk) if w.clerk else ct.line("window_closed")
            label = f"{ct.line('window_label', number=w.number)}  {w.prefixes}  {who}"
            options.append(Option(label, id=f"w:{w.number}"))
            here = ("window_open", {"clerk": w.clerk}) if w.clerk else ("window_closed", {})
            self.places[(None, w.number)] = ct.line(
                "confirm_window",
                number=number,
                window=w.number,
                prefixes=w.prefixes,
                who_zh=ct.zh(here[0], **here[1]),
                who_en=ct.en(here[0], **here[1]),
            )
        super().__init__(
            ct.line("transfer_title", number=number),
            ct.line("transfer_hint"),
            options,
            "18",
        )
        self.pending: Target | None = None
        """The place the next Enter sends the citizen to (None: nothing chosen yet)."""

    def below(self) -> ComposeResult:
        confirm = Static("", classes="dialog-confirm", markup=False)
        confirm.display = False
        yield confirm

    def on_mount(self) -> None:
        # Digits typed on the list move to the window number: the first must not be selected
        # (and replaced by the next) when the typing line takes the focus.
        self.query_one(Input).select_on_focus = False
        self._fit()  # (the base class's on_mount, which focuses the list, runs too)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        if self.options:
            room = max(self.app.size.height - self.LIST_ROOM, 3)
            self.query_one(OptionList).styles.max_height = min(room, 12)

    def _choose(self, target: Target) -> None:
        """Enter on a place: the second time on the same place sends the citizen there."""
        if self.pending == target:
            self.dismiss(target)
            return
        self.pending = target
        self.refuse("")
        confirm = self.query_one(".dialog-confirm", Static)
        confirm.update(self.places[target])
        confirm.display = True

    def _unchoose(self) -> None:
        """Another place is being picked: the confirm line no longer stands."""
        self.pending = None
        self.query_one(".dialog-confirm", Static).display = False

    def on_key(self, event: events.Key) -> None:
        typing = self.query_one(Input)
        if event.character and event.character.isdigit() and self.focused is not typing:
            event.stop()
            event.prevent_default()
            typing.focus()
            typing.insert_text_at_cursor(event.character)

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        if self.pending is not None and self.pending != _target(event.option.id):
            self._unchoose()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._choose(_target(event.option.id))

    @on(Input.Changed)
    def _typing(self, _event: Input.Changed) -> None:
        if self.pending is not None:
            self._unchoose()
        self.refuse("")

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text.isdigit():
            self.refuse(ct.line("bad_window"))
            return
        target: Target = (None, int(text))
        if target not in self.places:
            self.refuse(ct.line("no_such_window", window=int(text)))
            return
        self._choose(target)


def _target(option_id: str | None) -> Target:
    """The place an option of the transfer list stands for ("q:A" a zone, "w:3" a window)."""
    kind, _, value = (option_id or "").partition(":")
    return (value, None) if kind == "q" else (None, int(value))


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
