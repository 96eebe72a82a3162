"""The browser board's voice: each call rendered once to a WAV file (the chime, then espeak-ng's
Mandarin sentence, the same as the terminal board says), kept for the boards that ask next.

Offline like everything else: espeak-ng runs on the server. Without it (or its Mandarin voice)
the board shows the calls and says that it is silent.
"""

from __future__ import annotations

import asyncio
import functools
import io
import re
import shutil
import tempfile
import wave
from collections import OrderedDict
from pathlib import Path

import anyio.to_thread

from appkit.speech import call_sentence, chime_wav, mandarin_voice, speak_to_wav
from models.limits import WINDOW_MAX

NUMBER_RE = re.compile(r"^[A-Z][0-9]{1,4}$")
"""A ticket number as the board calls it (M023)."""
CLIPS_KEPT = 64
"""Calls kept rendered (a few seconds of sound each, about 150 KB)."""


class Voice:
    """Renders calls to WAV, one at a time, and keeps the newest."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.available = enabled and can_speak()
        """espeak-ng with a Mandarin voice is here: the board can speak."""
        self._clips: OrderedDict[tuple[str, int, bool], bytes] = OrderedDict()
        self._lock = asyncio.Lock()

    @staticmethod
    def valid(number: str, window: int) -> bool:
        """A call the board could show: a ticket number and a window number."""
        return bool(NUMBER_RE.match(number)) and 1 <= window <= WINDOW_MAX

    async def clip(self, number: str, window: int, *, recall: bool) -> bytes:
        """The WAV of this call (rendered on first request, in a worker thread)."""
        key = (number, window, recall)
        async with self._lock:  # one espeak-ng at a time: the server's cores are for pages
            found = self._clips.get(key)
            if found is None:
                found = await anyio.to_thread.run_sync(render, number, window, recall)
                self._clips[key] = found
                while len(self._clips) > CLIPS_KEPT:
                    self._clips.popitem(last=False)
            self._clips.move_to_end(key)
            return found


@functools.cache
def can_speak() -> bool:
    """espeak-ng and its Mandarin voice are installed (asked once per process)."""
    espeak = shutil.which("espeak-ng")
    return bool(espeak and mandarin_voice(espeak))


def render(number: str, window: int, recall: bool) -> bytes:
    """The chime then the sentence, as one WAV (espeak-ng's format; the chime made to match).

    Raises FileNotFoundError without espeak-ng's Mandarin voice."""
    with tempfile.TemporaryDirectory(prefix="mashangban-voice-") as folder:
        speech = Path(folder) / "speech.wav"
        speak_to_wav(call_sentence(number, window, recall=recall), speech)
        with wave.open(str(speech)) as said:
            params = said.getparams()
            frames = said.readframes(said.getnframes())
        chime = b""
        if params.nchannels == 1 and params.sampwidth == 2:
            with wave.open(str(chime_wav(Path(folder) / "chime.wav", rate=params.framerate))) as c:
                chime = c.readframes(c.getnframes())
    out = io.BytesIO()
    with wave.open(out, "wb") as joined:
        joined.setnchannels(params.nchannels)
        joined.setsampwidth(params.sampwidth)
        joined.setframerate(params.framerate)
        joined.writeframes(chime + frames)
    return out.getvalue()
