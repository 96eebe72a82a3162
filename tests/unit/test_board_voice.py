"""The board's voice: the sentence for each call, the speaking queue, and espeak-ng for real."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import wave
from pathlib import Path

import pytest

import board.voice
from board.voice import (
    Announcer,
    CommandEngine,
    call_sentence,
    chime_wav,
    chinese_numeral,
    find_chime,
    find_engine,
    read_number,
    speak_to_wav,
)
from tests.support.waiting import WAIT_S


@pytest.mark.parametrize(
    ("window", "spoken"),
    [(3, "三"), (10, "十"), (18, "十八"), (20, "二十"), (21, "二十一"), (105, "一百零五"),
     (110, "一百一十")],
)  # fmt: skip
def test_windows_are_read_as_numbers(window: int, spoken: str) -> None:
    assert chinese_numeral(window) == spoken


def test_the_sentence_for_a_call() -> None:
    assert call_sentence("M023", 18) == "请 M 零 二 三 号到 十八 号窗口办理"
    assert call_sentence("A001", 3) == "请 A 零 零 一 号到 三 号窗口办理"
    assert call_sentence("F120", 21) == "请 F 一 二 零 号到 二十一 号窗口办理"
    assert call_sentence("C010", 10) == "请 C 零 一 零 号到 十 号窗口办理"


def test_letters_outside_a_to_f_are_read_as_letters() -> None:
    assert read_number("M023") == "M 零 二 三"
    assert read_number("z907") == "Z 九 零 七"
    assert call_sentence("K1234", 18) == "请 K 一 二 三 四 号到 十八 号窗口办理"


def test_a_recall_is_said_again_with_a_prefix() -> None:
    assert call_sentence("M023", 18, recall=True) == "再次呼叫，请 M 零 二 三 号到 十八 号窗口办理"


def test_window_numbers_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        chinese_numeral(-1)
    with pytest.raises(ValueError):
        chinese_numeral(10000)


class SlowEngine:
    """Takes a while per sentence and notes when each began and ended, and on which thread."""

    name = "slow"

    def __init__(self, seconds: float = 0.03, fail_on: str | None = None) -> None:
        self.seconds = seconds
        self.fail_on = fail_on
        self.gate: threading.Event | None = None
        """When set up, each sentence waits for it first (for at most WAIT_S)."""
        self.spans: list[tuple[str, float, float]] = []
        self.threads: set[str] = set()
        self.busy = threading.Lock()
        self.overlapped = False

    def speak(self, text: str) -> None:
        if not self.busy.acquire(blocking=False):
            self.overlapped = True
            self.busy.acquire()
        try:
            began = time.monotonic()
            self.threads.add(threading.current_thread().name)
            if self.gate is not None:
                self.gate.wait(WAIT_S)
            time.sleep(self.seconds)
            if text == self.fail_on:
                raise RuntimeError("the sound card went away")
            self.spans.append((text, began, time.monotonic()))
        finally:
            self.busy.release()


def test_a_backlog_is_spoken_in_order_one_at_a_time() -> None:
    engine = SlowEngine()
    voice = Announcer(engine)
    sentences = [call_sentence(f"M{n:03d}", 18) for n in range(1, 7)]
    engine.gate = threading.Event()  # the voice holds the first sentence until the gate opens
    for text in sentences:
        voice.announce(text)
    assert engine.spans == []  # all six queued while the first is still being spoken
    engine.gate.set()
    voice.wait()
    assert [text for text, _, _ in engine.spans] == sentences
    assert not engine.overlapped
    for (_, _, ended), (_, began, _) in zip(engine.spans, engine.spans[1:], strict=False):
        assert began >= ended  # one never cuts another
    assert engine.threads == {"board-voice"}
    voice.close()


def test_a_failed_sentence_does_not_silence_the_next() -> None:
    engine = SlowEngine(seconds=0.0, fail_on="two")
    voice = Announcer(engine)
    for text in ("one", "two", "three"):
        voice.announce(text)
    voice.wait()
    assert [text for text, _, _ in engine.spans] == ["one", "three"]
    assert voice.failures == 1


def test_a_chime_comes_before_each_sentence() -> None:
    heard: list[str] = []

    class Engine:
        name = "list"

        def speak(self, text: str) -> None:
            heard.append(text)

    voice = Announcer(Engine(), chime=lambda: heard.append("叮咚"))
    voice.announce("a")
    voice.announce("b")
    voice.wait()
    assert heard == ["叮咚", "a", "叮咚", "b"]


def test_muted_or_without_engine_nothing_is_spoken_and_no_thread_starts() -> None:
    engine = SlowEngine(seconds=0.0)
    muted = Announcer(engine, mute=True)
    muted.announce("a")
    muted.wait()
    assert muted.silent and engine.spans == [] and muted._thread is None
    nobody = Announcer(None)
    nobody.announce("a")
    assert nobody.silent and nobody._thread is None


def test_engines_are_found_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {"spd-say": "/usr/bin/spd-say"}
    monkeypatch.setattr(board.voice.shutil, "which", lambda name: found.get(name))
    engine = find_engine()
    assert isinstance(engine, CommandEngine) and engine.name == "spd-say"
    found.clear()
    assert find_engine() is None


def test_the_chime_is_a_wav_file(tmp_path: Path) -> None:
    with wave.open(str(chime_wav(tmp_path / "chime.wav"))) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5


def test_the_chime_is_never_written_through_a_planted_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another local user plants the old fixed name in /tmp, pointing at a file of the board's user.
    victim = tmp_path / "victim.txt"
    victim.write_text("the board user's own file")
    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / "mashangban-chime.wav").symlink_to(victim)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(board.voice.shutil, "which", lambda name: "/bin/true")
    assert find_chime() is not None
    assert victim.read_text() == "the board user's own file"
    (wav,) = temp.glob("mashangban-chime-*/chime.wav")  # in a folder of its own, owner-only
    assert wav.parent.stat().st_mode & 0o077 == 0


def _espeak_or_skip() -> None:
    if shutil.which("espeak-ng") is None:
        if os.geteuid() == 0 or os.environ.get("CI"):
            pytest.fail("espeak-ng is missing: `make system-deps` installs it (as root)")
        pytest.skip("espeak-ng is not installed (sudo apt-get install espeak-ng)")


def test_espeak_ng_speaks_a_chinese_call_into_a_wav_file(tmp_path: Path) -> None:
    _espeak_or_skip()
    engine = find_engine()
    assert isinstance(engine, CommandEngine) and engine.name == "espeak-ng"
    assert engine.command[1:3] in (("-v", "cmn"), ("-v", "zh"))
    path = tmp_path / "call.wav"
    speak_to_wav(call_sentence("M023", 18), path)
    with wave.open(str(path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 1.0  # a whole sentence, not a click
