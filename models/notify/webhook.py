"""The hall's message gateway as an HTTP webhook: the signed JSON post of one message.

Signature (README: "The webhook"): the secret is ``mashangban notify secret`` (64 hex
characters, derived from the hall's key, so every host of the hall signs alike); the gateway
computes ``HMAC-SHA256(key = the secret's text as UTF-8, message = "<timestamp>.<raw body>")``
in hex and compares it with the ``X-Mashangban-Signature`` header (``v1=<hex>``), in constant
time, and refuses timestamps more than 5 minutes old. ``Idempotency-Key`` (also ``id`` in the
body) names the message: the gateway drops a message whose key it has seen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from models.secret import subkey

SIGNATURE_HEADER = "X-Mashangban-Signature"
TIMESTAMP_HEADER = "X-Mashangban-Timestamp"
KEY_HEADER = "Idempotency-Key"


def webhook_secret(key: bytes | None = None) -> str:
    """The webhook's signing secret (hex), derived from the hall's key (models.secret)."""
    return subkey("notify-webhook", key).hex()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a gateway does: True when the signature is the secret's for this body and time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True)
class Answer:
    """What came of one post."""

    delivered: bool
    """The gateway took it (2xx; 409: it had it already)."""
    permanent: bool
    """A refusal that will not change on retry (4xx but 408 and 429)."""
    detail: str
    """The status or the error, short (for ``notify list``; never the body we sent)."""


def post(url: str, payload: dict[str, Any], *, secret: str, key: str, timeout_s: float) -> Answer:
    """Post one message; never raises for network trouble (the answer says what happened)."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "mashangban-notify/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            KEY_HEADER: key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read(4096)
            return Answer(True, False, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        code = exc.code
        if code == 409:
            return Answer(True, False, "HTTP 409 (duplicate)")
        permanent = 400 <= code < 500 and code not in (408, 425, 429)
        return Answer(False, permanent, f"HTTP {code}")
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(False, False, f"{type(exc).__name__}: {reason}"[:200])
