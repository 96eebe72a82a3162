"""Connections to printers: network (port 9100), USB, serial, CUPS, a file, an on-screen preview.

Each link sends bytes with a short timeout and, on two-way links, answers status queries.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
from pathlib import Path
from typing import Any, Protocol

from models.errors import MashangbanError
from models.hall import PrinterConfig
from models.private import open_append, private_dir
from printer.status import DLE_EOT, QUERIES, PrinterStatus, parse

DEFAULT_PORT = 9100
PREVIEW_DIR_ENV = "MASHANGBAN_PREVIEW_DIR"


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
    """A raw TCP connection to an ESC/POS printer (JetDirect, port 9100)."""

    def __init__(self, config: PrinterConfig) -> None:
        host, _, port = config.address.partition(":")
        self.name = config.name
        self.timeout = config.timeout_s
        self.two_way = config.answers_status
        try:
            self.sock = socket.create_connection(
                (host, int(port or DEFAULT_PORT)), timeout=self.timeout
            )
        except OSError as exc:
            raise LinkError("printer_unreachable", printer=config.name, detail=_why(exc)) from exc

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise LinkError("printer_unreachable", printer=self.name, detail=_why(exc)) from exc

    def status(self) -> PrinterStatus:
        if not self.two_way:
            return _unknown()
        self._drain()  # stale bytes would be read as the answer
        replies: dict[int, bytes] = {}
        for n in QUERIES:
            try:
                self.send(DLE_EOT + bytes([n]))
            except LinkError:
                break  # a broken connection answers nothing: the rest stays unknown
            replies[n] = self._read_one()
        return parse(replies)

    def _read_one(self) -> bytes:
        ready, _, _ = select.select([self.sock], [], [], min(self.timeout, 1.0))
        if not ready:
            return b""
        try:
            return self.sock.recv(1)
        except OSError:
            return b""

    def _drain(self) -> None:
        while select.select([self.sock], [], [], 0)[0]:
            try:
                if not self.sock.recv(64):
                    return
            except OSError:
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class FileLink:
    """Appends the bytes to a file (a device node like /dev/usb/lp0, or a plain file)."""

    def __init__(self, config: PrinterConfig) -> None:
        self.name = config.name
        self._open(Path(config.address))

    def _open(self, path: Path) -> None:
        # Opened before anything is sent: a path that cannot be written fails the job cleanly.
        self.path = path
        try:
            self.out = os.fdopen(open_append(path), "ab")  # a new file is owner-only
        except OSError as exc:
            raise LinkError("file_unwritable", path=path, reason=_why(exc)) from exc

    def send(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except OSError as exc:
            raise LinkError("file_unwritable", path=self.path, reason=_why(exc)) from exc

    def status(self) -> PrinterStatus:
        return _unknown()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.out.close()


class PreviewLink(FileLink):
    """The on-screen printer: jobs land in a preview folder that apps and `printer preview` show."""

    def __init__(self, config: PrinterConfig) -> None:
        folder = Path(os.environ.get(PREVIEW_DIR_ENV) or _default_preview_dir())
        self.name = config.name
        try:
            private_dir(folder)
        except OSError as exc:
            raise LinkError("file_unwritable", path=folder, reason=_why(exc)) from exc
        self._open(folder / f"{config.name}.escpos")


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
        replies = {}
        for n in QUERIES:
            try:
                replies[n] = bytes(self.device.query_status(DLE_EOT + bytes([n])) or b"")[:1]
            except Exception:
                replies[n] = b""
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


def open_link(config: PrinterConfig) -> Link:
    """Connect to a printer. Raises LinkError when it cannot be reached."""
    if config.kind == "network":
        return NetworkLink(config)
    if config.kind == "file":
        return FileLink(config)
    if config.kind == "preview":
        return PreviewLink(config)
    if config.kind == "cups":
        return CupsLink(config)
    return EscposLink(config)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
