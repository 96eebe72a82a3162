"""What the messages to citizens say (SMS or WeChat, through the hall's gateway).

The sender puts both languages in each webhook post (``text_zh``, ``text_en``); the facts come
from the message's data (number, window, ahead, code, slot), never a name or a mobile number."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "sms_turn_near": (
        "【{hall}】快到您了：{number} 号前面还有 {ahead} 人，请回到大厅留意叫号。",
        "[{hall}] Almost your turn: {ahead} ahead of {number}. Please come back to the hall.",
    ),
    "sms_called": (
        "【{hall}】请 {number} 号到 {window} 号窗口办理。",
        "[{hall}] {number}, please go to window {window}.",
    ),
    "sms_missed": (
        "【{hall}】{number} 号叫号未到（过号）。请到咨询台，工作人员可为您重新排队。",
        "[{hall}] {number} was called but you did not come. Ask at the help desk to be put "
        "back in line.",
    ),
    "sms_missed_void": (
        "【{hall}】{number} 号多次过号，已作废。如需办理请重新取号。",
        "[{hall}] {number} was missed too often and is void. Please take a new ticket.",
    ),
    "sms_booking_made": (
        "【{hall}】预约成功：{slot}，预约码 {code}。请按时到大厅取号机输入预约码。",
        "[{hall}] Booked: {slot}, code {code}. Enter the code at the hall's kiosk on time.",
    ),
    "sms_booking_cancelled": (
        "【{hall}】您的预约（{slot}，预约码 {code}）已取消。",
        "[{hall}] Your booking ({slot}, code {code}) is cancelled.",
    ),
    "sms_booking_reminder": (
        "【{hall}】提醒：您预约了明天 {slot}，预约码 {code}。",
        "[{hall}] Reminder: your booking is tomorrow, {slot}, code {code}.",
    ),
}

CATALOGUE = Catalogue("notices", ENTRIES, sep=" · ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
