"""Ticket numbers in large block letters (Textual's Digits draws only 0-9 and A-F)."""

from __future__ import annotations

_GLYPHS = {
    "0": ["███", "█ █", "█ █", "█ █", "███"],
    "1": [" █ ", "██ ", " █ ", " █ ", "███"],
    "2": ["███", "  █", "███", "█  ", "███"],
    "3": ["███", "  █", "███", "  █", "███"],
    "4": ["█ █", "█ █", "███", "  █", "  █"],
    "5": ["███", "█  ", "███", "  █", "███"],
    "6": ["███", "█  ", "███", "█ █", "███"],
    "7": ["███", "  █", "  █", "  █", "  █"],
    "8": ["███", "█ █", "███", "█ █", "███"],
    "9": ["███", "█ █", "███", "  █", "███"],
    "A": ["███", "█ █", "███", "█ █", "█ █"],
    "B": ["██ ", "█ █", "██ ", "█ █", "██ "],
    "C": ["███", "█  ", "█  ", "█  ", "███"],
    "D": ["██ ", "█ █", "█ █", "█ █", "██ "],
    "E": ["███", "█  ", "███", "█  ", "███"],
    "F": ["███", "█  ", "███", "█  ", "█  "],
    "G": ["███", "█  ", "█ █", "█ █", "███"],
    "H": ["█ █", "█ █", "███", "█ █", "█ █"],
    "I": ["███", " █ ", " █ ", " █ ", "███"],
    "J": ["  █", "  █", "  █", "█ █", "███"],
    "K": ["█ █", "██ ", "█  ", "██ ", "█ █"],
    "L": ["█  ", "█  ", "█  ", "█  ", "███"],
    "M": ["█ █", "███", "███", "█ █", "█ █"],
    "N": ["██ ", "█ █", "█ █", "█ █", "█ █"],
    "O": ["███", "█ █", "█ █", "█ █", "███"],
    "P": ["███", "█ █", "███", "█  ", "█  "],
    "Q": ["███", "█ █", "█ █", "███", "  █"],
    "R": ["██ ", "█ █", "██ ", "█ █", "█ █"],
    "S": ["███", "█  ", "███", "  █", "███"],
    "T": ["███", " █ ", " █ ", " █ ", " █ "],
    "U": ["█ █", "█ █", "█ █", "█ █", "███"],
    "V": ["█ █", "█ █", "█ █", "█ █", " █ "],
    "W": ["█ █", "█ █", "███", "███", "█ █"],
    "X": ["█ █", "█ █", " █ ", "█ █", "█ █"],
    "Y": ["█ █", "█ █", " █ ", " █ ", " █ "],
    "Z": ["███", "  █", " █ ", "█  ", "███"],
    " ": ["   "] * 5,
}
HEIGHT = 5


GLYPH_WIDTH = 3


def big(text: str, *, scale: int = 1) -> str:
    """Text as block letters, ``HEIGHT × scale`` rows; each glyph cell is ``scale`` wide."""
    return "\n".join(block_rows(text, wide=scale, tall=scale, gap=1))


def block_rows(text: str, *, wide: int = 1, tall: int = 1, gap: int | None = None) -> list[str]:
    """Text as block letters, ``HEIGHT × tall`` rows; each glyph cell is ``wide`` columns wide
    and glyphs are ``gap`` columns apart (``wide`` by default). The display board sizes each
    way on its own, so its letters keep their shape on any screen."""
    space = " " * (wide if gap is None else gap)
    rows = []
    for row in range(HEIGHT):
        line = space.join(
            "".join(ch * wide for ch in _GLYPHS.get(c, _GLYPHS[" "])[row]) for c in text.upper()
        )
        rows.extend([line] * tall)
    return rows
