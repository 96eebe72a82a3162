"""The board's voice: the Mandarin sentence for a call, the engines, and one speaking thread.

No Textual here: the sentence and the queue are tested on their own. Announcements go through
one background thread in the order they were made, so one never cuts another and a backlog is
spoken in order. Engines are found at run time (espeak-ng, then spd-say); with none the board
is silent and says so once.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from appkit.speech import (
    SPEAK_TIMEOUT_S,
    call_sentence,
    chime_wav,
    chinese_numeral,
    mandarin_voice,
    read_number,
    speak_to_wav,
)

__all__ = [
    "Announcer",
    "CommandEngine",
    "VoiceEngine",
    "call_sentence",
    "chime_wav",
    "chinese_numeral",
    "find_chime",
    "find_engine",
    "read_number",
    "speak_to_wav",
]


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
