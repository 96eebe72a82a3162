"""Every word the counter shows: Chinese first (the clerk's language), English beside it.

The key bar shows the Chinese alone (``counter.zh("key_next")``); an entry with a third string
is shown that way when the two languages interleave or one stands alone.
"""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": ("马上办 柜台", "Counter"),
    "window": ("窗口号", "Window"),
    "clerk": ("工号", "Clerk number"),
    "pin": ("密码", "PIN"),
    "login": ("签到", "Log in"),
    "login_busy": ("正在核对…", "Checking…"),
    "bad_window": (
        "请输入窗口号（数字）",
        "Enter the window number",
        "请输入窗口号（数字）Enter the window number",
    ),
    "bad_clerk": ("请输入工号", "Enter your clerk number"),
    "current": ("当前", "Current"),
    "none_current": (
        "无 — 按 n 叫下一位",
        "None — press n to call the next",
        "无 — 按 n 叫下一位\nNone — press n to call the next",
    ),
    "lines": ("排队", "Lines"),
    "today": ("今日", "Today"),
    "waiting": ("等候 {n}", "waiting {n}", "等候 {n}"),
    "next_up": ("下几位：{numbers}", "next: {numbers}", "下几位 next: {numbers}"),
    "missed": ("过号：{numbers}", "Missed: {numbers}", "过号 Missed: {numbers}"),
    "served": ("办结 {n}", "served {n}", "办结 served {n}"),
    "no_shows": ("过号 {n}", "no-shows {n}", "过号 no-shows {n}"),
    "mean": ("平均 {m} 分钟", "mean {m} min", "平均 mean {m} 分钟 min"),
    "mean_none": ("平均 —", "mean —", "平均 mean —"),
    "last": ("上一位：{number}", "last: {number}", "上一位 last: {number}"),
    "last_case": (
        "办件 {case} · 取件码 {code} · 承诺 {date}",
        "case {case} · pickup {code} · ready by {date}",
        "办件 case {case} · 取件码 pickup {code} · 承诺 ready by {date}",
    ),
    "last_case_instant": (
        "办件 {case} · 当场办结，已当面交付",
        "case {case} · handed over",
        "办件 case {case} · 当场办结，已当面交付 handed over",
    ),
    "window_title": (
        "{number} 号窗口 · {label}",
        "Window {number} · {label}",
        "{number} 号窗口 Window {number} · {label}",
    ),
    "clerk_line": ("{name}（{code}）", "{name} ({code})", "{name}（{code}）"),
    # The reason is a word of each language (models.text.words "pause_…"): shown as zh + en.
    "paused": ("暂停中：{reason}（{minutes} 分钟）", "Paused: {reason} ({minutes} min)"),
    "state_called": ("已叫号", "called"),
    "state_serving": ("办理中", "serving"),
    "priority_normal": ("普通", "normal"),
    "priority_green": ("绿色通道", "green channel"),
    "priority_appointment": ("预约", "appointment"),
    "waited": ("等候 {n} 分钟", "waited {n} min", "等候 waited {n} 分钟 min"),
    "recalls": ("重呼 {n}", "recalls {n}", "重呼 recalls {n}"),
    "misses": ("过号 {n}", "misses {n}", "过号 misses {n}"),
    "from": ("转自 {number}", "from {number}", "转自 from {number}"),
    "clock": (
        "服务计时 {elapsed} / 时限 {limit} 分钟",
        "service {elapsed} / limit {limit} min",
        "服务计时 {elapsed} / 时限 limit {limit} 分钟",
    ),
    "materials": ("所需材料", "Materials"),
    "no_item": ("（未选事项）", "(no item chosen)", "（未选事项 no item chosen）"),
    "promise": (
        "承诺 {days} 个工作日办结 · 办结时打印受理回执",
        "promised in {days} working days · the receipt prints when finished",
        "承诺 {days} 个工作日办结 · 办结时打印受理回执",
    ),
    "called": ("已呼叫 {number}", "Called {number}"),
    "nothing_waiting": ("没有等候的号", "Nothing is waiting"),
    "done": ("{number} 已办结", "{number} finished", "{number} 已办结 finished"),
    "recalled": ("已重呼 {number}", "Recalled {number}", "已重呼 {number} Recalled"),
    "missed_one": ("{number} 过号", "{number} no-show", "{number} 过号 no-show"),
    "voided": (
        "{number} 第 {n} 次过号，已作废，市民须重新取号",
        "{number} missed {n} times: void, the citizen needs a new ticket",
        "⚠ {number} 第 {n} 次过号，已作废，市民须重新取号\n"
        "⚠ {number} missed {n} times: void, the citizen needs a new ticket",
    ),
    "started": (
        "{number} 开始办理",
        "{number} service started",
        "{number} 开始办理 service started",
    ),
    "transferred_kept": (
        "已转到 {place_zh}，仍叫 {number} 号（号码不变）",
        "Transferred to {place_en}: still called as {number}",
    ),
    "transferred_new": (
        "已转到 {place_zh}，新号 {number}（原 {old}），正在打印…",
        "Transferred to {place_en}: new number {number} (was {old}), printing…",
    ),
    # The same once its slip is done: the receipt line above says whether it printed.
    "transferred_new_done": (
        "已转到 {place_zh}，新号 {number}（原 {old}）",
        "Transferred to {place_en}: new number {number} (was {old})",
    ),
    "place_zone": ("{prefix} 区", "zone {prefix}"),
    "place_window": ("{window} 号窗口", "window {window}"),
    "slip_printed": (
        "新号 {number} 已打印，请交给群众",
        "New number {number} printed: hand it over",
    ),
    "slip_failed": (
        "新号 {number} 未能打印（{state}），请告知群众新号 {number}",
        "Slip not printed ({state}): tell the citizen the new number {number}",
    ),
    "slip_not_sent": (
        "新号 {number} 未能打印，请告知群众新号 {number}",
        "Slip not printed: tell the citizen the new number {number}",
    ),
    "requeued": (
        "{number} 已重新排队",
        "{number} back in line",
        "{number} 已重新排队 back in line",
    ),
    # As "paused": zh + en, each with the reason in its language.
    "paused_ok": ("已暂停：{reason}", "Paused: {reason}"),
    "resumed": ("已恢复叫号", "Resumed"),
    "offline": (
        "数据库连接中断，屏幕可能不是最新，正在重试…",
        "Database unreachable: the screen may be out of date, retrying…",
    ),
    "online": ("数据库已恢复连接", "Database reachable again"),
    "receipt": (
        "{number} {title}已打印 · 办件 {case} · 取件码 {code}",
        "{number} {title} printed · case {case} · pickup {code}",
        "{number} {title}已打印 printed · 办件 case {case} · 取件码 pickup {code}",
    ),
    "receipt_instant": (
        "{number} 办结单已打印 · 办件 {case} · 当场办结，已当面交付",
        "{number} printed · case {case} · handed over",
        "{number} 办结单已打印 printed · 办件 case {case} · 当场办结，已当面交付 handed over",
    ),
    "receipt_not_sent": (
        "{number} 回执未能打印，按 o 重新打印",
        "{number} Receipt not printed: press o to print it",
        "{number} 回执未能打印，按 o 重新打印 Receipt not printed: press o to print it",
    ),
    "receipt_failed": (
        "{number} 回执打印失败（{state}），按 e 补打",
        "{number} Receipt not printed ({state}): press e to reprint",
        "{number} 回执打印失败（{state}），按 e 补打 Receipt not printed: press e to reprint",
    ),
    "reprinted": ("已补打（{state}）", "Reprinted ({state})", "已补打 Reprinted ({state})"),
    "logged_out": ("已签退", "Logged out"),
    "transfer_title": ("转办 {number}", "Transfer {number}", "转办 Transfer {number}"),
    "transfer_hint": (
        "选区域或窗口（或输入窗口号）后回车，再按回车确认",
        "Pick a zone or window (or type its number), Enter, then Enter again",
    ),
    "confirm_zone": (
        "{number} 转到 {prefix} 区 {name_zh}？再按 Enter 确认，Esc 取消",
        "Transfer {number} to zone {prefix} {name_en}? Enter: yes · Esc: cancel",
        "{number} 转到 {prefix} 区 {name_zh}？再按 Enter 确认，Esc 取消\n"
        "Transfer {number} to zone {prefix} {name_en}? Enter: yes · Esc: cancel",
    ),
    "confirm_window": (
        "{number} 转到 {window} 号窗口（{prefixes} · {who_zh}）？再按 Enter 确认，Esc 取消",
        "Transfer {number} to window {window} ({prefixes} · {who_en})? Enter: yes · Esc: cancel",
        "{number} 转到 {window} 号窗口（{prefixes} · {who_zh}）？再按 Enter 确认，Esc 取消\n"
        "Transfer {number} to window {window}? Enter: yes · Esc: cancel",
    ),
    "no_such_window": ("没有可转去的 {window} 号窗口", "No window {window} to transfer to"),
    "window_label": ("{number:>2} 号窗口", "window {number:>2}", "{number:>2} 号窗口 window"),
    "window_open": ("在岗 {clerk}", "on duty {clerk}", "在岗 {clerk}"),
    "window_closed": ("无人", "closed"),
    "call_title": ("叫指定号", "Call a number"),
    "requeue_title": ("过号重排", "Requeue a missed ticket"),
    "number_hint": ("输入号码后回车，Esc 取消", "Type the number + Enter, Esc to cancel"),
    "pause_title": ("暂停叫号", "Pause"),
    "pause_other": ("其他原因，输入后回车", "Another reason + Enter"),
    "cancel": ("Esc 取消", "Esc to cancel", "Esc 取消 cancel"),
    "key_next": ("下一位", "Next"),
    "key_recall": ("重呼", "Recall"),
    "key_no_show": ("过号", "No-show"),
    "key_start": ("开始", "Start"),
    "key_finish": ("办结", "Finish"),
    "key_transfer": ("转办", "Transfer"),
    "key_call_number": ("叫号", "Call a number"),
    "key_requeue": ("重排", "Requeue"),
    "key_pause": ("暂停/恢复", "Pause/resume"),
    "key_receipt": ("回执", "Receipt"),
    "key_reprint": ("补打", "Reprint"),
    "key_logout": ("签退", "Log out"),
    "none_paused": (
        "暂停中 — 按 p 恢复叫号",
        "Paused — press p to resume calling",
        "暂停中 — 按 p 恢复叫号\nPaused — press p to resume calling",
    ),
    # Did the called citizen come (n or f on a ticket called and never started)?
    "came_title": (
        "{number} 已叫号，未开始办理：市民来了吗？",
        "{number} was called, never started: did the citizen come?",
        "{number} 已叫号，未开始办理：市民来了吗？\n"
        "{number} was called, never started: did the citizen come?",
    ),
    "came_yes": ("s  来了，已办理", "s  came, served", "s  来了，已办理 came, served"),
    "came_no": (
        "m  没来，记过号",
        "m  did not come: no-show",
        "m  没来，记过号 did not come: no-show",
    ),
    "ask_back": ("Esc  返回", "Esc  back", "Esc  返回 back"),
    # Quitting or logging out, with a citizen at the window or not.
    "quit_title": ("退出柜台？", "Quit the counter?"),
    "logout_title": ("签退？", "Log out?"),
    "quit_yes": ("y  退出", "y  quit", "y  退出 quit"),
    "quit_no": ("n / Esc  留下", "n / Esc  stay", "n / Esc  留下 stay"),
    "leave_warn_called": (
        "⚠ {number} 已叫号，市民可能正在走来，请选择：",
        "⚠ {number} has been called and may be on the way. Choose:",
        "⚠ {number} 已叫号，市民可能正在走来，请选择：\n"
        "⚠ {number} has been called and may be on the way. Choose:",
    ),
    "leave_warn_serving": (
        "⚠ {number} 正在办理，请选择：",
        "⚠ {number} is being served. Choose:",
        "⚠ {number} 正在办理，请选择：\n⚠ {number} is being served. Choose:",
    ),
    "leave_requeue": (
        "r  重新排队，排在最前",
        "r  back in line, first",
        "r  重新排队，排在最前 back in line, first",
    ),
    "leave_no_show": ("m  记过号", "m  no-show", "m  记过号 no-show"),
    "leave_keep": (
        "k  留在本窗口，回来后继续",
        "k  keep it here for later",
        "k  留在本窗口，回来后继续 keep it here for later",
    ),
    "leave_stay": ("Esc  留下", "Esc  stay", "Esc  留下 stay"),
    # The rating between two citizens (n on a served ticket, with a rating pad).
    "rating_wait": (
        "{number} 已办结，请市民评价；评价后（最多 {seconds} 秒）叫下一位，按 n 立即叫号",
        "{number} finished: the citizen rates; next call after it (≤ {seconds} s), n: now",
        "{number} 已办结，请市民评价；评价后（最多 {seconds} 秒）叫下一位，按 n 立即叫号\n"
        "{number} finished: the citizen rates; next call after it (≤ {seconds} s), n: now",
    ),
    "rating_given": ("{number} 已评价", "{number} rated", "{number} 已评价 rated"),
    # A dimmed dialog key pressed anyway: why it opens nothing.
    "call_busy": (
        "{number} 还在窗口：先办结 f、过号 m 或转办 t",
        "{number} is at the window: finish (f), no-show (m) or transfer (t) first",
        "{number} 还在窗口：先办结 f、过号 m 或转办 t\n"
        "{number} is at the window: finish (f), no-show (m) or transfer (t) first",
    ),
    "call_paused": ("暂停中，按 p 恢复叫号", "Paused: press p to resume calling"),
    "requeue_none": ("没有可重排的过号", "No missed ticket to requeue"),
    "receipt_title": ("受理回执", "Receipt"),
    "completed_title": ("办结单", "Completed"),
}

CATALOGUE = Catalogue("counter", ENTRIES, sep=" ")

KEYS: list[tuple[str, str]] = [
    # key, action — every action of the counter, shown in the key bar as counter.zh("key_<action>").
    ("n", "next"),
    ("r", "recall"),
    ("m", "no_show"),
    ("s", "start"),
    ("f", "finish"),
    ("t", "transfer"),
    ("c", "call_number"),
    ("q", "requeue"),
    ("p", "pause"),
    ("o", "receipt"),
    ("e", "reprint"),
    ("l", "logout"),
]

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
