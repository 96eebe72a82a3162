"""The staffing planner's words (``mashangban plan``): its table, chart, files and notes."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "title": ("{day} 排班测算", "Staffing plan for {day}"),
    "kind_weekday": (
        "星期{weekday_zh}，按过去 {days} 个同类工作日",
        "{weekday}, from {days} past days like it",
    ),
    "kind_after_break": (
        "节后第一个工作日：按往常节后多 {pct}%（{breaks} 天）",
        "first working day after a holiday: {pct}% busier, as such days were ({breaks} days)",
    ),
    "target": (
        "目标：{share}% 的群众等候不超过 {minutes} 分钟",
        "target: {share}% of citizens wait {minutes} minutes or less",
    ),
    "source_file": ("现有排班：排班文件", "current staffing: the plan file"),
    "source_day": (
        "现有排班：{day} 那天实际开的窗口",
        "current staffing: the windows open on {day}",
    ),
    "source_open": (
        "现有排班：现在开着的窗口（全天）",
        "current staffing: the windows open now, all day",
    ),
    "whatif": ("假设：{what}", "what-if: {what}"),
    "runs": ("模拟 {runs} 天（种子 {seed}）", "{runs} simulated days (seed {seed})"),
    "head_now": ("现有排班", "current"),
    "head_rec": ("建议排班", "recommended"),
    "col_period": ("时段", "Period", "时段\nPeriod"),
    "col_citizens": ("人数", "tickets", "人数\ntickets"),
    "col_windows": ("窗口", "win", "窗口\nwin"),
    "col_wait": ("平均", "wait", "平均\nwait"),
    "col_p90": ("九成", "p90", "九成\np90"),
    "col_within": ("达标≤{minutes}", "≤{minutes}m", "达标\n≤{minutes}m"),
    "col_longest": ("排队", "queue", "排队\nqueue"),
    "col_idle": ("空闲", "idle", "空闲\nidle"),
    "col_queue": ("队列", "Queue", "队列 Queue"),
    "total": ("合计", "day", "合计"),
    "queues_title": ("各队列全天", "Each queue, the whole day"),
    "windows_title": (
        "能办理各队列的窗口数：现有→建议",
        "Windows serving each queue: current→recommended",
    ),
    "window_hours": (
        "窗口工时：现有 {current}，建议 {recommended}（{change}）",
        "window-hours: current {current}, recommended {recommended} ({change})",
    ),
    "met": ("建议排班每个时段都达到目标", "the recommendation meets the target in every period"),
    "short": (
        "以下时段的队列即使开齐能办理的窗口也达不到目标：{periods}",
        "these periods and queues miss the target even with every window that can serve them: "
        "{periods}",
    ),
    "times_note": (
        "时间单位：分钟；排队=同时等候最多人数；空闲=平均空闲窗口数",
        "times in minutes; queue = most waiting at once; idle = windows idle on average",
    ),
    "chart_title": (
        "各时段平均等候（分钟）：现有 █ 建议 ▒",
        "Mean wait per period (min): current █ recommended ▒",
    ),
    "plan_written": ("已写入 {out}", "written: {out}"),
    "rec_windows_title": ("建议各时段开放的窗口", "Windows to open per period (recommended)"),
    "sheet_plan": ("排班", "Plan"),
    "file_period": ("时段", "period", "时段 period"),
    "file_plan": ("排班", "plan", "排班 plan"),
    "file_windows": ("窗口", "windows", "窗口 windows"),
    "file_citizens": ("人数", "citizens", "人数 citizens"),
    "file_wait_mean": ("平均等候(分)", "wait mean (min)", "平均等候(分) wait mean (min)"),
    "file_wait_p90": ("等候P90(分)", "wait p90 (min)", "等候P90(分) wait p90 (min)"),
    "file_within": ("达标比例", "share within target", "达标比例 share within target"),
    "file_longest": ("最多排队", "longest queue", "最多排队 longest queue"),
    "file_idle": ("空闲窗口", "idle windows", "空闲窗口 idle windows"),
    "about_day": ("日期", "day"),
    "about_target": ("目标", "target"),
    "about_source": ("现有排班来自", "current staffing from"),
    "about_whatif": ("假设", "what-if"),
    "about_runs": ("模拟天数", "replications"),
    "about_hours": ("窗口工时", "window-hours"),
    "sheet_no_plan": ("{day} 未能测算排班", "No staffing plan for {day}"),
    "sheet_no_plan_hint": (
        "积累足够的历史记录后再导出，或用 mashangban plan 查看",
        "export again once there is enough history, or see mashangban plan",
    ),
    "planning": ("测算排班", "planning"),
    "planning_wait": (
        "正在测算排班，约需半分钟…",
        "working out the plan, about half a minute…",
    ),
}

CATALOGUE = Catalogue("planning", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
