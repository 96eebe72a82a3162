"""Every word of the hall server's pages (server/): the citizen's ticket page and the browser
board, Chinese first, then English."""

from __future__ import annotations

from models.text.catalogue import Catalogue

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
}

CATALOGUE = Catalogue("web", ENTRIES, sep=" · ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
