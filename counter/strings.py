"""Every word the counter shows: Chinese first (the clerk's language), English beside it."""

from __future__ import annotations

TEXT: dict[str, str] = {
    "title": "马上办 柜台 Counter",
    "login_title": "窗口签到 Clerk login",
    "window": "窗口号 Window",
    "clerk": "工号 Clerk number",
    "pin": "密码 PIN",
    "login": "签到 Log in",
    "login_busy": "正在核对… Checking…",
    "bad_window": "请输入窗口号（数字）Enter the window number",
    "bad_clerk": "请输入工号 Enter your clerk number",
    "current": "当前 Current",
    "none_current": "无 — 按 n 叫下一位\nNone — press n to call the next",
    "lines": "排队 Lines",
    "today": "今日 Today",
    "waiting": "等候 {n}",
    "next_up": "下几位 next: {numbers}",
    "missed": "过号 Missed: {numbers}",
    "served": "办结 served {n}",
    "no_shows": "过号 no-shows {n}",
    "mean": "平均 mean {m} 分钟 min",
    "mean_none": "平均 mean —",
    "last": "上一位 last: {number}",
    "last_case": "办件 case {case} · 取件码 pickup {code} · 承诺 ready by {date}",
    "window_title": "{number} 号窗口 Window {number} · {label}",
    "clerk_line": "{name}（{code}）",
    "paused": "暂停中：{reason}（{minutes} 分钟）Paused: {reason_en} ({minutes} min)",
    "state_called": "已叫号 called",
    "state_serving": "办理中 serving",
    "priority_normal": "普通 normal",
    "priority_green": "绿色通道 green channel",
    "priority_appointment": "预约 appointment",
    "waited": "等候 waited {n} 分钟 min",
    "recalls": "重呼 recalls {n}",
    "misses": "过号 misses {n}",
    "from": "转自 from {number}",
    "clock": "服务计时 {elapsed} / 时限 limit {limit} 分钟",
    "materials": "所需材料 Materials",
    "no_item": "（未选事项 no item chosen）",
    "promise": "承诺 {days} 个工作日办结 · 办结时打印受理回执",
    "called": "已呼叫 {number} Called {number}",
    "nothing_waiting": "没有等候的号 Nothing is waiting",
    "done": "{number} 已办结 finished",
    "recalled": "已重呼 {number} Recalled",
    "missed_one": "{number} 过号 no-show",
    "voided": (
        "⚠ {number} 第 {n} 次过号，已作废，市民须重新取号\n"
        "⚠ {number} missed {n} times: void, the citizen needs a new ticket"
    ),
    "started": "{number} 开始办理 service started",
    "transferred": "已转办：新号 {number} New ticket {number}",
    "requeued": "{number} 已重新排队 back in line",
    "paused_ok": "已暂停：{reason} Paused: {reason_en}",
    "resumed": "已恢复叫号 Resumed",
    "offline": (
        "数据库连接中断，屏幕可能不是最新，正在重试… "
        "Database unreachable: the screen may be out of date, retrying…"
    ),
    "online": "数据库已恢复连接 Database reachable again",
    "receipt": "{number} {title}已打印 printed · 办件 case {case} · 取件码 pickup {code}",
    "receipt_not_sent": (
        "{number} 回执未能打印，按 o 重新打印 Receipt not printed: press o to print it"
    ),
    "receipt_failed": (
        "{number} 回执打印失败（{state}），按 e 补打 Receipt not printed: press e to reprint"
    ),
    "reprinted": "已补打 Reprinted ({state})",
    "logged_out": "已签退 Logged out",
    "transfer_title": "转办 Transfer {number}",
    "transfer_hint": "选择区域或窗口，或输入窗口号后回车 Pick a zone or window, or type its number",
    "window_label": "{number:>2} 号窗口 window",
    "window_open": "在岗 {clerk}",
    "window_closed": "无人 closed",
    "call_title": "叫指定号 Call a number",
    "requeue_title": "过号重排 Requeue a missed ticket",
    "number_hint": "输入号码后回车，Esc 取消 Type the number + Enter, Esc to cancel",
    "pause_title": "暂停叫号 Pause",
    "pause_other": "其他原因，输入后回车 Another reason + Enter",
    "cancel": "Esc 取消 cancel",
    "none_paused": "暂停中 — 按 p 恢复叫号\nPaused — press p to resume calling",
    "came_title": (
        "{number} 已叫号，未开始办理：市民来了吗？\n"
        "{number} was called, never started: did the citizen come?"
    ),
    "came_yes": "s  来了，已办理 came, served",
    "came_no": "m  没来，记过号 did not come: no-show",
    "ask_back": "Esc  返回 back",
    "quit_title": "退出柜台？ Quit the counter?",
    "logout_title": "签退？ Log out?",
    "quit_yes": "y  退出 quit",
    "quit_no": "n / Esc  留下 stay",
    "leave_warn_called": (
        "⚠ {number} 已叫号，市民可能正在走来，请选择：\n"
        "⚠ {number} has been called and may be on the way. Choose:"
    ),
    "leave_warn_serving": "⚠ {number} 正在办理，请选择：\n⚠ {number} is being served. Choose:",
    "leave_requeue": "r  重新排队，排在最前 back in line, first",
    "leave_no_show": "m  记过号 no-show",
    "leave_keep": "k  留在本窗口，回来后继续 keep it here for later",
    "leave_stay": "Esc  留下 stay",
    "rating_wait": (
        "{number} 已办结，请市民评价；评价后（最多 {seconds} 秒）叫下一位，按 n 立即叫号\n"
        "{number} finished: the citizen rates; next call after it (≤ {seconds} s), n: now"
    ),
    "rating_given": "{number} 已评价 rated",
    "call_busy": (
        "{number} 还在窗口：先办结 f、过号 m 或转办 t\n"
        "{number} is at the window: finish (f), no-show (m) or transfer (t) first"
    ),
    "call_paused": "暂停中，按 p 恢复叫号 Paused: press p to resume calling",
    "requeue_none": "没有可重排的过号 No missed ticket to requeue",
}

KEYS: list[tuple[str, str, str]] = [
    # key, action, label — every action of the counter, shown in the key bar.
    ("n", "next", "下一位"),
    ("r", "recall", "重呼"),
    ("m", "no_show", "过号"),
    ("s", "start", "开始"),
    ("f", "finish", "办结"),
    ("t", "transfer", "转办"),
    ("c", "call_number", "叫号"),
    ("q", "requeue", "重排"),
    ("p", "pause", "暂停/恢复"),
    ("o", "receipt", "回执"),
    ("e", "reprint", "补打"),
    ("l", "logout", "签退"),
]


def t(key: str, **values: object) -> str:
    """A text of the catalogue, filled in."""
    return TEXT[key].format(**values)
