"""What goes on the paper, as blocks independent of any printer: text lines, rules, QR, cut.

A document (the kiosk ticket, the counter receipt, a test page) becomes a list of blocks here;
:mod:`printer.render` turns the blocks into ESC/POS bytes for one printer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
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


FONT_A_DOTS = 12
"""Width of one half-width character of the printer's font A at size 1, in dots."""


def native_dots(line: str, size: int = 1) -> int:
    """How wide the printer's own font prints a line: 12 dots (font A) a character whose
    GB18030 encoding takes one byte (ASCII), 24 one that takes more (``·`` and ``—`` too,
    whatever Unicode calls their width), times the size."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in line) * FONT_A_DOTS * size


def cell_width(text: str) -> int:
    """Width in half-width cells: Chinese characters and full-width punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap(text: str, limit: int, measure: Callable[[str], int] = cell_width) -> list[str]:
    """Break text into lines ``measure`` finds at most ``limit`` wide (by default cells; the
    renderer measures dots as the printer prints them). Control characters are written visibly
    (``\\x1d``): every line printed or previewed passes here, and a stored name holding ``GS V``
    would otherwise cut the paper, ``ESC`` restyle it.

    Lines break at spaces where possible: a phrase (the text between spaces) that does not fit
    goes whole to the next line when it fits there and the line is at least half full; Chinese
    text longer than that breaks between characters (never before a closing punctuation mark), a
    Latin word only when it is longer than a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = printable(paragraph)
        line = ""

        def fits(candidate: str) -> bool:
            return measure(candidate.rstrip()) <= limit

        if fits(paragraph):  # most lines: one measure
            lines.append(paragraph.rstrip())
            continue
        for phrase in _phrases(paragraph):
            if fits(line + phrase):
                line += phrase
                continue
            half_full = measure(line.rstrip()) * 2 >= limit
            if line.strip() and fits(phrase) and (half_full or not _has_wide(phrase)):
                lines.append(line.rstrip())
                line = phrase
                continue
            for word in _words(phrase):  # break the phrase between Chinese characters
                if fits(line + word):
                    line += word
                    continue
                carry = ""  # closing punctuation never starts a line: its character goes along
                if word in NO_LINE_START and len(line.rstrip()) >= 2 and _has_wide(line[-1]):
                    line, carry = line[:-1], line[-1]
                if line.strip():
                    lines.append(line.rstrip())
                line = carry
                for ch in word.lstrip():  # a word longer than the line is cut by characters
                    if line and not fits(line + ch):
                        lines.append(line)
                        line = ""
                    line += ch
        lines.append(line.rstrip())
    return lines


NO_LINE_START = frozenset("，。、；：？！）》」』”’〉】…")
"""Chinese punctuation a line may not start with."""


def _has_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _phrases(text: str) -> list[str]:
    """The text between spaces, each with its trailing spaces."""
    phrases: list[str] = []
    current = ""
    for ch in text:
        if ch != " " and current.endswith(" "):
            phrases.append(current)
            current = ""
        current += ch
    if current:
        phrases.append(current)
    return phrases


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
