"""What a call sounds like: the Mandarin sentence, espeak-ng's voice into WAV, the chime.

Shared by the terminal board (which speaks through the sound card) and the hall server (which
serves the same call as a WAV file for the browser board to play). No Textual here.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

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
