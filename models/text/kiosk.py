"""Every word the kiosk shows, in Chinese and English: the citizen picks the language, and
buttons show it first with the other underneath (``kiosk.both(key, lang)``)."""

from __future__ import annotations

import datetime as dt

from models.text.catalogue import Catalogue, Lang

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": ("请选择办理业务", "Please choose a service"),
    "waiting": ("{n} 人等候", "{n} waiting"),
    "instant": ("马上办 · 23 项即办事项", "Instant service · 23 items"),
    "checkin": ("预约签到", "Appointment check-in"),
    "green": ("绿色通道", "Green channel"),
    "green_on": ("已选绿色通道", "Green channel selected"),
    "green_staff": (
        "请导服台工作人员输入工号和密码确认",
        "Guide-desk staff confirm with their clerk number and PIN",
    ),
    "green_by_staff": ("需工作人员确认", "staff confirm"),
    "green_for": (
        "绿色通道：老年人、残疾人、军人、孕妇优先",
        "Green channel: elderly, disabled, military, pregnant first",
    ),
    "closed_today": ("今天不办公", "Closed today"),
    "closed_now": ("现在不取号", "No tickets now"),
    "closed_for_today": ("今日已停止取号", "No more tickets today"),
    "full_today": ("今日号已取完", "Full for today"),
    "all_full": (
        "今日号已全部取完，请改日再来",
        "All numbers are taken today: please come another day",
    ),
    "opens_at": ("{time} 开始取号", "Opens at {time}"),
    "next_opening": ("{why}，下次办公：{when}", "{why}. Next opening: {when}"),
    "language": ("English", "中文"),
    "back": ("返回", "Back"),
    "items_title": ("马上办 · 请选择事项", "Instant service · choose an item"),
    "code_prompt": ("请输入预约码", "Enter your appointment code"),
    "scan_unknown": (
        "这不是预约二维码：请扫描预约的二维码，或点“预约签到”输入预约码",
        "Not a booking's QR code: scan your booking's QR code, or tap check-in and type the code",
    ),
    "ok": ("确定", "OK"),
    "clear": ("清除", "Clear"),
    "delete": ("删除", "Delete"),
    "your_number": ("您的号码", "Your number"),
    "ahead": ("前面还有 {n} 人", "{n} ahead of you"),
    "eta": ("预计等候约 {n} 分钟", "About {n} min wait"),
    "no_window": ("本区暂无窗口开放", "No window of this zone is open now"),
    "item": ("办理事项", "Item"),
    "materials": ("请带齐材料", "Please bring"),
    "printing": ("正在打印…", "Printing…"),
    "take_ticket": ("请取票", "Please take your ticket"),
    "print_failed": (
        "打印失败，请记下号码或拍照",
        "Printing failed — note the number or take a photo",
    ),
    "issuing": ("正在取号…", "Issuing your ticket…"),
    "please_wait": ("请稍候", "Please wait"),
    "busy": ("系统繁忙，请稍候再试", "The system is busy, please try again"),
    "fault": (
        "暂时无法取号，请再试一次或联系工作人员",
        "No ticket could be issued: please try again or ask staff",
    ),
    "done": ("完成", "Done"),
    "staff_pin": ("工作人员：工号和密码", "Staff: clerk number and PIN"),
    "staff_title": ("工作人员菜单", "Staff menu"),
    "reprint": ("补打上一张", "Reprint last ticket"),
    "printer_status": ("打印机状态", "Printer status"),
    "warnings": ("缺纸提醒", "Paper warnings"),
    "quit": ("退出取号机", "Quit the kiosk"),
    "no_warnings": ("没有提醒", "No warnings"),
    "nothing_to_reprint": ("还没有出过票", "No ticket has been printed yet"),
    "app_title": ("马上办 取号机", "Mashangban kiosk"),
    "hall_name": ("马上办", "Mashangban"),
    "reprinted": (
        "{number} 补打 → {printer}：{state}",
        "{number} REPRINT → {printer}: {state}",
        "{number} 补打 REPRINT → {printer}: {state}",
    ),
}

CATALOGUE = Catalogue("kiosk", ENTRIES, sep="\n")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both


def one_line(key: str, lang: Lang, /, **values: object) -> str:
    """Both languages on one line, the chosen one first (small buttons, 80×24)."""
    other: Lang = "en" if lang == "zh" else "zh"
    return f"{pick(key, lang, **values)} {pick(key, other, **values)}"


WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when_zh(moment: dt.datetime, now: dt.datetime) -> str:
    """今天 13:00, 明天 08:30, or 12月7日 星期一 08:30 (the hall's local time)."""
    day = _days_from(moment, now)
    if day in (0, 1):
        return f"{'今天' if day == 0 else '明天'} {moment:%H:%M}"
    return f"{moment.month}月{moment.day}日 星期{WEEKDAYS_ZH[moment.weekday()]} {moment:%H:%M}"


def when_en(moment: dt.datetime, now: dt.datetime) -> str:
    """today 13:00, tomorrow 08:30, or Mon 7 Dec 08:30 (the hall's local time)."""
    day = _days_from(moment, now)
    if day in (0, 1):
        return f"{'today' if day == 0 else 'tomorrow'} {moment:%H:%M}"
    month = MONTHS_EN[moment.month - 1]
    return f"{WEEKDAYS_EN[moment.weekday()]} {moment.day} {month} {moment:%H:%M}"


def _days_from(moment: dt.datetime, now: dt.datetime) -> int:
    return (moment.date() - now.astimezone(moment.tzinfo).date()).days
