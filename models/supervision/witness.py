"""Checkpoints of the event chain's head, written outside the database.

A checkpoint is one line — chain, event number, its hash, where keyed hashing began, the time,
and an HMAC of all that with the hall's key — appended to a witness file that the database's
users cannot write (owner-only, append-only), and optionally sent to syslog or a webhook.
`audit verify` then finds a history cut short, wiped or re-hashed even by someone who can
write the whole database: a checkpoint names an event that is gone, or one whose hash changed.

The file's path: ``MASHANGBAN_WITNESS``, else ``witness.log`` in the user data directory.
The apps write one now and then as they work (:func:`checkpoint_now_and_then`); a timer runs
``mashangban audit checkpoint``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine

from models import secret, settings
from models.db import reading
from models.errors import MashangbanError
from models.tables import ChainHead

TAG = "mashangban-checkpoint"
WEBHOOK_SECONDS = 5.0
EVERY_SECONDS = 60.0
"""How often the apps write a checkpoint at most (and only when the chain moved)."""
FIELDS = ("chain", "seq", "hash", "keyed_from", "at")

log = logging.getLogger(__name__)


class WitnessError(MashangbanError):
    """The witness file cannot be written or read, or a webhook address is not one."""


def witness_path(path: str | Path | None = None) -> Path:
    """The witness file to use: the one given, ``MASHANGBAN_WITNESS``, or the default."""
    chosen = path or settings.WITNESS.get()
    if not chosen:
        chosen = Path(user_data_dir("mashangban", appauthor=False)) / "witness.log"
    return Path(chosen).expanduser().absolute()


@dataclass(frozen=True)
class Checkpoint:
    """One line of the witness: the chain's head as it was at a moment."""

    chain: str
    seq: int
    hash: str
    keyed_from: int
    at: str
    """When it was taken (UTC, ISO 8601)."""
    valid: bool = True
    """False when the line's HMAC does not hold (changed, or written with another key)."""
    where: str = ""
    """The file and line it was read from."""

    def body(self) -> str:
        """The line without its HMAC."""
        return " ".join([TAG, "v1", *(f"{name}={getattr(self, name)}" for name in FIELDS)])


def _witness_key() -> bytes:
    return secret.subkey("witness")


def _mac(body: str, key: bytes) -> str:
    return hmac.new(key, body.encode("utf-8"), "sha256").hexdigest()


def format_line(point: Checkpoint, key: bytes | None = None) -> str:
    """The checkpoint as a witness line, HMAC included (no newline)."""
    body = point.body()
    return f"{body} mac={_mac(body, key or _witness_key())}"


def parse_line(text: str, *, key: bytes, where: str = "") -> Checkpoint | None:
    """A witness line read back (None for a line that is not a checkpoint at all)."""
    words = text.strip().split(" ")
    if len(words) != 8 or words[:2] != [TAG, "v1"]:
        return None
    pairs = dict(word.partition("=")[::2] for word in words[2:])
    try:
        point = Checkpoint(
            chain=pairs["chain"],
            seq=int(pairs["seq"]),
            hash=pairs["hash"],
            keyed_from=int(pairs["keyed_from"]),
            at=pairs["at"],
            where=where,
        )
        mac = pairs["mac"]
    except (KeyError, ValueError):
        return None
    valid = hmac.compare_digest(_mac(point.body(), key), mac)
    return point if valid else Checkpoint(**{**point.__dict__, "valid": False})


@dataclass
class Witness:
    """What the witness file holds."""

    path: Path
    exists: bool = False
    checkpoints: list[Checkpoint] = field(default_factory=list)
    """Every checkpoint line, of every chain, valid or not."""
    unreadable_lines: list[int] = field(default_factory=list)
    """Lines that are not checkpoints at all (cut short, garbled or blanked: damaged)."""


def read_witness(path: str | Path | None = None) -> Witness:
    """Read every checkpoint in the witness file (a missing file holds none).

    Raises SecretError without the key, WitnessError when the file cannot be read.
    """
    target = witness_path(path)
    key = _witness_key()
    found = Witness(target)
    try:
        handle = target.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return found
    except OSError as exc:
        raise WitnessError("witness_unreadable", path=target, reason=exc.strerror) from exc
    found.exists = True
    with handle:
        for number, text in enumerate(handle, start=1):
            # Every line written is a whole checkpoint: a blank, cut or garbled one is damage.
            point = parse_line(text, key=key, where=f"{target}:{number}")
            if point is None:
                found.unreadable_lines.append(number)
            else:
                found.checkpoints.append(point)
    return found


