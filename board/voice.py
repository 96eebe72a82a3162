"""The board's voice: the Mandarin sentence for a call, the engines, and one speaking thread.

No Textual here: the sentence and the queue are tested on their own. Announcements go through
one background thread in the order they were made, so one never cuts another and a backlog is
spoken in order. Engines are found at run time (espeak-ng, then spd-say); with none the board
is silent and says so once.
"""

from __future__ import annotations

import math
import queue
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from models.text import board

DIGITS = "零一二三四五六七八九"
SPEAK_TIMEOUT_S = 30.0
"""Longest an engine may take for one sentence before it is given up."""


def read_number(number: str) -> str:
    """A ticket number read character by character: 'M023' → 'M 零 二 三'."""
    return " ".join(DIGITS[int(c)] if c.isdigit() else c.upper() for c in number.strip())


def chinese_numeral(value: int) -> str:
    """A window number as a Chinese number: 3 → 三, 10 → 十, 18 → 十八, 21 → 二十一, 105 → 一百零五.

    Raises ValueError outside 0–9999.
    """
    if not 0 <= value <= 9999:
        raise ValueError(f"cannot read {value} as a window number")
    if value == 0:
        return DIGITS[0]
    out = ""
    zero = False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += DIGITS[0]
            zero = False
        out += ("" if (power == 10 and digit == 1 and not out) else DIGITS[digit]) + unit
    return out


def call_sentence(number: str, window: int, *, recall: bool = False) -> str:
    """What the board says for a call: '请 M 零 二 三 号到 十八 号窗口办理'; a recall is
    prefixed '再次呼叫'."""
    text = board.zh("voice_call", number=read_number(number), window=chinese_numeral(window))
    return board.zh("voice_recall", text=text) if recall else text


class VoiceEngine(Protocol):
    """Something that speaks a sentence and returns when it has been said."""

    @property
    def name(self) -> str: ...

    def speak(self, text: str) -> None: ...


@dataclass(frozen=True)
class CommandEngine:
    """An engine run as a command with the sentence as its last argument (output discarded:
    the board owns the terminal)."""

    name: str
    command: tuple[str, ...]

    def speak(self, text: str) -> None:
        subprocess.run(
            [*self.command, text],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=SPEAK_TIMEOUT_S,
            check=False,
        )


def mandarin_voice(espeak: str) -> str | None:
    """The name of espeak-ng's Mandarin voice (``cmn``, or ``zh`` in older data), or None."""
    for voice in ("cmn", "zh"):
        try:
            listed = subprocess.run(
                [espeak, f"--voices={voice}"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        if len(listed.strip().splitlines()) > 1:  # a header line, then the voices
            return voice
    return None


def find_engine() -> VoiceEngine | None:
    """The first offline engine found: espeak-ng with a Mandarin voice, then spd-say; or None."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        voice = mandarin_voice(espeak)
        if voice:
            return CommandEngine("espeak-ng", (espeak, "-v", voice, "-s", "150"))
    spd = shutil.which("spd-say")
    if spd:
        return CommandEngine("spd-say", (spd, "--wait", "--language", "zh", "--"))
    return None


def speak_to_wav(text: str, path: Path) -> None:
    """espeak-ng's Mandarin voice speaks the sentence into a WAV file (for checks, no sound).

    Raises FileNotFoundError without espeak-ng or its Mandarin voice, CalledProcessError when
    it fails."""
    espeak = shutil.which("espeak-ng")
    voice = mandarin_voice(espeak) if espeak else None
    if espeak is None or voice is None:
        raise FileNotFoundError("espeak-ng with a Mandarin voice")
    subprocess.run(
        [espeak, "-v", voice, "-w", str(path), text],
        capture_output=True,
        timeout=SPEAK_TIMEOUT_S,
        check=True,
    )


def chime_wav(path: Path, *, rate: int = 16000) -> Path:
    """Write a two-tone chime (叮咚) as a WAV file."""
    frames = bytearray()
    for freq, seconds in ((880.0, 0.25), (660.0, 0.4)):
        count = int(rate * seconds)
        for i in range(count):
            fade = 1.0 - i / count
            sample = 0.4 * fade * math.sin(2 * math.pi * freq * i / rate)
            frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


def find_chime() -> Callable[[], None] | None:
    """A function playing the chime through the first player found (paplay, pw-play, aplay)."""
    for player, *flags in (("paplay",), ("pw-play",), ("aplay", "-q")):
        found = shutil.which(player)
        if found:
            # A folder of its own (0700, unpredictable name): a fixed name in /tmp could be a
            # symlink another local user planted, and the board would write through it.
            folder = Path(tempfile.mkdtemp(prefix="mashangban-chime-"))
            wav = chime_wav(folder / "chime.wav")
            engine = CommandEngine(player, (found, *flags))
            return lambda: engine.speak(str(wav))
    return None


@dataclass
class Announcer:
    """Speaks announcements one after another in a background thread (started on first use)."""

    engine: VoiceEngine | None
    mute: bool = False
    chime: Callable[[], None] | None = None
    failures: int = 0
    """Sentences the engine failed to speak (the board goes on)."""
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def silent(self) -> bool:
        """Nothing will be spoken: muted, or no engine."""
        return self.mute or self.engine is None

    def announce(self, text: str) -> None:
        """Queue a sentence; it is spoken after everything queued before it."""
        if self.silent:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="board-voice", daemon=True)
            self._thread.start()
        self._queue.put(text)

    def wait(self) -> None:
        """Block until everything queued has been spoken."""
        self._queue.join()

    def close(self) -> None:
        """Stop the thread after the sentence being spoken; what is still queued is dropped."""
        if self._thread is None:
            return
        while True:
            try:
                self._queue.get_nowait()
                self._queue.task_done()
            except queue.Empty:
                break
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            try:
                if text is None:
                    return
                self._say(text)
            finally:
                self._queue.task_done()

    def _say(self, text: str) -> None:
        assert self.engine is not None
        try:
            if self.chime is not None:
                self.chime()
            self.engine.speak(text)
        except Exception:  # one failed sentence must not silence the calls after it
            self.failures += 1
