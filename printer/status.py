"""A printer's state from its real-time status replies (DLE EOT 1, 2 and 4).

An empty reply means "unknown", never "paper OK" (python-escpos 3.1's ``paper_status()``
returns 2, "adequate", when the printer says nothing). So does a byte that is not a status byte:
every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear (``0x12``, python-escpos's
``RT_MASK_PAPER``), so a stream of zeros or of text is no answer at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.text import printing

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 4)
"""Printer status, offline cause, roll paper sensor."""
FIXED_MASK, FIXED_BITS = 0x93, 0x12
"""Bits 0, 1, 4 and 7 of every status byte are fixed: 0, 1, 1, 0."""

Paper = Literal["ok", "near_end", "out"]


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; None where it said nothing."""

    online: bool | None
    paper: Paper | None
    cover_open: bool | None

    @property
    def known(self) -> bool:
        """True when every question got an answer."""
        return None not in (self.online, self.paper, self.cover_open)

    @property
    def ready(self) -> bool:
        """False only when a reply says it cannot print (offline, no paper, cover open)."""
        return not (self.online is False or self.paper == "out" or self.cover_open is True)

    def describe(self) -> tuple[str, str]:
        """Chinese and English words for staff: what is wrong, else unknown, else ready."""
        parts: list[tuple[str, str]] = []
        if self.cover_open:
            parts.append(printing.pair("state_cover_open"))
        if self.paper == "out":
            parts.append(printing.pair("state_paper_out"))
        elif self.paper == "near_end":
            parts.append(printing.pair("state_paper_near_end"))
        if self.online is False and not parts:
            parts.append(printing.pair("state_offline"))
        if not parts and not self.known:
            return printing.pair("state_unknown")
        if not parts:
            parts.append(printing.pair("state_ready"))
        return "，".join(p[0] for p in parts), ", ".join(p[1] for p in parts)


def is_status_byte(reply: bytes) -> bool:
    """True when a reply is one status byte (its fixed bits right): an answer to DLE EOT."""
    return len(reply) == 1 and reply[0] & FIXED_MASK == FIXED_BITS


def parse(replies: dict[int, bytes]) -> PrinterStatus:
    """Read the status bytes; a missing, empty or malformed reply leaves that part unknown."""
    online: bool | None = None
    paper: Paper | None = None
    cover: bool | None = None
    first = replies.get(1, b"")
    if is_status_byte(first):
        online = not first[0] & 0x08
    cause = replies.get(2, b"")
    if is_status_byte(cause):
        cover = bool(cause[0] & 0x04)
    roll = replies.get(4, b"")
    if is_status_byte(roll):
        paper = "out" if roll[0] & 0x60 else ("near_end" if roll[0] & 0x0C else "ok")
    return PrinterStatus(online=online, paper=paper, cover_open=cover)
