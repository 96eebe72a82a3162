"""The display board driven headless: calls made through the core show and are spoken."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from appkit import watch as watch_module
from board.app import BoardApp, BoardSettings, create_app
from board.bigcall import BigCall
from board.voice import call_sentence
from models.errors import DatabaseError
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, recall
from models.queue.tickets import take_ticket
from tests.conftest import open_window
from tests.support.board_pilot import FakeVoice, board, newest, screen_text
from tests.support.kiosk_pilot import drive, polled, until

SIZE = (100, 30)


def take(engine: Engine, now: dt.datetime, *queues: str) -> None:
    for queue in queues:
        take_ticket(engine, queue=queue, now=now)


async def board_shows(pilot: Pilot[None], app: BoardApp, *texts: str) -> str:
    """Wait until the board's screen shows every one of ``texts``; the screen's text."""
    return await until(
        pilot,
        lambda: (text := screen_text(app)) and all(t in text for t in texts) and text,
        f"the board to show {texts}",
    )


def test_a_call_at_a_counter_shows_at_the_next_poll_and_is_spoken(
    engine: Engine, now: dt.datetime
) -> None:
    take(engine, now, "M", "M")
    open_window(engine, 18)
    voice = FakeVoice()
    app = board(engine, voice=voice, poll_seconds=0.4)  # the board's own polling interval

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        assert newest(app) is None
        assert "等候叫号" in screen_text(app)
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: newest(app) == ("M001", 18, False), "M001 on the board")
        await until(pilot, lambda: voice.said, "the call spoken")
        assert voice.said == ["请 M 零 零 一 号到 十八 号窗口办理"]
        await board_shows(pilot, app, "请 M001 号到 18 号窗口办理", "M001, please go to window 18")

    drive(app, scenario, SIZE)


def test_a_recall_is_announced_again(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M")
    open_window(engine, 18)
    voice = FakeVoice()
    app = board(engine, voice=voice)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: len(voice.said) == 1, "the call spoken")
        recall(engine, window=18, now=now)
        await until(pilot, lambda: len(voice.said) == 2, "the recall spoken")
        assert voice.said[1] == call_sentence("M001", 18, recall=True)
        assert newest(app) == ("M001", 18, True)
        assert "重呼" in str(app.query_one("#now-panel").border_title)

    drive(app, scenario, SIZE)


def test_a_backlog_is_spoken_in_the_order_of_the_calls(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M", "M", "A")
    for window, clerk in ((18, "1001"), (19, "1002"), (1, "1003")):
        open_window(engine, window, clerk)
    voice = FakeVoice()
    app = board(engine, voice=voice, poll_seconds=1.0)  # all three calls land in one poll

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        call_next(engine, window=19, now=now)
        call_next(engine, window=1, now=now)
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: len(voice.said) == 3, "three calls spoken", 5.0)
        assert voice.said == [
            call_sentence("M001", 19),
            call_sentence("A001", 1),
            call_sentence("M002", 18),
        ]
        assert newest(app) == ("M002", 18, False)
        recent = [c.number for c in app.state.recent(5)] if app.state else []
        assert recent == ["A001", "M001"]

    drive(app, scenario, SIZE)


def test_calls_made_before_the_board_started_are_shown_not_spoken(
    engine: Engine, now: dt.datetime
) -> None:
    take(engine, now, "M", "M")
    open_window(engine, 18)
    call_next(engine, window=18, now=now)
    voice = FakeVoice()
    app = board(engine, voice=voice)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: newest(app), "M001 on the board")
        assert newest(app) == ("M001", 18, False)
        assert not app.query_one("#now", BigCall).flashing
        finish(engine, window=18, now=now)
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: voice.said, "the new call spoken")
        assert voice.said == [call_sentence("M002", 18)]

    drive(app, scenario, SIZE)


def test_queues_filter_what_is_shown_and_spoken(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "A", "B")
    open_window(engine, 18)
    open_window(engine, 1, "1002")
    voice = FakeVoice()
    app = board(engine, voice=voice, queues=("A", "B"))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        call_next(engine, window=18, now=now)  # M: another zone's board
        call_next(engine, window=1, now=now)
        await until(pilot, lambda: newest(app), "A001 on the board")
        assert newest(app) == ("A001", 1, False)
        await until(pilot, lambda: voice.said, "the call spoken")
        await polled(pilot, app.changes)  # read again since: still spoken once, M001 never
        assert voice.said == [call_sentence("A001", 1)]
        text = screen_text(app)
        assert "不动产登记" in text and "商事登记" in text
        assert "马上办 " not in text and "M001" not in text

    drive(app, scenario, SIZE)


def test_missed_numbers_and_waiting_counts(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M", "M", "M")
    open_window(engine, 18)
    app = board(engine, voice=FakeVoice())

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: "3 人" in screen_text(app), "3 waiting in M")
        call_next(engine, window=18, now=now)
        mark_no_show(engine, window=18, now=now)
        await until(pilot, lambda: app.state and app.state.missed == ["M001"], "M001 missed")
        await until(
            pilot,
            lambda: (
                "M001" in screen_text(app).split("过号 · Missed")[-1] and "2 人" in screen_text(app)
            ),
            "the board to show M001 missed and 2 waiting",
        )
        missed_line = next(r for r in screen_text(app).splitlines() if "过号" in r)
        assert "Missed" in missed_line
        assert "M001" in screen_text(app).split("过号 · Missed")[1]
        assert "2 人" in screen_text(app)

    drive(app, scenario, SIZE)


def test_after_the_only_call_leaves_the_big_line_asks_to_watch_not_for_the_first_call(
    engine: Engine, now: dt.datetime
) -> None:
    take(engine, now, "M", "M")
    open_window(engine, 18)
    app = board(engine, voice=FakeVoice())

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        assert "Waiting for the first call" in screen_text(app)
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: newest(app) == ("M001", 18, False), "M001 on the board")
        mark_no_show(engine, window=18, now=now)  # M001's call leaves the board
        await board_shows(pilot, app, "请留意叫号", "Please watch for your number")
        assert newest(app) is None and "first call" not in screen_text(app)

    drive(app, scenario, SIZE)


def test_a_new_call_flashes_for_a_few_seconds_then_stops(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M")
    open_window(engine, 18)
    app = board(engine, voice=FakeVoice(), flash_seconds=0.8)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        big = app.query_one("#now", BigCall)
        assert not big.flashing
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: big.flashing, "the flash")
        began = time.monotonic()
        await until(pilot, lambda: not big.flashing, "the flash to end")
        assert time.monotonic() - began >= 0.5
        assert not big.has_class("-flash")

    drive(app, scenario, SIZE)


def test_a_muted_board_never_asks_for_a_voice(engine: Engine, now: dt.datetime) -> None:
    take(engine, now, "M")
    open_window(engine, 18)
    asked: list[bool] = []
    voice = FakeVoice()

    def find() -> FakeVoice:
        asked.append(True)
        return voice

    app = create_app(
        BoardSettings(engine=engine, clock=lambda: now, voice=find, mute=True, poll_seconds=0.1)
    )

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        call_next(engine, window=18, now=now)
        await until(pilot, lambda: newest(app), "M001 on the board")
        text = screen_text(app)  # the hall's TV never says it is muted
        assert "静音" not in text and "muted" not in text
        assert not app._notifications  # muted on purpose: nothing to warn about

    drive(app, scenario, SIZE)
    assert voice.said == [] and asked == []


def test_without_a_voice_engine_the_board_says_once_that_it_is_silent(
    engine: Engine, now: dt.datetime
) -> None:
    app = board(engine, voice=None)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        notes = list(app._notifications)
        assert len(notes) == 1
        assert "未找到语音引擎" in notes[0].message and "silent" in notes[0].message
        assert "无语音" not in screen_text(app)  # said once to whoever starts it, not all day

    drive(app, scenario, SIZE)


ROOT = Path(__file__).resolve().parents[2]


def test_the_board_command_refuses_unknown_queue_letters(sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "board", "--db", sqlite_url, "--queues", "A,X"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "没有这个队列：X" in done.stderr and "unknown queue: X" in done.stderr
    assert "A,B,C,D,E,M,F" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_board_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    done = subprocess.run(
        [sys.executable, "-m", "board", "--db", str(tmp_path / "empty.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "数据库尚未初始化" in done.stderr and "Traceback" not in done.stderr


def test_a_lost_database_is_shown_and_the_board_recovers(
    engine: Engine, now: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = watch_module.last_event_seq
    down = {"now": False}

    def flaky(eng: Engine) -> int:
        if down["now"]:
            raise DatabaseError("db_connect", detail="server closed the connection")
        return real(eng)

    monkeypatch.setattr(watch_module, "last_event_seq", flaky)
    take(engine, now, "M")
    open_window(engine, 18)
    voice = FakeVoice()
    app = board(engine, voice=voice)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        down["now"] = True
        await until(pilot, lambda: app.offline, "the board to notice")
        await board_shows(pilot, app, "数据库连接中断")
        call_next(engine, window=18, now=now)
        down["now"] = False
        await until(pilot, lambda: newest(app), "M001 after the database is back")
        await until(pilot, lambda: not app.offline, "the warning to go")
        await until(pilot, lambda: voice.said, "the call spoken")
        await until(pilot, lambda: "数据库连接中断" not in screen_text(app), "the warning gone")

    drive(app, scenario, SIZE)


def test_at_80_columns_the_top_line_shows_the_hall_name_whole_and_the_clock(
    lite: Engine, now: dt.datetime
) -> None:
    app = board(lite, voice=FakeVoice())  # a voice engine: nothing about it on the screen

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        await pilot.pause()
        top = screen_text(app).split("\n")[0]
        assert "济南市政务服务中心 · Jinan Government Service Center" in top
        assert "…" not in top and "fake" not in top
        assert "星期三 10:00:00" in top  # NOW: Wednesday 25 November 2026, 10:00 in Jinan
        assert len(top) <= 80

    drive(app, scenario, (80, 24))


def _clusters(columns: set[int]) -> list[tuple[int, int]]:
    """Runs of adjacent columns: (first, last)."""
    runs: list[tuple[int, int]] = []
    for column in sorted(columns):
        if runs and column == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


def _bands(rows: list[str]) -> list[list[str]]:
    """Groups of adjacent rows that hold block letters."""
    bands: list[list[str]] = []
    previous = False
    for row in rows:
        has = "█" in row
        if has and not previous:
            bands.append([])
        if has:
            bands[-1].append(row)
        previous = has
    return bands


@pytest.mark.parametrize("size", [(200, 50), (280, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_on_a_tv_the_number_and_the_window_never_run_together(
    lite: Engine, now: dt.datetime, size: tuple[int, int]
) -> None:
    take(lite, now, "B", "B", "B", "B", "B")
    open_window(lite, 5)
    for _ in range(5):
        call_next(lite, window=5, now=now)
        finish(lite, window=5, now=now)
    app = board(lite, voice=FakeVoice())
    panel_width = size[0] - 56  # the right-hand column is 56 wide on a TV

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: newest(app) == ("B005", 5, False), "B005 on the board")
        await pilot.pause()
        rows = [row[:panel_width] for row in screen_text(app).split("\n")]
        bands = _bands(rows)
        letters = [
            _clusters({i for row in band for i, ch in enumerate(row) if ch == "█"})
            for band in bands
        ]
        if len(bands) == 2:  # one above the other: B005, then a blank row or more, then 5
            assert [len(band) for band in letters] == [4, 1]
        else:  # side by side: B005, then an arrow with room on either side, then 5 (not "B0055")
            assert len(bands) == 1
            runs = letters[0]
            assert len(runs) == 4 + 1 + 1, runs
            letter_gap = runs[1][0] - runs[0][1] - 1  # blank columns between two letters
            arrow = runs[4]
            assert arrow[0] - runs[3][1] - 1 >= 2 * letter_gap
            assert runs[5][0] - arrow[1] - 1 >= 2 * letter_gap
            across = [row[arrow[0] : arrow[1] + 1] for row in bands[0]]
            assert any(set(part) == {"█"} for part in across), "the arrow's shaft"

    drive(app, scenario, size)


def test_ctrl_c_quits_the_board_without_a_word_on_the_public_screen(
    lite: Engine, now: dt.datetime
) -> None:
    app = board(lite, voice=FakeVoice())

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the first state")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.is_running, "the board to quit")
        assert not app._notifications  # no "Press ctrl+q to quit the app"

    drive(app, scenario, (80, 24))
