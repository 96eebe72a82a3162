"""The reports' words: groupings, column headers (files and tables), the XLSX sheets."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "group_queue": ("队列", "Queue"),
    "group_window": ("窗口", "Window"),
    "group_clerk": ("工作人员", "Clerk"),
    "group_item": ("事项", "Item"),
    "group_hour": ("时段", "Hour"),
    "group_day": ("日期", "Day"),
    "col_issued": ("取号", "issued"),
    "col_called": ("叫号", "called"),
    "col_served": ("办结", "served"),
    "col_no_shows": ("未到", "no-shows"),
    "col_no_show_rate": ("未到率", "no-show %"),
    "col_expired": ("过期", "expired"),
    "col_wait_mean": ("平均等候", "wait mean"),
    "col_wait_p90": ("等候P90", "wait p90"),
    "col_wait_max": ("最长等候", "wait max"),
    "col_wait_breaches": ("等候超时", "over limit"),
    "col_service_mean": ("平均办理", "svc mean"),
    "col_service_p90": ("办理P90", "svc p90"),
    "col_service_max": ("最长办理", "svc max"),
    "col_service_breaches": ("办理超时", "over limit"),
    "col_cases": ("限时办件", "cases"),
    "col_cases_on_time": ("按时办结", "on time"),
    "col_cases_overdue": ("逾期", "overdue"),
    "col_rating_5": ("非常满意", "very satisfied"),
    "col_rating_4": ("满意", "satisfied"),
    "col_rating_3": ("基本满意", "fair"),
    "col_rating_2": ("不满意", "dissatisfied"),
    "col_rating_1": ("非常不满意", "very dissatisfied"),
    "minutes": ("{header}(分)", "{header} (min)"),
    "total": ("合计", "Total"),
    "none": ("（无）", "(none)"),
    "window_label": ("{window} 号窗口", "window {window}"),
    "is_a_directory": ("是一个目录", "is a directory", "is a directory / 是一个目录"),
    "sheet_report": ("报表", "Report"),
    "sheet_about": ("说明", "About"),
    "about_from": ("起始日期", "from"),
    "about_to": ("结束日期", "to"),
    "about_by": ("分组", "by"),
    "about_today": ("统计日", "today"),
}

CATALOGUE = Catalogue("reports", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
