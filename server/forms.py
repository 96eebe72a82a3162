"""The booking pages' forms: safe enough for a public form, with no session and no script.

- Each form carries a token the server signed (HMAC-SHA256 with a key derived from the hall's
  key, ``secret.subkey("webforms")``) over what the form is for (``book:M05:2026-11-26`` or
  ``cancel:<booking token>``) and when it was drawn; a post without a valid token for that
  purpose, or with one older than :data:`FORM_SECONDS`, is refused (``form_expired``). Another
  site cannot make one, and a token for one item's day books no other.
- A post whose ``Origin`` (or, without it, ``Referer``) names another host is refused
  (``form_foreign``): browsers send it with every cross-site form post. (The booking pages ask
  for the ``same-origin`` referrer policy, so their own posts carry their origin; the ticket
  page's ``no-referrer`` would make it ``null``.)
- Posts are counted per client address (:class:`server.limits.RateLimit`): a burst, then a few
  a minute.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from models import secret
from models.errors import Refused

FORM_SECONDS = 2 * 3600
"""A form drawn this long ago is refused (the citizen draws it again with one tap)."""


class FormSigner:
    """Signs and checks the forms' tokens (the key is read once, on first use)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._key: bytes | None = None

    def _mac(self, purpose: str, issued: int) -> str:
        if self._key is None:
            self._key = secret.subkey("webforms")
        return hmac.new(self._key, f"{purpose}|{issued}".encode(), "sha256").hexdigest()[:32]

    def token(self, purpose: str) -> str:
        """A token for a form drawn now for ``purpose``."""
        issued = int(self.clock())
        return f"{issued}.{self._mac(purpose, issued)}"

    def check(self, purpose: str, token: str | None) -> None:
        """Raises Refused ``form_expired`` unless ``token`` was signed here for ``purpose``
        within :data:`FORM_SECONDS`."""
        issued_text, _, mac = (token or "").partition(".")
        if not issued_text.isdigit() or len(issued_text) > 12:
            raise Refused("form_expired")
        issued = int(issued_text)
        if not hmac.compare_digest(mac, self._mac(purpose, issued)):
            raise Refused("form_expired")
        if not 0 <= self.clock() - issued <= FORM_SECONDS:
            raise Refused("form_expired")


def check_origin(hosts: set[str], origin: str | None, referer: str | None) -> None:
    """Raises Refused ``form_foreign`` when the post names a page of a host not in ``hosts``
    (the request's Host, a proxy's X-Forwarded-Host, the hall's public_url)."""
    source = origin if origin and origin != "null" else referer  # null: a privacy setting
    if not source:
        return  # an old browser or a privacy setting: the signed token still stands
    if urlsplit(source).netloc.lower() not in {h.lower() for h in hosts if h}:
        raise Refused("form_foreign")
