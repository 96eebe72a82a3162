"""Every word of the hall server's pages (server/): the citizen's ticket page and the browser
board, Chinese first, then English."""

from __future__ import annotations

import datetime as dt

from models.text.catalogue import Catalogue
from models.text.kiosk import MONTHS_EN, WEEKDAYS_EN, WEEKDAYS_ZH

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "your_number": ("您的号码", "Your number"),
    "ahead": ("前面还有 {ahead} 人", "{ahead} ahead of you"),
    "near": ("快到您了：前面还有 {ahead} 人", "Almost your turn: {ahead} ahead of you"),
    "remind_ask": ("快到我时短信提醒", "Text me when my turn is near"),
    "remind_mobile": ("手机号码", "Mobile number"),
    "remind_send": ("提醒我", "Remind me"),
    "remind_set": (
        "快到您时将短信提醒 {mobile}（办完即删除）",
        "we will text {mobile} when your turn is near (deleted after today)",
    ),
    "remind_stop": ("不用提醒了", "Stop reminders"),
    "next": ("下一位就是您，请留意叫号", "You are next: listen for your number"),
    "eta": ("预计等候约 {minutes} 分钟", "about {minutes} min"),
    "reserved": ("请等候 {window} 号窗口叫号", "you will be called to window {window}"),
    "waiting_title": ("等候中", "waiting"),
    "called": ("请到 {window} 号窗口", "please go to window {window}"),
    "called_title": (
        "{number} 请到{window}号窗口",
        "{number}: go to window {window}",
        "{number} 请到{window}号窗口 · go to window {window}",
    ),
    "recalled": ("再次呼叫", "called again"),
    "serving": ("正在 {window} 号窗口办理", "being served at window {window}"),
    "done": ("已办结，谢谢", "done, thank you"),
    "missed": ("您已过号", "you missed your call"),
    "missed_do": (
        "请到服务台说明，工作人员可为您重新排队",
        "please go to the service desk: staff can put you back in line",
    ),
    "void": ("号码已作废", "this ticket is void"),
    "void_do": ("如仍需办理，请重新取号", "to be served, please take a new ticket"),
    "cancelled": ("号码已取消", "this ticket was cancelled"),
    "expired": ("号码已过期", "this ticket expired"),
    "transferred_keep": (
        "您已转到 {zone}，号码不变",
        "you were moved to {zone_en}: your number stays the same",
    ),
    "transferred": (
        "您的号 {held} 已转到 {zone}，新号 {number}",
        "your ticket {held} was moved to {zone_en}: new number {number}",
    ),
    "live": ("页面自动更新", "this page updates by itself"),
    "offline": ("正在重新连接…", "reconnecting…"),
    "privacy": ("本页不含任何个人信息", "this page holds no personal data"),
    "not_found_title": ("找不到号票", "ticket not found"),
    "not_found": (
        "找不到这张号票。请核对号票上的二维码；只能查看当天的号。",
        "This ticket was not found. Please scan the QR code on your ticket again; "
        "only today's tickets can be looked up.",
    ),
    "too_many_title": ("请稍候", "please wait"),
    "unavailable_title": ("暂时无法查询", "temporarily unavailable"),
    "unavailable": (
        "大厅系统暂时无法访问，请稍后刷新本页。",
        "The hall's system cannot be reached just now; please reload this page shortly.",
    ),
    "board_title": ("叫号屏", "display board"),
    "board_now": ("请", "now calling"),
    "board_recent": ("最近叫号", "recent calls"),
    "board_waiting": ("等候人数", "waiting"),
    "board_missed": ("过号", "missed"),
    "board_none": ("暂无叫号", "no calls yet"),
    "board_unknown_queue": ("没有这个区", "no such zone"),
    "board_silent": (
        "未找到 espeak-ng 的普通话语音：浏览器叫号屏静音运行",
        "no Mandarin voice of espeak-ng: the browser boards are silent",
    ),
    "board_tap": ("请点击屏幕开启语音", "tap the screen to turn the voice on"),
    "window": ("窗口", "window"),
    # the booking pages (server/booking.py)
    "index_title": ("政务服务大厅", "Government service hall"),
    "index_book": ("网上预约", "Book an appointment"),
    "index_board": ("叫号屏", "Display board"),
    "index_api": ("接口说明（合作渠道）", "API description (partner channels)"),
    "book_title": ("网上预约", "Book an appointment"),
    "book_pick_item": ("请选择要办理的事项", "Choose the service you need"),
    "book_none": ("暂无可预约的事项", "nothing can be booked online just now"),
    "book_zone": ("{zone} 区", "zone {zone}"),
    "book_pick_day": ("请选择日期", "Choose a day"),
    "book_no_days": (
        "近期没有可预约的日期，请到大厅现场取号",
        "no day can be booked just now; please take a ticket in the hall",
    ),
    "book_bring": ("请带齐材料", "Please bring"),
    "book_pick_slot": ("请选择时段", "Choose a time"),
    "book_free": ("余 {free} 个", "{free} left"),
    "book_full": ("已约满", "full"),
    "book_no_slots": (
        "这一天已约满或已无时段，请选择其他日期",
        "this day is fully booked or has no time left: please choose another day",
    ),
    "book_other_day": ("选择其他日期", "choose another day"),
    "book_other_item": ("选择其他事项", "choose another service"),
    "book_name": ("姓名", "Name"),
    "book_mobile": ("手机号码", "Mobile number"),
    "book_id": ("身份证号（选填）", "Resident ID number (optional)"),
    "book_send": ("提交预约", "Book"),
    "book_personal": (
        "姓名和手机号码只用于本次预约和通知，到期删除；页面上只显示部分",
        "your name and mobile number serve this booking and its messages only, are erased "
        "afterwards, and are never shown in full",
    ),
    "booking_title": ("我的预约", "Your booking"),
    "booking_made": ("预约成功", "Booked"),
    "booking_cancelled_now": ("预约已取消", "Your booking is cancelled"),
    "booking_code": ("预约码", "Booking code"),
    "booking_show": (
        "到大厅后，请在取号机上扫描此二维码或输入预约码签到，领取优先号",
        "at the hall, scan this QR code at the kiosk, or type the booking code, to get a "
        "priority ticket",
    ),
    "booking_checkin": ("签到时间 {opens}–{closes}", "check in from {opens} to {closes}"),
    "booking_keep": (
        "请收藏本页：凭本页链接查看或取消预约",
        "bookmark this page: its address is how you view or cancel your booking",
    ),
    "booking_who": ("预约人", "Booked by"),
    "booking_status_booked": ("已预约", "booked"),
    "booking_status_checked_in": ("已签到", "checked in"),
    "booking_status_cancelled": ("已取消", "cancelled"),
    "booking_status_no_show": ("未按时签到（爽约）", "not checked in in time (missed)"),
    "booking_ticket": ("取得号码 {number}", "your ticket: {number}"),
    "booking_cancel_until": ("可在 {until} 前取消", "can be cancelled until {until}"),
    "booking_cancel_over": (
        "已过取消时限（{until}），不能再取消",
        "the time to cancel ended at {until}: it can no longer be cancelled",
    ),
    "booking_cancel_sure": ("确定取消此预约", "yes, cancel this booking"),
    "booking_cancel": ("取消预约", "Cancel the booking"),
    "booking_not_found_title": ("找不到预约", "booking not found"),
    "booking_qr": ("预约二维码", "the booking's QR code"),
}

CATALOGUE = Catalogue("web", ENTRIES, sep=" · ")


def day_zh(day: dt.date) -> str:
    """11月26日 星期四."""
    return f"{day.month}月{day.day}日 星期{WEEKDAYS_ZH[day.weekday()]}"


def day_en(day: dt.date) -> str:
    """Thu 26 Nov."""
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}"


line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
