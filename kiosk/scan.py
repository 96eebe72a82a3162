"""The kiosk's code scanner: it types what it reads like a keyboard, ending with Enter.

A booking's QR holds ``MSB:B:<code>`` (the booking code and nothing else); a scanner may also
read a bare code (printed as a barcode, or typed). :func:`booking_code` turns what was typed
into the code the check-in looks up. :class:`ScanBuffer` collects a burst on the screens that
have no use for letters (start, items, ticket): its characters are the scanner's alone, so they
never press a button, and its Enter checks the code in instead of pressing the focused button.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

BOOKING_PREFIX = "MSB:B:"
"""What a booking's QR says before its code."""
SCANNED_MAX = 64
"""Characters kept of one burst (a code is at most 32, the prefix 6): more is not a code."""
GAP_S = 1.5
"""A burst's characters come milliseconds apart; after a pause this long the buffer starts
afresh (a stray key pressed a while ago is not the start of the next scan)."""
_CHARS = re.compile(r"^[0-9A-Za-z:]$")
_CODE = re.compile(r"^[A-Z0-9]{4,32}$")


def booking_code(typed: str) -> str:
    """The code in what a scanner (or a keyboard) typed: ``MSB:B:K7Q2M9`` or ``k7q2m9`` →
    ``K7Q2M9``. Anything else comes back as typed (upper-cased), for the check-in to refuse
    by name."""
    text = typed.strip().upper()
    if text.startswith(BOOKING_PREFIX):
        return text[len(BOOKING_PREFIX) :]
    return text


def is_code(text: str) -> bool:
    """True for a code the check-in could know (4–32 of A–Z and 0–9)."""
    return bool(_CODE.match(text))


def takes(character: str | None) -> bool:
    """True for a character a scanner types into a code (letters, digits, the colon)."""
    return character is not None and bool(_CHARS.match(character))


class ScanBuffer:
    """The characters of the scan being typed, forgotten after a pause of :data:`GAP_S`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.text = ""
        self._last = 0.0

    def add(self, character: str) -> None:
        """One character of the burst."""
        now = self.clock()
        if now - self._last > GAP_S:
            self.text = ""
        self._last = now
        if len(self.text) < SCANNED_MAX:
            self.text += character

    def pending(self) -> bool:
        """True when characters were typed lately (an Enter now ends a scan)."""
        return bool(self.text) and self.clock() - self._last <= GAP_S

    def take(self) -> str:
        """The burst typed (and the buffer empty again)."""
        text, self.text = self.text, ""
        return text
