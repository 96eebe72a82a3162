"""A document drawn in the terminal as it will look on paper, QR code included (Rich)."""

from __future__ import annotations

import qrcode
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text as RichText

from printer.layout import FONT_A_DOTS, QR, Block, Feed, Rule, Text, cell_width, native_dots, wrap

PAPER_CELLS = {58: 32, 80: 48}


def preview(blocks: list[Block], *, paper_mm: int = 80) -> RenderableType:
    """A Rich renderable of the blocks on a paper-wide panel."""
    cells = PAPER_CELLS.get(paper_mm, 48)
    parts: list[RenderableType] = []
    for block in blocks:
        if isinstance(block, Text):
            style = "bold" if block.bold else ""
            if block.size >= 3:
                style += " reverse"
            size = max(1, min(block.size, 8))

            def measure(line: str, size: int = size) -> int:
                return native_dots(line, size)

            # Lines break where the printer's own font breaks them on this paper.
            for line in wrap(block.text, cells * FONT_A_DOTS, measure):
                shown = _spaced(line) if block.size >= 2 else line
                parts.append(RichText(shown, style=style.strip(), justify=block.align))
        elif isinstance(block, Rule):
            parts.append(RichText("─" * cells, style="dim"))
        elif isinstance(block, QR):
            parts.append(RichText(qr_blocks(block.payload), justify="center"))
        elif isinstance(block, Feed):
            parts.extend(RichText("") for _ in range(block.lines))
    return Panel(Group(*parts), width=cells + 4, border_style="dim", title="🧾")


def _spaced(line: str) -> str:
    """Large print on a terminal: Latin letters spaced out so they read as larger."""
    return " ".join(line) if cell_width(line) == len(line) else line


def qr_blocks(payload: str) -> str:
    """A QR code in half-block characters (two modules per character cell, tall)."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    rows = []
    for top in range(0, len(matrix), 2):
        upper = matrix[top]
        lower = matrix[top + 1] if top + 1 < len(matrix) else [False] * len(upper)
        row = ""
        for up, down in zip(upper, lower, strict=True):
            row += {(True, True): " ", (True, False): "▄", (False, True): "▀"}.get((up, down), "█")
        rows.append(row)
    return "\n".join(rows)
