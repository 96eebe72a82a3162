"""What goes on the paper, as blocks independent of any printer: text lines, rules, QR, cut.

A document (the kiosk ticket, the counter receipt, a test page) becomes a list of blocks here;
:mod:`printer.render` turns the blocks into ESC/POS bytes for one printer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from models.textsafe import printable

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """A paragraph of text, wrapped to the paper at its size."""

    text: str
    size: int = 1
    """Character magnification, width and height alike (1-8)."""
    align: Align = "center"
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A dashed line across the paper."""


@dataclass(frozen=True)
class QR:
    """A QR code, centred; the module size is chosen so a phone can read it."""

    payload: str


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


Block = Text | Rule | QR | Feed


def cell_width(text: str) -> int:
    """Width in half-width cells: Chinese characters and full-width punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap(text: str, cells: int) -> list[str]:
    """Break text into lines of at most ``cells`` cells, at spaces where possible. Control
    characters are written visibly (``\\x1d``): every line printed or previewed passes here,
    and a stored name holding ``GS V`` would otherwise cut the paper, ``ESC`` restyle it."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = printable(paragraph)
        line = ""
        for word in _words(paragraph):
            candidate = line + word
            if cell_width(candidate.rstrip()) <= cells:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            for ch in word.lstrip():  # a word longer than the line is cut by cells
                if cell_width(line + ch) > cells:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> list[str]:
    """Latin words keep their trailing space; each Chinese character is a word of its own."""
    words: list[str] = []
    current = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide:
            if current:
                words.append(current)
                current = ""
            words.append(ch)
        else:
            current += ch
            if ch == " ":
                words.append(current)
                current = ""
    if current:
        words.append(current)
    return words
