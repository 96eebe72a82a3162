"""A transfer as the citizen and the clerk live it (issue 13, "The citizen's number").

The citizen is called, on the board and by the voice, by the number printed on the slip in their
hand, and their wait goes on from the first ticket. A hall that gives transfers new numbers
prints the new slip at the window and the desk says so. The transfer dialog sends no one
anywhere until the clerk confirms with a second Enter, and fits a 80×24 terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

import printer.receipts as receipts_module
from board.voice import call_sentence
from counter.desk import DeskScreen
from counter.dialogs import TransferDialog
from models.db import make_engine, reading
from models.errors import Refused
from models.queue.calling import call_next, call_number
from models.queue.serving import start, transfer
from models.queue.tickets import take_ticket
from models.tables import Event, PrintJob, Ticket
from printer.spooler import print_ticket_at_kiosk
from tests.conftest import NOW, open_window
from tests.support.board_pilot import FakeVoice, board, newest, screen_text
from tests.support.counter_pilot import Clock, counter, drive, log_in, press, shown, shows
from tests.support.escpos_decode import Page, decode
from tests.support.hall_file import reload_hall
from tests.support.kiosk_pilot import on_screen, until


def at(minutes: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def printed(engine: Engine, job_id: int) -> Page:
    """What a print job put on paper, read back from its bytes."""
    with reading(engine) as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        return decode(job.payload, chinese=True)


def big_number(page: Page) -> str:
    """The number printed large on a slip."""
    return max(page.lines, key=lambda line: line.height).text.strip()


def showing(engine: Engine, number: str) -> list[Ticket]:
    """Today's tickets showing a number, oldest first."""
    with reading(engine) as session:
        rows = session.exec(select(Ticket).where(Ticket.number == number).order_by(Ticket.id))
        found = list(rows.all())
        for row in found:
            session.expunge(row)
        return found


def transfers(engine: Engine) -> int:
    with reading(engine) as session:
        return len(session.exec(select(Event).where(Event.kind == "transferred")).all())


# ---- the citizen's number ------------------------------------------------------------------


def test_a_transferred_citizen_is_called_by_the_number_on_their_slip(engine: Engine) -> None:
    for _ in range(4):
        ticket = take_ticket(engine, queue="M", now=NOW)
    slip = big_number(printed(engine, print_ticket_at_kiosk(engine, token=ticket.token).id))
    assert slip == "M004"  # what the citizen holds
    open_window(engine, 18, "1001")
    open_window(engine, 1, "1002")
    call_number(engine, window=18, number="M004", now=at(5))
    start(engine, window=18, now=at(6))
    transfer(engine, window=18, to_queue="A", now=at(15))  # to 不动产登记
    voice = FakeVoice()
    app = board(engine, voice=voice)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.state, "the board's first state")
        assert call_next(engine, window=1, now=at(20)).number == slip
        await until(pilot, lambda: newest(app) == (slip, 1, False), "the call on the board")
        await until(pilot, lambda: voice.said, "the call spoken")
        assert voice.said == [call_sentence(slip, 1)] == ["请 M 零 零 四 号到 一 号窗口办理"]
        await pilot.pause()
        assert "请 M004 号到 1 号窗口办理" in screen_text(app)

    drive(app, scenario)


def test_the_wait_goes_on_from_the_first_ticket(engine: Engine) -> None:
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 18, "1001")
    call_next(engine, window=18, now=at(5))
    transfer(engine, window=18, to_queue="A", now=at(15))

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        assert "已呼叫 M001" in await press(pilot, "n")
        # Taken at 10:00, called at window 1 at 10:20: 20 minutes, not the 5 since the transfer.
        current = await shows(pilot, "#current", "等候 waited 20 分钟")
        assert "转自 from M001" in current

    drive(counter(engine, window=1, clerk="1002", clock=Clock(at=at(20))), scenario)


def test_a_hall_giving_new_numbers_prints_the_slip_at_the_window(engine: Engine) -> None:
    reload_hall(engine, transfer_number="new")
    take_ticket(engine, queue="M", now=NOW)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        message = await press(pilot, "enter", "enter")  # zone A, confirmed
        assert "已转到 A 区，新号 A001（原 M001）" in message
        line = await shows(pilot, "#receipt", "新号 A001 已打印")
        assert "New number A001 printed" in line
        desk = pilot.app.screen
        assert isinstance(desk, DeskScreen) and desk.receipts_done == 1
        assert not desk.query_one("#receipt").has_class("message-error")

    drive(counter(engine), scenario)
    with reading(engine) as session:
        job = session.exec(select(PrintJob).where(PrintJob.kind == "ticket")).one()
        assert (job.printer, job.state) == ("counter-preview", "done")  # window 18's printer
    page = printed(engine, job.id)
    assert big_number(page) == "A001"
    assert "转自 M001 号  Transferred from M001" in page.text
    # The board calls the number the citizen now holds.
    open_window(engine, 1, "1002")
    assert call_next(engine, window=1, now=at(20)).number == "A001"


