"""Connections to printers: network (port 9100), USB, serial, CUPS, a file, an on-screen preview.

Each link sends bytes and, on two-way links, answers status queries, each exchange within the
printer's ``timeout_s`` whatever the peer does (silent, late, streaming, talking nonsense).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Protocol

from models import settings
from models.errors import MashangbanError
from models.hall import PrinterConfig
from models.printfile import PrintFileRefused, open_print_file
from models.private import FILE_MODE, private_dir
from printer.status import DLE_EOT, QUERIES, PrinterStatus, is_status_byte, parse

DEFAULT_PORT = 9100
DRAIN_READS, DRAIN_CHUNK = 4, 256
"""Bytes waiting before a status exchange are read away, up to 1 KiB: more is a stream."""


class LinkError(MashangbanError):
    """The printer could not be reached, or the connection broke."""


class Link(Protocol):
    """An open connection to one printer."""

    def send(self, data: bytes) -> None:
        """Write all bytes; LinkError when the connection fails."""

    def status(self) -> PrinterStatus:
        """Ask the printer how it is (unknown parts stay None)."""

    def close(self) -> None:
        """Let go of the connection."""


def _unknown() -> PrinterStatus:
    return PrinterStatus(online=None, paper=None, cover_open=None)


class NetworkLink:
    """A raw TCP connection to an ESC/POS printer (JetDirect, port 9100).

    Every exchange ends by its deadline, however the peer behaves: connecting and sending each
    within ``timeout_s`` (``sendall``'s timeout bounds the whole call), and a status exchange
    within ``timeout_s`` all told — not per read, which a peer trickling bytes would reset.
    Answers are matched to queries: the printer owes one byte per query, and a late answer to a
    query given up on is read as that query's answer and dropped, never as the next one's.
    """

    def __init__(self, config: PrinterConfig) -> None:
        host, _, port = config.address.partition(":")
        self.name = config.name
        self.timeout = config.timeout_s
        self.two_way = config.answers_status
        self.owed = 0
        """Answers still owed for queries this link stopped waiting for."""
        try:
            self.sock = socket.create_connection(
                (host, int(port or DEFAULT_PORT)), timeout=self.timeout
            )
        except OSError as exc:
            raise LinkError("printer_unreachable", printer=config.name, detail=_why(exc)) from exc

    def send(self, data: bytes) -> None:
        self._send(data, self.timeout)

    def _send(self, data: bytes, within: float) -> None:
        try:
            if within <= 0:
                raise TimeoutError("timed out")
            self.sock.settimeout(within)
            self.sock.sendall(data)
        except OSError as exc:
            raise LinkError("printer_unreachable", printer=self.name, detail=_why(exc)) from exc

    def status(self) -> PrinterStatus:
        if not self.two_way:
            return _unknown()
        deadline = time.monotonic() + self.timeout
        if not self._drain():
            return _unknown()  # a peer that keeps talking is not answering
        replies: dict[int, bytes] = {}
        for n in QUERIES:
            try:
                self._send(DLE_EOT + bytes([n]), deadline - time.monotonic())
            except LinkError:
                break  # a broken connection answers nothing: the rest stays unknown
            self.owed += 1
            reply = self._answer(deadline)
            if not is_status_byte(reply):
                break  # no answer in time, or not a status byte: the rest stays unknown
            replies[n] = reply
        return parse(replies)

    def _answer(self, deadline: float) -> bytes:
        """The answer to the last query sent, skipping late answers to earlier ones; b"" when
        it does not come by the deadline."""
        while self.owed:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return b""
            try:
                got = self.sock.recv(self.owed)  # never more than is owed: the rest is not ours
            except OSError:
                return b""
            if not got:
                return b""
            self.owed -= len(got)
            if not self.owed:
                return got[-1:]
        return b""

    def _drain(self) -> bool:
        """Read what is already waiting (late answers, noise) so it is not taken for an answer.

        False when the peer has more than a status exchange's worth to say: it is streaming."""
        for _ in range(DRAIN_READS):
            if not select.select([self.sock], [], [], 0)[0]:
                return True
            try:
                got = self.sock.recv(DRAIN_CHUNK)
            except OSError:
                return True  # the next send finds out
            if not got:
                return True
            self.owed = max(0, self.owed - len(got))
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class FileLink:
    """Appends the bytes to a file (a device node like /dev/usb/lp0, or a plain file).

    The address comes from the database, which may have been changed since `hall load`
    checked it: the file is checked again as it is opened (models.printfile), so a print never
    writes into the hall's database, key or witness, a start-up script or a system file.
    Written without blocking, within ``timeout_s``: a device node whose printer is offline, or
    a pipe no one reads, would otherwise hold the sender forever.
    """

    def __init__(self, config: PrinterConfig, database: str | None = None) -> None:
        self.name = config.name
        self.path, self.timeout = Path(config.address), config.timeout_s
        try:
            self.fd = open_print_file(config.address, database)
        except PrintFileRefused as exc:
            raise LinkError(exc.key, path=exc.values["path"], why=exc.values["why"]) from exc
        except OSError as exc:
            raise LinkError("file_unwritable", path=self.path, reason=_why(exc)) from exc

    def _open(self, path: Path, timeout: float) -> None:
        # Opened before anything is sent: a path that cannot be written fails the job cleanly.
        self.path, self.timeout = path, timeout
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOFOLLOW
        try:
            self.fd = os.open(path, flags, FILE_MODE)  # a new file is owner-only
        except OSError as exc:
            raise LinkError("file_unwritable", path=path, reason=_why(exc)) from exc

    def send(self, data: bytes) -> None:
        deadline = time.monotonic() + self.timeout
        left = memoryview(data)
        try:
            while left:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([], [self.fd], [], wait)[1]:
                    raise TimeoutError(f"timed out after {self.timeout:g} s")
                with contextlib.suppress(BlockingIOError):
                    left = left[os.write(self.fd, left) :]
        except OSError as exc:
            raise LinkError("file_unwritable", path=self.path, reason=_why(exc)) from exc

    def status(self) -> PrinterStatus:
        return _unknown()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class PreviewLink(FileLink):
    """The on-screen printer: jobs land in a preview folder that apps and `printer preview` show."""

    def __init__(self, config: PrinterConfig) -> None:
        folder = Path(settings.PREVIEW_DIR.get() or _default_preview_dir())
        self.name = config.name
        try:
            private_dir(folder)
        except OSError as exc:
            raise LinkError("file_unwritable", path=folder, reason=_why(exc)) from exc
        self._open(folder / f"{config.name}.escpos", config.timeout_s)


def _default_preview_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("mashangban", appauthor=False)) / "preview"


