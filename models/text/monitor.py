"""Every word the hall manager's monitor (全程监管) shows, and its alarms (models.views.monitor)."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "app_title": ("马上办 监管", "Monitor"),
    "quit": ("退出", "Quit"),
    "queues_title": (
        "队列 · 等候 · 已取 · 最长/限（分）",
        "Queues · waiting · issued · longest/limit (min)",
        "队列 Queues · 等候 waiting · 已取 issued · 最长/限 longest/limit (分 min)",
    ),
    "col_zone": ("区", "Zone"),
    "col_waiting": ("等候", "Waiting"),
    "col_issued": ("已取", "Issued"),
    "col_longest": ("最长/限", "Longest/limit"),
    "col_next": ("下一个", "Next"),
    "windows_title": (
        "窗口 · 业务 · 工作人员 · 状态",
        "Windows · serves · clerk · state",
        "窗口 Windows · 业务 serves · 工作人员 clerk · 状态 state",
    ),
    "closed_windows": ("未开：{windows}", "closed: {windows}", "未开 closed: {windows}"),
    "no_window_open": ("没有开放的窗口", "no window open"),
    "col_window": ("窗", "Window"),
    "col_serves": ("业务", "Serves"),
    "col_clerk": ("工作人员", "Clerk"),
    "col_state": ("状态", "State"),
    "at_window": ("{state_zh} {ticket} · {minutes} 分", "{state_en} {ticket} · {minutes} min"),
    "paused": ("{state_zh}：{reason} · {minutes} 分", "{state_en}: {reason} · {minutes} min"),
    "at_window_then_paused": (
        "{state_zh} {ticket} · {minutes} 分 · 之后暂停：{reason}",
        "{state_en} {ticket} · {minutes} min · then paused: {reason}",
    ),
    "no_alarms": ("无告警", "No alarms"),
    "alarms": ("告警", "Alarms"),
    "alarm_pin_lock": ("密码锁定", "PIN lock"),
    "alarm_wait": ("超时等候", "waiting too long"),
    "alarm_service": ("超时办理", "serving too long"),
    "alarm_case": ("办件逾期", "case overdue"),
    "alarm_rating": ("差评", "bad rating"),
    "summary_waiting": ("等候 {n}", "waiting {n}", "等候 waiting {n}"),
    "summary_served": ("办结 {n}", "served {n}", "办结 served {n}"),
    "summary_rated": ("评价 {n}", "rated {n}", "评价 rated {n}"),
    "summary_bad": ("差评 {n}", "bad {n}", "差评 bad {n}"),
    "summary_open": ("待整改 {n}", "open rectifications {n}", "待整改 open rectifications {n}"),
    "summary_bookings": (
        "预约签到 {checked}/{booked} 爽约 {missed}",
        "checked in {checked}/{booked} no-shows {missed}",
        "预约签到 checked in {checked}/{booked} 爽约 no-show {missed}",
    ),
    "summary_alarms": ("告警 {n}", "alarms {n}", "告警 alarms {n}"),
    "db_trouble": (
        "数据库出错：{error}",
        "database trouble: {error}",
        "数据库出错 database trouble: {error}",
    ),
    "detail_pin_lock": (
        "{label_zh} 密码锁定至 {until}（密码错误过多）",
        "{label_en} locked until {until} (wrong PINs)",
        (
            "{label_zh} 密码锁定至 {until}（密码错误过多）{label_en} locked until {until} (wrong "
            "PINs)"
        ),
    ),
    "detail_wait": (
        "{number} 已等候 {waited} 分钟（限 {limit}）",
        "{number} waiting {waited} min, limit {limit}",
        "{number} 已等候 {waited} 分钟（限 {limit}）waiting {waited} min, limit {limit}",
    ),
    "detail_service": (
        "{window} 号窗口 {number} 已办理 {served} 分钟（限 {limit}）",
        "window {window}: {number} serving {served} min, limit {limit}",
        (
            "{window} 号窗口 {number} 已办理 {served} 分钟（限 {limit}）window {window}: "
            "serving {served} min, limit {limit}"
        ),
    ),
    "detail_case": (
        "办件 {number}（{item}）逾期 {days} 天",
        "case {number} ({item}) overdue by {days} d",
        "办件 {number}（{item}）逾期 {days} 天 case overdue by {days} d",
    ),
    "detail_rating": (
        "{at} {window} 号窗口 {number}：{level_zh}{reason}",
        "{at} window {window}, {number}: {level_en}{reason}",
        "{at} {window} 号窗口 {number}：{level_zh}{reason} bad rating",
    ),
}

CATALOGUE = Catalogue("monitor", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