def test_a_new_numbers_slip_that_cannot_print_is_said(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    reload_hall(engine, transfer_number="new")
    take_ticket(engine, queue="M", now=NOW)

    def no_printer(*_args: object, window: int, **_kwargs: object) -> None:
        raise Refused("no_window_printer", window=window)

    monkeypatch.setattr(receipts_module, "print_transfer_slip", no_printer)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        assert "新号 A001" in await press(pilot, "enter", "enter")
        line = await shows(pilot, "#receipt", "新号 A001 未能打印")
        assert "tell the citizen the new number A001" in line
        assert pilot.app.screen.query_one("#receipt").has_class("message-error")

    drive(counter(engine), scenario)
    assert showing(engine, "A001")[0].status == "waiting"  # the new ticket stands


@pytest.mark.parametrize("printer_works", [True, False], ids=["printed", "not_printed"])
def test_the_desk_stops_saying_printing_once_the_slip_is_done(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, printer_works: bool
) -> None:
    """The slip line says it printed (or not): the message above the keys no longer says
    "正在打印…" (it did, for good, while the line above it said the slip was in hand)."""
    reload_hall(engine, transfer_number="new")
    take_ticket(engine, queue="M", now=NOW)
    if not printer_works:

        def no_printer(*_args: object, window: int, **_kwargs: object) -> None:
            raise Refused("no_window_printer", window=window)

        monkeypatch.setattr(receipts_module, "print_transfer_slip", no_printer)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        await press(pilot, "enter", "enter")  # zone A, confirmed
        await shows(pilot, "#receipt", "已打印" if printer_works else "未能打印")
        message = shown(pilot, "#message")
        assert "已转到 A 区，新号 A001（原 M001）" in message
        assert "new number A001 (was M001)" in message
        assert "正在打印" not in message and "printing" not in message

    drive(counter(engine), scenario)


# ---- the dialog ----------------------------------------------------------------------------


def test_enter_alone_only_says_where_the_citizen_would_go(engine: Engine) -> None:
    take_ticket(engine, queue="M", now=NOW)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        dialog = await on_screen(pilot, TransferDialog)
        confirm = dialog.query_one(".dialog-confirm", Static)
        assert not confirm.display
        await pilot.press("enter")  # zone A is highlighted first
        await pilot.pause()
        assert pilot.app.screen is dialog and confirm.display
        said = shown(pilot, ".dialog-confirm")
        assert "M001 转到 A 区 不动产登记？再按 Enter 确认" in said
        assert "Transfer M001 to zone A Real estate registration? Enter: yes" in said
        assert transfers(engine) == 0 and showing(engine, "M001")[-1].status == "called"
        await pilot.press("down")  # another place: the question no longer stands
        await pilot.pause()
        assert not confirm.display
        await pilot.press("escape")
        await on_screen(pilot, DeskScreen)
        assert transfers(engine) == 0 and showing(engine, "M001")[-1].status == "called"

    drive(counter(engine), scenario)


def test_a_typed_window_number_then_enter_twice_transfers(engine: Engine) -> None:
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 3, clerk="1002")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        dialog = await on_screen(pilot, TransferDialog)
        assert dialog.focused is dialog.query_one(OptionList)
        await pilot.press("9", "9")  # typed on the list: the digits go to the window number
        assert dialog.query_one(Input).value == "99"
        await pilot.press("enter")
        await pilot.pause()
        assert "没有可转去的 99 号窗口" in shown(pilot, ".dialog-error")
        await pilot.press("backspace", "backspace", "3", "enter")
        await pilot.pause()
        assert "M001 转到 3 号窗口（A · 在岗 1002）？再按 Enter 确认" in shown(
            pilot, ".dialog-confirm"
        )
        assert not dialog.query_one(".dialog-error").display
        assert transfers(engine) == 0
        message = await press(pilot, "enter")
        assert "已转到 3 号窗口，仍叫 M001 号" in message
        first, moved = showing(engine, "M001")
        assert (first.status, moved.status, moved.target_window) == ("transferred", "waiting", 3)

    drive(counter(engine), scenario)


# ---- 80×24 -----------------------------------------------------------------------------------


@pytest.fixture
def hall(sqlite_url: str) -> Iterator[Engine]:
    """Window 18 (马上办) with a walk-in called, and window 3 open."""
    engine = make_engine(sqlite_url)
    take_ticket(engine, queue="M", now=NOW)
    open_window(engine, 3, clerk="1002")
    yield engine
    engine.dispose()


def test_the_transfer_dialog_at_80x24(snap_compare, hall: Engine) -> None:
    async def ask(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        await pilot.press("3", "enter")  # window 3 typed: the confirm line asks
        await pilot.pause()

    app = counter(hall, window=18, clerk="1001", poll_seconds=3600)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ask)