class CupsLink:
    """Hands the bytes to CUPS as a raw job (`lp -o raw`)."""

    def __init__(self, config: PrinterConfig) -> None:
        self.name = config.name
        self.queue = config.address
        self.timeout = config.timeout_s

    def send(self, data: bytes) -> None:
        try:
            done = subprocess.run(
                ["lp", "-d", self.queue, "-o", "raw"],
                input=data,
                capture_output=True,
                timeout=max(self.timeout, 10),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LinkError("printer_unreachable", printer=self.name, detail=str(exc)) from exc
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip() or f"lp exit {done.returncode}"
            raise LinkError("printer_unreachable", printer=self.name, detail=detail)

    def status(self) -> PrinterStatus:
        return _unknown()

    def close(self) -> None:
        return None


class EscposLink:
    """USB and serial printers through python-escpos's device classes."""

    def __init__(self, config: PrinterConfig) -> None:
        self.name = config.name
        self.two_way = config.answers_status
        self.timeout = config.timeout_s
        try:
            self.device = _escpos_device(config)
            self.device.open()
        except Exception as exc:  # pyusb / pyserial raise their own errors
            raise LinkError("printer_unreachable", printer=config.name, detail=_why(exc)) from exc

    def send(self, data: bytes) -> None:
        try:
            self.device._raw(data)
        except Exception as exc:
            raise LinkError("printer_unreachable", printer=self.name, detail=_why(exc)) from exc

    def status(self) -> PrinterStatus:
        if not self.two_way:
            return _unknown()
        deadline = time.monotonic() + self.timeout
        # Late answers still waiting in a serial port's buffer would be read as the next ones.
        flush = getattr(getattr(self.device, "device", None), "reset_input_buffer", None)
        if callable(flush):
            with contextlib.suppress(Exception):
                flush()
        replies = {}
        for n in QUERIES:  # each read ends by the device's own timeout (timeout_s)
            if time.monotonic() >= deadline:
                break
            try:
                # Several bytes: late ones first, then this query's answer.
                reply = bytes(self.device.query_status(DLE_EOT + bytes([n])) or b"")[-1:]
            except Exception:
                break
            if not is_status_byte(reply):
                break  # silence or noise: the rest stays unknown
            replies[n] = reply
        return parse(replies)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.device.close()


def _escpos_device(config: PrinterConfig) -> Any:
    if config.kind == "usb":
        from escpos.printer import Usb

        vendor, product = (int(part, 16) for part in config.address.split(":"))
        return Usb(vendor, product, timeout=int(config.timeout_s * 1000), profile=config.profile)
    from escpos.printer import Serial

    device, _, baud = config.address.partition(":")
    return Serial(
        devfile=device, baudrate=int(baud or 9600), timeout=config.timeout_s, profile=config.profile
    )


def open_link(config: PrinterConfig, *, database: str | None = None) -> Link:
    """Connect to a printer. Raises LinkError when it cannot be reached, or when a file
    printer's file is one it must not write to (``database``: the hall's SQLite file)."""
    if config.kind == "network":
        return NetworkLink(config)
    if config.kind == "file":
        return FileLink(config, database)
    if config.kind == "preview":
        return PreviewLink(config)
    if config.kind == "cups":
        return CupsLink(config)
    return EscposLink(config)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
