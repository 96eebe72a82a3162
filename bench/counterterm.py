"""A process in a pseudo-terminal, for the counter benchmark: keys in, screen text out.

The child runs on Textual's real terminal driver; a reader thread drains what it writes (so it
never blocks on a full terminal), strips the escape sequences and notes the moment each
"Called C012" caption first arrives, and whether some text has been drawn yet.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable

CAPTION = re.compile(r"Called ([A-Z]\d{3,})")
"""The desk's message after "next" (models/text/counter.py "called"), and the floor's."""
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
TAIL = 20_000
"""Characters of output kept for matching (a caption cut between two reads is still found)."""


class Terminal:
    """Spawn ``argv`` in a ``size`` pseudo-terminal; send keys; see what it draws."""

    def __init__(self, argv: list[str], size: tuple[int, int], env: dict[str, str]) -> None:
        self.argv = argv
        self.size = size
        self.env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self.env.pop("TEXTUAL", None)
        self.seen: dict[str, float] = {}
        """Called number → the moment its caption first arrived."""
        self.text = ""
        """The newest output, escape sequences removed."""
        self.process: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._lock = threading.Lock()

    def start(self) -> None:
        master, slave = os.openpty()
        columns, rows = self.size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            start_new_session=True,
        )
        os.close(slave)
        self._master = master
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        raw = ""
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            if not chunk:
                return
            at = time.monotonic()
            raw = (raw + decoder.decode(chunk))[-TAIL:]
            text = ANSI.sub("", raw)
            with self._lock:
                self.text = text
                for number in CAPTION.findall(text):
                    self.seen.setdefault(number, at)

    def send(self, keys: str) -> float:
        """Type keys; the moment they were written."""
        at = time.monotonic()
        os.write(self._master, keys.encode())
        return at

    def wait(self, done: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        """Poll (every 2 ms) until ``done()``; RuntimeError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if done():
                    return
            if time.monotonic() > deadline:
                tail = self.text[-1500:]
                raise RuntimeError(f"{' '.join(self.argv[-3:])}: no {what} in {timeout:g} s; "
                                   f"the screen's last text:\n{tail}")  # fmt: skip
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.argv}: exited {self.process.returncode} waiting for "
                                   f"{what}:\n{self.text[-3000:]}")  # fmt: skip
            time.sleep(0.002)

    def press(self, keys: str, what: str, timeout: float = 30.0) -> tuple[float, str]:
        """Type keys and wait for a caption with a number not seen before: the moment the keys
        were written, and the number."""
        with self._lock:
            known = set(self.seen)
        at = self.send(keys)
        self.wait(lambda: len(self.seen) > len(known), what, timeout)
        with self._lock:
            return at, next(n for n in self.seen if n not in known)

    def shows(self, text: str) -> bool:
        return text in self.text

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (all its threads, /proc)."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> int:
        """ctrl+q, then wait; terminate if it does not go. The exit status. The counter asks
        first: y quits, k keeps a citizen at the window and quits (the floor app just quits)."""
        if self.process is None:
            return 0
        try:
            os.write(self._master, b"\x11")
            time.sleep(0.3)
            os.write(self._master, b"yk")
            code = self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.terminate()
            code = self.process.wait(timeout=10)
        finally:
            os.close(self._master)
        return code
