"""Every word the rating pad (好差评) shows the citizen: Chinese above English."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": (
        "{window} 号窗口 · 服务评价",
        "Window {window} · Rate our service",
        "{window} 号窗口 · 服务评价　Window {window} · Rate our service",
    ),
    "waiting": (
        "欢迎评价\n\n办结后请在此为我们的服务评价",
        "Your opinion counts\n\nPlease rate our service here when your business is done",
        "欢迎评价 Your opinion counts\n\n办结后请在此为我们的服务评价\n"
        "Please rate our service here when your business is done",
    ),
    "prompt": ("请为 {number} 的服务评价", "Please rate the service for {number}"),
    "reason": ("请告诉我们原因（{level_zh}）", "Please tell us why ({level_en})"),
    "back": ("返回", "Back"),
    "thanks": ("谢谢您的评价！", "Thank you for your rating!"),
    "rated": ("{number} · {level_zh}", "{number} · {level_en}", "{number} · {level_zh} {level_en}"),
    "rectify": (
        "我们将在 {days} 个工作日内整改（{due} 前）",
        "We will put it right within {days} working days (by {due})",
    ),
    "sending": ("正在提交…", "Sending…", "正在提交… Sending…"),
    "staff": (
        "工作人员：工号和密码",
        "Staff: clerk number and PIN",
        "工作人员 Staff: 工号和密码 clerk number and PIN",
    ),
    "quit": ("退出评价器", "Quit the pad"),
    "app_title": ("马上办 好差评", "Mashangban rating pad", "马上办 好差评"),
    "level_5": ("非常满意", "Very\nsatisfied"),
    "level_4": ("满意", "Satisfied"),
    "level_3": ("基本满意", "Fairly\nsatisfied"),
    "level_2": ("不满意", "Dissatisfied"),
    "level_1": ("非常不满意", "Very\ndissatisfied"),
    "reason_wait": ("等候时间长", "Long wait"),
    "reason_attitude": ("态度不好", "Attitude"),
    "reason_unclear": ("材料要求不清", "Unclear requirements"),
    "reason_slow": ("办理时间长", "Slow service"),
    "reason_other": ("其他", "Other"),
}

CATALOGUE = Catalogue("ratepad", ENTRIES, sep="\n")

REASONS = ("reason_wait", "reason_attitude", "reason_unclear", "reason_slow", "reason_other")
"""The reasons' keys in the order the pad shows them."""

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