def current_checkpoint(engine: Engine, *, now: dt.datetime | None = None) -> Checkpoint:
    """The chain's head now, as a checkpoint. Raises SecretError when this host's key is not
    the one the chain is sealed with (its checkpoints would not verify)."""
    with reading(engine) as session:
        head = session.get(ChainHead, 1)
    if head is None:
        raise WitnessError("chain_head_missing")
    local = secret.fingerprint()
    if head.key_fingerprint != local:
        raise secret.SecretError("key_wrong", stored=head.key_fingerprint or "—", local=local)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return Checkpoint(
        chain=head.chain_id,
        seq=head.seq,
        hash=head.hash,
        keyed_from=head.keyed_from,
        at=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
    )


def append_line(line: str, path: str | Path | None = None) -> Path:
    """Append one line to the witness file (folder 0700, file 0600, opened append-only)."""
    target = witness_path(path)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise WitnessError("witness_unwritable", path=target, reason=exc.strerror) from exc
    try:
        os.write(fd, (line + "\n").encode("utf-8"))  # one write: lines of two writers never mix
        os.fsync(fd)
    except OSError as exc:
        raise WitnessError("witness_unwritable", path=target, reason=exc.strerror) from exc
    finally:
        os.close(fd)
    return target


def send_syslog(line: str) -> None:
    """Send the line to the local syslog (facility auth, so it lands in the protected log)."""
    import syslog

    syslog.openlog("mashangban", 0, syslog.LOG_AUTH)
    syslog.syslog(syslog.LOG_NOTICE, line)


def send_webhook(line: str, url: str, *, timeout: float = WEBHOOK_SECONDS) -> None:
    """POST the line (text/plain) to a URL. Raises WitnessError when it is not accepted."""
    if not url.startswith(("http://", "https://")):
        raise WitnessError("webhook_bad_url", url=url)
    request = urllib.request.Request(
        url,
        data=(line + "\n").encode("utf-8"),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(
            request, timeout=timeout
        ) as answer:  # only http(s): checked above
            answer.read(1024)
    except urllib.error.HTTPError as exc:
        raise WitnessError("checkpoint_send_failed", target=url, reason=exc.code) from exc
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise WitnessError("checkpoint_send_failed", target=url, reason=reason) from exc


@dataclass
class Written:
    """A checkpoint written: where, and what each extra copy met."""

    checkpoint: Checkpoint
    line: str
    path: Path
    failures: list[WitnessError] = field(default_factory=list)
    """Copies (syslog, webhook) that could not be sent; the witness line was written."""


def take_checkpoint(
    engine: Engine,
    *,
    path: str | Path | None = None,
    to_syslog: bool = False,
    webhook: str | None = None,
    now: dt.datetime | None = None,
) -> Written:
    """Write the chain's head to the witness file, and the same line to syslog or a webhook.

    Raises SecretError (no key, or another key) and WitnessError (the file cannot be
    written); a copy that cannot be sent is returned in ``failures``, not raised.
    """
    point = current_checkpoint(engine, now=now)
    line = format_line(point)
    written = Written(point, line, append_line(line, path))
    if to_syslog:
        try:
            send_syslog(line)
        except (OSError, ImportError) as exc:
            written.failures.append(
                WitnessError("checkpoint_send_failed", target="syslog", reason=exc)
            )
    if webhook:
        try:
            send_webhook(line, webhook)
        except WitnessError as exc:
            written.failures.append(exc)
    return written


_lock = threading.Lock()
_last: dict[tuple[str, str], tuple[float, int]] = {}
"""Per database and witness: when the apps last looked, and the event number written."""


def checkpoint_now_and_then(engine: Engine, *, every: float = EVERY_SECONDS) -> bool:
    """For the apps' workers: a checkpoint at most every ``every`` seconds, and only when the
    chain moved; True when one was written. Cheap when there is nothing to do (a clock
    reading); never raises — a failure is logged and tried again next time."""
    place = (engine.url.render_as_string(hide_password=True), str(witness_path()))
    moment = time.monotonic()
    with _lock:
        looked, written_seq = _last.get(place, (-every, -1))
        if moment - looked < every:
            return False
        _last[place] = (moment, written_seq)
    try:
        point = current_checkpoint(engine)
        if point.seq == written_seq:
            return False
        append_line(format_line(point))
    except Exception:  # the hall keeps working; the next look tries again
        log.warning("checkpoint not written", exc_info=True)
        return False
    with _lock:
        _last[place] = (moment, point.seq)
    return True
