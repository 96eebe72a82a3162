"""Every word the kiosk shows, in Chinese and English: the citizen picks the language, and
buttons show it first with the other underneath (``kiosk.both(key, lang)``)."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": ("请选择办理业务", "Please choose a service"),
    "waiting": ("{n} 人等候", "{n} waiting"),
    "instant": ("马上办 · 23 项即办事项", "Instant service · 23 items"),
    "checkin": ("预约签到", "Appointment check-in"),
    "green": ("绿色通道", "Green channel"),
    "green_hint": (
        "老年人、残疾人、军人、孕妇优先",
        "Priority for elderly, disabled, military and pregnant citizens",
    ),
    "green_on": ("已选绿色通道", "Green channel selected"),
    "language": ("English", "中文"),
    "back": ("返回", "Back"),
    "items_title": ("马上办 · 请选择事项", "Instant service · choose an item"),
    "code_prompt": ("请输入预约码", "Enter your appointment code"),
    "ok": ("确定", "OK"),
    "clear": ("清除", "Clear"),
    "delete": ("删除", "Delete"),
    "your_number": ("您的号码", "Your number"),
    "ahead": ("前面还有 {n} 人", "{n} ahead of you"),
    "eta": ("预计等候约 {n} 分钟", "About {n} min wait"),
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
