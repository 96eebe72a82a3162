"""The newest call in letters as large as the panel allows: the number, and the window.

The letters are the kiosk's block glyphs, sized across and down on their own so they keep
their shape on any screen (a terminal cell is about twice as tall as it is wide). Number and
window stand side by side on wide screens and one above the other on small ones, whichever
gives the larger letters. Side by side, a large arrow stands between them with room on either
side, so from across the hall "B001 → 25" never reads as one number "B00125".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from appkit.bigtext import GLYPH_WIDTH, HEIGHT, block_rows
from models.text import board
from models.views.board import BoardCall

LABEL = board.zh("window_label")
LABEL_CELLS = 6
ARROW = ["  █  ", "   █ ", "█████", "   █ ", "  █  "]
"""The arrow between number and window, in glyph pixels (as tall as a letter)."""
ARROW_WIDTH = 5
ARROW_GAP = 2
"""Glyph pixels of blank on each side of the arrow (letters stand one pixel apart)."""
CAPTION_ROWS = 3
"""A blank row, then the sentence in Chinese and in English."""
MAX_TALL = 20


def glyphs_width(text: str, wide: int) -> int:
    """Columns the block letters of ``text`` take at this width scale."""
    return len(text) * GLYPH_WIDTH * wide + (len(text) - 1) * wide


@dataclass(frozen=True)
class Fit:
    """How the newest call is drawn in a panel."""

    side_by_side: bool
    wide: int
    """Columns per glyph pixel."""
    tall: int
    """Rows per glyph pixel."""


def fit(number: str, window: str, width: int, height: int) -> Fit | None:
    """The largest letters that fit ``width × height`` (caption rows excluded); None if even
    the smallest do not."""
    best: tuple[tuple[int, int], Fit] | None = None
    for side in (True, False):
        for tall in range(1, MAX_TALL + 1):
            for wide in range(tall, 2 * tall + 1):  # pixels between 1:2 and 1:1 on screen
                if side:
                    between = (2 * ARROW_GAP + ARROW_WIDTH) * wide
                    w = glyphs_width(number, wide) + between + glyphs_width(window, wide)
                    h = HEIGHT * tall
                else:
                    w = max(glyphs_width(number, wide), glyphs_width(window, wide))
                    h = 2 * HEIGHT * tall + tall
                w += 1 + LABEL_CELLS
                if w > width or h > height:
                    continue
                score = (min(wide, 2 * tall), wide + tall)
                if best is None or score > best[0]:
                    best = (score, Fit(side, wide, tall))
    return best[1] if best else None


def arrow_rows(wide: int, tall: int) -> list[str]:
    """The arrow in block characters, scaled like the letters beside it."""
    return ["".join(ch * wide for ch in row) for row in ARROW for _ in range(tall)]


class BigCall(Widget):
    """The newest call, very large; it flashes for a few seconds when a new call comes."""

    DEFAULT_CSS = """
    BigCall {
        height: 1fr;
        width: 1fr;
        text-align: center;
    }
    BigCall.-flash {
        background: $warning 60%;
    }
    """
    COMPONENT_CLASSES = {"bigcall--number", "bigcall--arrow", "bigcall--window", "bigcall--caption"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.call: BoardCall | None = None
        """The call shown."""
        self.called_today = False
        """With no call shown: numbers were called earlier today (the big line asks people to
        watch for their number, not to wait for the first call)."""
        self._flash_timer: Timer | None = None
        self._flash_until = 0.0

    @property
    def flashing(self) -> bool:
        """True while a new call is flashing."""
        return self._flash_timer is not None

    def show(
        self, call: BoardCall | None, *, flash_seconds: float = 0.0, called_today: bool = False
    ) -> None:
        """Show this call; flash if it is a new one and ``flash_seconds`` > 0. With no call,
        ``called_today`` says whether numbers were called earlier today."""
        self.call, self.called_today = call, called_today
        self.refresh()
        if flash_seconds > 0 and call is not None:
            self._flash_until = time.monotonic() + flash_seconds
            self.add_class("-flash")
            if self._flash_timer is None:
                self._flash_timer = self.set_interval(0.5, self._blink)

    def _blink(self) -> None:
        if time.monotonic() >= self._flash_until:
            if self._flash_timer is not None:
                self._flash_timer.stop()
            self._flash_timer = None
            self.remove_class("-flash")
        else:
            self.toggle_class("-flash")

    def render(self) -> RenderableType:
        width, height = self.content_size.width, self.content_size.height
        call = self.call
        if call is None:
            empty = "watch" if self.called_today else "no_call"
            return self._centred([Text("\n".join(board.pair(empty)))], height)
        number, window = call.number, str(call.window)
        zh, en = board.pair("invite", number=number, window=window)
        caption = self.get_component_rich_style("bigcall--caption")
        captions = [Text(zh, caption), Text(en, caption)]
        shape = fit(number, window, width, height - CAPTION_ROWS)
        if shape is None:  # a tiny panel: the words alone
            return self._centred(captions, height)
        return self._centred([self._letters(number, window, shape), Text(""), *captions], height)

    def _letters(self, number: str, window: str, shape: Fit) -> Text:
        num_style = self.get_component_rich_style("bigcall--number")
        win_style = self.get_component_rich_style("bigcall--window")
        num_rows = block_rows(number, wide=shape.wide, tall=shape.tall)
        win_rows = block_rows(window, wide=shape.wide, tall=shape.tall)
        middle = (HEIGHT * shape.tall) // 2
        label = [LABEL if i == middle else "　" * 3 for i in range(len(win_rows))]
        lines: list[Text] = []
        if shape.side_by_side:
            gap = " " * (ARROW_GAP * shape.wide)
            arrow_style = self.get_component_rich_style("bigcall--arrow")
            arrows = arrow_rows(shape.wide, shape.tall)
            for num, arrow, win, words in zip(num_rows, arrows, win_rows, label, strict=True):
                lines.append(
                    Text.assemble(
                        (num, num_style),
                        gap,
                        (arrow, arrow_style),
                        gap,
                        (win, win_style),
                        " " + words,
                    )
                )
        else:
            lines += [Text(num, num_style) for num in num_rows]
            lines += [Text("")] * shape.tall
            for win, words in zip(win_rows, label, strict=True):
                lines.append(Text.assemble((win, win_style), " " + words))
        return Text("\n", no_wrap=True).join(lines)

    def _centred(self, parts: list[Text], height: int) -> Text:
        body = Text("\n", no_wrap=True).join(parts)
        top = max(0, (height - len(body.plain.split("\n"))) // 2)
        return Text("\n" * top, no_wrap=True) + body
