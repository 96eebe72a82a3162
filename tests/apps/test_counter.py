"""The counter as a clerk uses it, driven by Textual's Pilot on a fixed (or moved) clock.

Login and its refusals, every action key and dialog, receipts, the live view, restart, two
counters on one database. Waits poll for the worker's result instead of sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.exc import OperationalError
from sqlmodel import select
from textual.pilot import Pilot

from appkit.watch import ChangeWatch
from counter.desk import DeskScreen
from counter.dialogs import NumberDialog, PauseDialog, TransferDialog
from counter.login import LoginScreen
from models.db import reading
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from models.tables import Case, PrintJob, Ticket
from models.views.window import window_view
from tests.conftest import NOW, PIN, open_window
from tests.support.counter_pilot import (
    Clock,
    counter,
    desk_ready,
    drive,
    log_in,
    press,
    shown,
    shows,
    the_desk,
)
from tests.support.escpos_decode import decode
from tests.support.kiosk_pilot import on_screen, until


def take(engine, *queues: str, item: str | None = None) -> list[str]:
    """Walk-in tickets (or one for an item), as the kiosk would issue them."""
    if item:
        return [take_ticket(engine, item=item, now=NOW).number]
    return [take_ticket(engine, queue=q, now=NOW).number for q in queues]


def stored(engine, number: str) -> Ticket:
    """The newest ticket showing a number (a transfer keeps the citizen's number)."""
    with reading(engine) as session:
        query = select(Ticket).where(Ticket.number == number).order_by(Ticket.id.desc())
        ticket = session.exec(query).first()
        assert ticket is not None, number
        session.expunge(ticket)
        return ticket


# ---- login -------------------------------------------------------------------------------


def test_a_wrong_pin_is_refused_and_the_right_one_opens_the_desk(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.press(*"9999", "enter")  # wrong PIN
        await shows(pilot, "#login-error", "密码")
        assert isinstance(pilot.app.screen, LoginScreen)
        await pilot.press(*PIN, "enter")
        await desk_ready(pilot)
        assert "18 号窗口" in shown(pilot, "#top") and "王芳（1001）" in shown(pilot, "#top")
        assert "等候 2" in shown(pilot, "#lines")
        assert "M001 M002" in shown(pilot, "#lines")  # the next numbers in call order

    drive(counter(engine), scenario)


def test_a_window_held_by_another_clerk_is_refused(engine) -> None:
    open_window(engine, 18, clerk="1002")

    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.press(*PIN, "enter")
        text = await shows(pilot, "#login-error", "1002")
        assert "window 18" in text
        assert isinstance(pilot.app.screen, LoginScreen)

    drive(counter(engine, clerk="1001"), scenario)


def test_the_login_form_asks_for_a_window_number(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.click("#submit")
        await shows(pilot, "#login-error", "窗口号")
        assert pilot.app.focused is not None and pilot.app.focused.id == "window"

    drive(counter(engine, window=None), scenario)


# ---- calling and serving -------------------------------------------------------------------


def test_next_calls_in_order_and_says_plainly_when_nothing_waits(engine) -> None:
    take(engine, "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        assert "无" in shown(pilot, "#current")
        assert "已呼叫 M001" in await press(pilot, "n")
        assert "M001" in shown(pilot, "#current") and "已叫号" in shown(pilot, "#current")
        # M001 was called, never started: n asks whether the citizen came (s: came).
        assert "已呼叫 M002" in await press(pilot, "n", "s")  # finishes M001, calls M002
        assert stored(engine, "M001").status == "done"
        message = await press(pilot, "n", "s")
        assert "没有等候的号" in message
        # Every line of it in both languages: the window's own words too.
        assert "18 号窗口暂无等候" in message and "nothing is waiting for window 18" in message
        assert stored(engine, "M002").status == "done"  # the finish stands
        assert "无" in shown(pilot, "#current")
        assert "办结 served 2" in shown(pilot, "#today")

    drive(counter(engine), scenario)


def test_recall_no_show_and_requeue_from_the_missed_list(engine) -> None:
    take(engine, "M", "M", "M", "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        assert "已重呼 M001" in await press(pilot, "r")
        assert "重呼 recalls 1" in shown(pilot, "#current")
        assert "M001 过号" in await press(pilot, "m")
        assert "过号 Missed: M001" in shown(pilot, "#lines")
        assert "过号 no-shows 1" in shown(pilot, "#today")
        await pilot.press("q")
        dialog = await on_screen(pilot, NumberDialog)
        assert [dialog.query_one("OptionList").get_option_at_index(0).id] == ["M001"]
        assert "M001 已重新排队" in await press(pilot, "enter")  # picks the highlighted one
        assert stored(engine, "M001").status == "waiting"
        assert "Missed" not in shown(pilot, "#lines")

    drive(counter(engine), scenario)


def test_start_runs_the_service_clock_amber_then_red_at_the_items_limit(engine) -> None:
    take(engine, item="M05")
    clock = Clock()

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        await press(pilot, "n")
        limit = desk.view.current.limit_minutes  # the item's own limit
        assert limit == window_view(engine, window=18, now=NOW).current.limit_minutes
        assert "开始办理" in await press(pilot, "s")
        clock_widget = desk.query_one("#clock")
        assert clock_widget.has_class("clock-ok") and "00:00" in shown(pilot, "#clock")
        clock.advance(minutes=limit * 0.8)
        await until(pilot, lambda: clock_widget.has_class("clock-amber"), "amber at 80 %")
        clock.advance(minutes=limit * 0.2)
        await until(pilot, lambda: clock_widget.has_class("clock-red"), "red at the limit")
        assert f"{limit:02d}:00" in shown(pilot, "#clock")

    drive(counter(engine, clock=clock), scenario)


def test_the_current_ticket_shows_item_materials_and_priority(engine) -> None:
    take_ticket(engine, item="D01", priority="green", now=NOW)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        current = shown(pilot, "#current")
        assert "D001" in current and "绿色通道" in current and "D01 道路运输经营许可证" in current
        assert "承诺 5 个工作日办结" in current
        assert "营业执照副本" in shown(pilot, "#materials")

    drive(counter(engine, window=13), scenario)


def test_finishing_a_promised_item_opens_its_case_and_prints_the_receipt(
    engine, preview_dir
) -> None:
    take(engine, item="D01")
    take(engine, "D")

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        await press(pilot, "n")
        assert "D001 已办结" in await press(pilot, "f", "s")  # s: the citizen came
        receipt = await shows(pilot, "#receipt", "D001 受理回执已打印")
        with reading(engine) as session:
            case = session.exec(select(Case)).one()
            job = session.exec(select(PrintJob).where(PrintJob.kind == "receipt")).one()
        assert case.case_number in receipt and case.pickup_code in receipt
        assert job.state == "done" and job.case_id == case.id
        assert any(preview_dir.iterdir())  # the preview printer stored the receipt
        assert case.case_number in shown(pilot, "#today")
        # A plain ticket prints nothing.
        await press(pilot, "n")
        await press(pilot, "n", "s")
        await pilot.pause()  # a receipt would start its worker after this refresh
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert desk.receipts_done == 1

    drive(counter(engine, window=13), scenario)


def test_next_after_a_promised_item_prints_its_receipt(engine) -> None:
    take(engine, item="D01")
    take(engine, "D")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        assert "已呼叫 D002" in await press(pilot, "n", "s")
        await shows(pilot, "#receipt", "受理回执已打印")

    drive(counter(engine, window=13), scenario)


def test_keys_work_while_a_receipt_prints_and_it_is_the_finished_tickets(
    engine, monkeypatch
) -> None:
    import threading

    import printer.receipts as receipts_module

    take(engine, item="D01")
    take(engine, item="D01")
    take(engine, "D")
    gate = threading.Event()
    real = receipts_module.print_receipt

    def slow_printer(*args, **kwargs):
        gate.wait(5)  # the printer takes its time
        return real(*args, **kwargs)

    monkeypatch.setattr(receipts_module, "print_receipt", slow_printer)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")  # D001
        assert "已呼叫 D002" in await press(pilot, "n", "s")  # D001 done: its receipt waits
        assert "开始办理" in await press(pilot, "s")  # the desk is not held by the printer
        gate.set()
        text = await shows(pilot, "#receipt", "受理回执已打印")
        with reading(engine) as session:
            case = session.exec(select(Case)).one()
            ticket = session.get(Ticket, case.ticket_id)
        assert case.case_number in text
        assert ticket is not None and ticket.number == "D001"

    drive(counter(engine, window=13), scenario)


def test_a_receipt_that_cannot_print_is_said_on_the_desk_and_the_case_stands(
    engine, monkeypatch
) -> None:
    import printer.receipts as receipts_module

    take(engine, item="D01")

    def jammed(*_args, **_kwargs):
        raise OSError("printer cable pulled")

    monkeypatch.setattr(receipts_module, "print_receipt", jammed)

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        assert "D001 已办结" in await press(pilot, "f", "s")
        line = await shows(pilot, "#receipt", "D001 回执未能打印，按 o 重新打印")
        assert "printer cable pulled" in line and "Traceback" not in line
        assert pilot.app.screen.query_one("#receipt").has_class("message-error")
        with reading(engine) as session:
            case = session.exec(select(Case)).one()
        assert case.promised_date is not None  # the case stands
        monkeypatch.undo()  # the printer is back: o prints it
        assert f"D001 受理回执已打印 printed · 办件 case {case.case_number}" in await press(
            pilot, "o"
        )

    drive(counter(engine, window=13), scenario)


def test_an_instant_item_gets_a_completion_slip_on_request_and_a_reprint(engine) -> None:
    take(engine, item="M05")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        assert "受理回执" not in await press(pilot, "f", "s")  # nothing printed unasked
        said = await press(pilot, "o")
        # Handed over at the window: the slip and the desk say so, with no pickup code.
        assert "办结单已打印" in said and "当场办结，已当面交付 handed over" in said
        assert "取件码" not in said and "pickup" not in said
        today = await shows(pilot, "#today", "当场办结，已当面交付")
        assert "取件码" not in today
        assert "已补打" in await press(pilot, "e")
        with reading(engine) as session:
            jobs = session.exec(select(PrintJob).order_by(PrintJob.id)).all()
            case = session.exec(select(Case)).one()
        assert [(j.kind, j.reprint) for j in jobs] == [("receipt", False), ("receipt", True)]
        assert case.state == "done" and case.promised_date is None
        assert case.pickup_code == ""  # no pickup code stored for it
        for job in jobs:
            paper = decode(job.payload)
            assert "当场办结，已当面交付" in paper.text and "取件码" not in paper.text
            assert paper.qr_codes == [f"MSB:C:{case.case_number}"]

    drive(counter(engine), scenario)


def test_transfer_to_a_zone_and_to_a_window(engine) -> None:
    take(engine, "M", "M")
    open_window(engine, 3, clerk="1002")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        dialog = await on_screen(pilot, TransferDialog)
        assert "M001" in shown(pilot, ".dialog-title")
        options = dialog.query_one("OptionList")
        assert options.get_option_at_index(0).id == "q:A"
        # Zone A, the first in the list: Enter says where, a second Enter sends the citizen.
        message = await press(pilot, "enter", "enter")
        assert "已转到 A 区，仍叫 M001 号" in message  # the number on the citizen's slip
        assert stored(engine, "M001").status == "waiting" and stored(engine, "M001").parent_id
        await press(pilot, "n")
        await pilot.press("t")
        await on_screen(pilot, TransferDialog)
        await pilot.press("3")  # a digit goes to the window number
        assert "已转到 3 号窗口，仍叫 M002 号" in await press(pilot, "enter", "enter")
        assert stored(engine, "M002").target_window == 3
        # A window picked from the list: the others, each with its zones and who is there.
        take(engine, "M")
        await press(pilot, "n")
        await pilot.press("t")
        dialog = await on_screen(pilot, TransferDialog)
        options = dialog.query_one("OptionList")
        labels = {o.id: str(o.prompt) for o in options.options}
        assert "w:18" not in labels  # not this window itself
        assert labels["w:3"] == " 3 号窗口 window  A  在岗 1002"
        assert labels["w:20"] == "20 号窗口 window  MC  无人 closed"
        options.highlighted = [o.id for o in options.options].index("w:3")
        assert "仍叫 M003" in await press(pilot, "enter", "enter")
        assert stored(engine, "M003").target_window == 3

    drive(counter(engine), scenario)


def test_a_transfer_to_a_window_needs_a_number(engine) -> None:
    take(engine, "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await pilot.press("t")
        dialog = await on_screen(pilot, TransferDialog)
        await pilot.press("tab", "x", "enter")
        assert "窗口号" in shown(pilot, ".dialog-error")
        await pilot.press("escape")
        await on_screen(pilot, DeskScreen)
        assert not dialog.is_attached and stored(engine, "M001").status == "called"

    drive(counter(engine), scenario)


def test_call_a_given_number_and_a_refusal_is_shown_not_raised(engine) -> None:
    take(engine, "M", "M", "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("c")
        await on_screen(pilot, NumberDialog)
        await pilot.press("tab", *"m003")
        assert "已呼叫 M003" in await press(pilot, "enter")
        assert stored(engine, "M003").window == 18
        await pilot.press("c")  # dimmed: a ticket is already at the window
        message = await shows(pilot, "#message", "M003 还在窗口")
        assert "finish (f), no-show (m) or transfer (t) first" in message
        assert "cancel" not in message  # the counter has no cancel key
        assert pilot.app.screen is the_desk(pilot)  # no dialog to swallow the next keys
        assert "M003 开始办理" in await press(pilot, "s")

    drive(counter(engine), scenario)


def test_pause_with_a_reason_refuses_calls_until_resumed(engine) -> None:
    take(engine, "M")
    clock = Clock()

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("p")
        await on_screen(pilot, PauseDialog)
        assert "已暂停：休息" in await press(pilot, "enter")  # break, the first reason
        clock.advance(minutes=12)
        await shows(pilot, "#top", "暂停中：休息（12 分钟）")
        message = await press(pilot, "n")
        assert "暂停" in message and stored(engine, "M001").status == "waiting"
        assert "已恢复" in await press(pilot, "p")
        assert "暂停" not in shown(pilot, "#top")
        assert "已呼叫 M001" in await press(pilot, "n")

    drive(counter(engine, clock=clock), scenario)


def test_a_pause_reason_can_be_typed(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("p")
        await on_screen(pilot, PauseDialog)
        await pilot.press("tab", *"training")
        assert "已暂停：training" in await press(pilot, "enter")
        assert window_view(engine, window=18, now=NOW).paused == "training"

    drive(counter(engine), scenario)


def test_actions_without_a_ticket_explain_themselves(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        for key in ("r", "m", "s", "f"):
            message = await press(pilot, key)
            assert "18" in message and "window 18" in message  # the core's refusal, both tongues
        assert "今天还没有办结" in await press(pilot, "o")
        assert "还没有打印过回执" in await press(pilot, "e")

    drive(counter(engine), scenario)


def test_logout_returns_to_a_fresh_login(engine) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("l")
        await on_screen(pilot, LoginScreen)
        await shows(pilot, "#login-error", "已签退")
        assert pilot.app.screen.query_one("#clerk").value == ""
        assert window_view(engine, window=18, now=NOW).clerk is None

    drive(counter(engine), scenario)


# ---- live view, restart, two counters ------------------------------------------------------


def test_tickets_taken_and_calls_made_elsewhere_show_at_the_next_poll(engine) -> None:
    open_window(engine, 19, clerk="1002")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        assert "等候 0" in shown(pilot, "#lines")
        take(engine, "M", "M")
        await shows(pilot, "#lines", "等候 2")
        call_next(engine, window=19, now=NOW)  # another window calls M001
        await shows(pilot, "#lines", "等候 1")
        assert "M002" in shown(pilot, "#lines") and "M001" not in shown(pilot, "#lines")

    drive(counter(engine), scenario)


def test_a_restarted_counter_comes_back_to_the_current_ticket(engine) -> None:
    take(engine, "M", "M")

    async def first(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        await press(pilot, "s")

    async def second(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)  # the same clerk logs in again at the same window
        assert "M001" in shown(pilot, "#current") and "办理中" in shown(pilot, "#current")
        assert desk.view.current.started_at is not None
        await press(pilot, "n")
        assert "M002" in shown(pilot, "#current")

    drive(counter(engine), first)
    drive(counter(engine), second)
    assert stored(engine, "M001").status == "done"
    with reading(engine) as session:
        called = session.exec(select(Ticket).where(Ticket.called_at.is_not(None))).all()
    assert sorted(t.number for t in called) == ["M001", "M002"]  # nothing called twice


def test_two_counters_on_one_database_claim_different_tickets(engine) -> None:
    take(engine, *["M"] * 6)
    open_window(engine, 19, clerk="1002")
    first, second = (
        counter(engine, window=18, clerk="1001"),
        counter(engine, window=19, clerk="1002"),
    )

    async def main() -> None:
        async with first.run_test(size=(100, 30)) as a, second.run_test(size=(100, 30)) as b:
            await asyncio.gather(log_in(a), log_in(b))
            await asyncio.gather(press(a, "n"), press(b, "n"))
            for _ in range(2):  # s: each called citizen came
                await asyncio.gather(press(a, "n", "s"), press(b, "n", "s"))
            mine = {the_desk(a).view.current.number, the_desk(b).view.current.number}
            assert len(mine) == 2

    asyncio.run(main())
    with reading(engine) as session:
        rows = session.exec(select(Ticket).where(Ticket.called_at.is_not(None))).all()
    assert len(rows) == 6 and len({t.number for t in rows}) == 6
    assert {t.window for t in rows} == {18, 19}


def test_the_desk_shows_the_halls_local_time_whatever_the_clocks_zone(engine) -> None:
    utc = Clock(at=NOW.astimezone(dt.UTC))  # 02:00 UTC is 10:00 in Jinan

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        assert shown(pilot, "#top").startswith("10:00 ")

    drive(counter(engine, clock=utc), scenario)


def test_a_given_pin_logs_in_at_once_and_a_wrong_one_stays_on_the_form(engine) -> None:
    async def right(pilot: Pilot[None]) -> None:
        await desk_ready(pilot)  # no key pressed

    async def wrong(pilot: Pilot[None]) -> None:
        await shows(pilot, "#login-error", "密码")
        assert isinstance(pilot.app.screen, LoginScreen)

    drive(counter(engine, pin=PIN), right)
    drive(counter(engine, window=19, clerk="1002", pin="0000"), wrong)


def test_an_unexpected_database_error_is_shown_and_the_keys_keep_working(
    engine, monkeypatch
) -> None:
    import counter.ticket_keys as desk_module

    def broken(*_args, **_kwargs):
        raise OperationalError("UPDATE ticket …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(desk_module, "recall", broken)
    take(engine, "M")

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await press(pilot, "n")
        message = await press(pilot, "r")
        assert "数据库出错" in message and "disk I/O error" in message
        assert "已办结" not in message
        assert "没有等候的号" in await press(pilot, "n", "s")  # not stuck: the next key works

    drive(counter(engine), scenario)


def test_a_desk_that_loses_the_database_says_so_and_recovers(engine, monkeypatch) -> None:
    """A clerk looking at a frozen screen must know it is frozen (it was silent before)."""
    from appkit import watch as watch_module

    real = watch_module.last_event_seq
    down = {"now": False}

    def flaky(*args, **kwargs):
        if down["now"]:
            raise OperationalError("SELECT seq …", {}, Exception("unable to open database file"))
        return real(*args, **kwargs)

    monkeypatch.setattr(watch_module, "last_event_seq", flaky)

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        down["now"] = True
        await shows(pilot, "#message", "数据库连接中断，屏幕可能不是最新")
        assert desk.offline
        down["now"] = False
        await shows(pilot, "#message", "数据库已恢复连接")
        take(engine, "M")
        await shows(pilot, "#lines", "M001")  # live again

    drive(counter(engine), scenario)


def test_database_trouble_at_login_is_shown_on_the_form(engine, monkeypatch) -> None:
    import counter.login as login_module

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT clerk …", {}, Exception("connection refused"))

    monkeypatch.setattr(login_module, "login", broken)

    async def scenario(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.press(*PIN, "enter")
        await shows(pilot, "#login-error", "数据库出错")
        assert not pilot.app.screen.query_one("#submit").disabled  # the clerk can try again

    drive(counter(engine), scenario)


def test_a_poll_read_before_an_action_does_not_undo_its_screen(engine) -> None:
    take(engine, "M")

    async def scenario(pilot: Pilot[None]) -> None:
        desk = await log_in(pilot)
        stale = desk.view  # what a poll started before the key would bring back
        await press(pilot, "n")
        assert stale is not None and desk.view is not None and stale.mark < desk.view.mark
        desk.on_change_watch_read(ChangeWatch.Read(stale, stale.mark))
        await pilot.pause()
        assert "M001" in shown(pilot, "#current")

    drive(counter(engine), scenario)


def test_a_clock_set_back_is_said_once_and_the_finish_is_kept_after_the_call(engine) -> None:
    take(engine, "M")
    clock = Clock()

    async def scenario(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        clock.advance(minutes=5)
        assert "⚠" not in await press(pilot, "n")  # called at 10:05
        clock.advance(minutes=-15)  # someone sets the host's clock back to 09:50
        message = await press(pilot, "f", "s")
        assert "M001 已办结" in message
        assert message.count("⚠") == 1
        assert "慢 900 秒" in message and "900 s behind" in message
        ticket = stored(engine, "M001")
        assert ticket.finished_at == ticket.called_at  # not before it

    drive(counter(engine, clock=clock), scenario)
