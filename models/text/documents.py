"""What the printed documents say: the kiosk ticket, the counter's receipt (受理回执) and the
test page. Chinese first, English after it on the same line."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "reprint": ("补打", "REPRINT"),
    "ahead": ("前面还有 {n} 人", "{n} ahead of you", "前面还有 {n} 人  {n} ahead of you"),
    "eta": ("预计等候约 {n} 分钟", "about {n} min", "预计等候约 {n} 分钟  about {n} min"),
    "transferred_from": (
        "转自 {number} 号",
        "Transferred from {number}",
        "转自 {number} 号  Transferred from {number}",
    ),
    "advice": ("请留意叫号，过号请到服务台", "Please listen for your number"),
    "no_window": (
        "本区暂无窗口开放，请留意叫号",
        "No window of this zone is open now",
        "本区暂无窗口开放，请留意叫号  No window of this zone is open now",
    ),
    "bring": ("请带齐材料：", "Please bring:", "请带齐材料 Please bring:"),
    "more_materials": (
        "另有 {n} 项，详见窗口",
        "{n} more at the window",
        "另有 {n} 项，详见窗口  {n} more at the window",
    ),
    "receipt": ("受理回执", "Receipt"),
    "completed": ("办结单", "Completed"),
    "case": ("办件编号：{case}", "Case: {case}", "办件编号 Case: {case}"),
    "item": ("事项：{item_zh}", "Item: {item_en}", "事项 Item: {item_zh}"),
    "window_clerk": (
        "窗口：{window}   工号：{clerk}",
        "Window: {window}   Clerk: {clerk}",
        "窗口 Window: {window}   工号 Clerk: {clerk}",
    ),
    "accepted": ("受理时间：{at}", "Accepted: {at}", "受理时间 Accepted: {at}"),
    "ready_by": (
        "承诺办结：{date}{note}",
        "Ready by: {date}{note}",
        "承诺办结 Ready by: {date}{note}",
    ),
    "provisional": ("（暂定）", "(provisional)", "（暂定 provisional）"),
    "pickup_code": ("取件码：{code}", "Pickup code: {code}", "取件码 Pickup code: {code}"),
    "collect": ("请凭取件码到统一出件窗口领取", "Collect at the pickup window"),
    "handed_over": ("当场办结，已当面交付", "Handed over"),
    "test_page": ("打印测试", "TEST PAGE"),
    "left": ("左对齐", "left"),
    "centre": ("居中", "centre"),
    "right": ("右对齐", "right"),
    "punctuation": (
        "标点：，。、；：？！“”（）《》—…·",
        "punctuation: ，。、；：？！“”（）《》—…·",
        "标点：，。、；：？！“”（）《》—…·",
    ),
}

CATALOGUE = Catalogue("documents", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
