"""Every word the board shows, in Chinese and English (the board shows both at once)."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": ("马上办 叫号屏", "Display board"),
    "now": ("正在呼叫", "Now calling"),
    "recall": ("重呼", "recall"),
    "invite": ("请 {number} 号到 {window} 号窗口办理", "{number}, please go to window {window}"),
    "no_call": ("等候叫号", "Waiting for the first call"),
    "watch": ("请留意叫号", "Please watch for your number"),
    "recent": ("最近叫号", "Recent calls"),
    "window": ("{window} 号窗口", "window {window}"),
    "none_yet": ("暂无", "none yet"),
    "waiting": ("等候人数", "Waiting"),
    "people": ("{n} 人", "{n}"),
    "missed": ("过号", "Missed"),
    "no_missed": ("无", "none"),
    "silent": ("未找到语音引擎，叫号屏静音运行", "no voice engine found: the board is silent"),
    "offline": ("数据库连接中断，正在重试…", "database unreachable, retrying…"),
    "window_label": ("号窗口", "window"),
    # what the board says aloud (board.voice): the number and window are read out in Chinese
    "voice_call": (
        "请 {number} 号到 {window} 号窗口办理",
        "{number}, please go to window {window}",
    ),
    "voice_recall": ("再次呼叫，{text}", "Again: {text}"),
    # the clock in the top line, longest first (the board shows the Chinese)
    "clock_date": (
        "{d:%Y-%m-%d} {weekday_zh} {d:%H:%M:%S}",
        "{d:%Y-%m-%d} {weekday_en} {d:%H:%M:%S}",
    ),
    "clock_day": (
        "{d.month}月{d.day}日 {weekday_zh} {d:%H:%M:%S}",
        "{d:%b} {d.day} {weekday_en} {d:%H:%M:%S}",
    ),
    "clock_minutes": (
        "{d.month}月{d.day}日 {weekday_zh} {d:%H:%M}",
        "{d:%b} {d.day} {weekday_en} {d:%H:%M}",
    ),
    "clock_time": ("{d:%H:%M}", "{d:%H:%M}"),
}

CATALOGUE = Catalogue("board", ENTRIES, sep=" · ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
