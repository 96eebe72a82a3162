"""What the command line prints: its tables' headers, its confirmations and warnings.

The command line shows both languages on one line, Chinese first. Refusals are in errors.py."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "usage_error": (
        "✗ 命令行有误，用法见下（或加 --help）",
        "✗ the command line is wrong: see the usage below (or add --help)",
        "✗ 命令行有误，用法见下（或加 --help）",
    ),
    "created": ("已创建", "created"),
    "in_use": ("已有", "in use"),
    "queues": ("队列", "Queues"),
    "name": ("名称", "Name"),
    "hours": ("时间", "Hours"),
    "items": ("事项", "Items"),
    "windows": ("窗口", "Windows"),
    "window": ("窗口", "Window"),
    "queues_in_order": ("队列", "Queues (in order)"),
    "label": ("标签", "Label"),
    "clerks": ("工作人员", "Clerks"),
    "clerk_code": ("工号", "Code"),
    "clerk_name": ("姓名", "Name"),
    "locked_until": ("锁定", "Locked until"),
    "table": ("表", "table"),
    "row": ("行", "row"),
    "field": ("字段", "field"),
    "stored": ("现存", "stored"),
    "from_the_events": ("按事件", "from the events"),
    "cases": ("办件", "Cases"),
    "title_overdue": (" · 逾期", " · overdue", " · 逾期 overdue"),
    "col_case": ("办件编号", "Case", "办件编号\nCase"),
    "col_ticket": ("号", "Ticket", "号\nTicket"),
    "col_item": ("事项", "Item", "事项\nItem"),
    "col_win": ("窗口", "Win", "窗口\nWin"),
    "col_ready_by": ("承诺", "Ready by", "承诺\nReady by"),
    "col_state": ("状态", "State", "状态\nState"),
    "col_code": ("取件码", "Code", "取件码\nCode"),
    "provisional_cases": (
        "* 暂定：日期超出官方节假日数据",
        "* provisional: past the calendar's data",
        "* 暂定：日期超出官方节假日数据 provisional: past the calendar's data",
    ),
    "late": ("（已逾期）", "(late)", "（已逾期 late）"),
    "demo_status": (" 马上办 演示 ", " mashangban demo ", " 马上办 demo "),
    "demo_web": (
        "· 网页 {url}/board ",
        "· web {url}/board ",
        "· 网页 web {url}/board ",
    ),
    "demo_web_detached": (
        "  网页：{url}/board（显示屏），取号二维码打开 {url}/t/<token>（手机页）",
        "  web: {url}/board (the board), a ticket's QR code opens {url}/t/<token> (its phone page)",
        "  网页 web: {url}/board（显示屏 board）· 手机页 phone page: {url}/t/<token>（取号二维码）",
    ),
    "ticket": ("取号", "Ticket"),
    "check_in": ("预约签到", "Check-in"),
    "recall": ("重呼", "Recall"),
    "no_show": ("过号", "No-show"),
    "serving": ("办理中", "Serving"),
    "done": ("办结", "Done"),
    "cancelled": ("已取消", "Cancelled"),
    "requeued": ("重新排队", "Requeued"),
    "transferred_kept": ("转移 · 号码不变", "Transferred · same number"),
    "transferred_new": ("转移 · 新号", "Transferred · new number"),
    "state": ("状态", "State"),
    "locked_by_wrong_pins": ("密码锁定", "Locked by wrong PINs"),
    "locked": ("锁定", "Locked"),
    "until": ("至", "Until"),
    "unlock_with": ("解锁", "Unlock with"),
    "no_open_past_days": (
        "✓ 往日没有未办结的号",
        "✓ no open tickets of past days",
        "✓ 往日没有未办结的号 no open tickets of past days",
    ),
    "printers": ("打印机", "Printers"),
    "kind": ("类型", "Kind"),
    "address": ("地址", "Address"),
    "profile": ("型号", "Profile"),
    "paper": ("纸宽", "Paper"),
    "text": ("文字", "Text"),
    "used_by": ("使用者", "Used by"),
    "reprint_mark": (" 补打", " REPRINT", " 补打 REPRINT"),
    "print_jobs": ("打印任务", "Print jobs"),
    "what": ("内容", "What"),
    "printer": ("打印机", "Printer"),
    "reprint_mark_zh": (" 补打", " REPRINT", " 补打"),
    "counting": ("统计", "counting"),
    "writing": ("写入", "writing"),
    "times_in_minutes": (
        "时间单位：分钟 (P90 取整)",
        "times in minutes (p90 in whole minutes)",
        "时间单位：分钟 (P90 取整)  times in minutes (p90 in whole minutes)",
    ),
    "tickets_per_hour": ("每小时取号", "Tickets per hour"),
    "tickets_per_day": ("每日取号", "Tickets per day"),
    "none": ("  （无）", "  (none)", "  （无 none）"),
    "rectify_closed": ("已关闭", "closed", "已关闭"),
    "rectify_open": ("整改中", "open", "整改中"),
    "rectifications": ("整改", "Rectifications"),
    "col_id": ("编号", "ID", "编号\nID"),
    "col_no": ("号码", "No.", "号码\nNo."),
    "col_clerk": ("工号", "Clerk", "工号\nClerk"),
    "col_level": ("评价", "Level", "评价\nLevel"),
    "col_reason": ("原因", "Reason", "原因\nReason"),
    "col_opened": ("开立", "Opened", "开立\nOpened"),
    "col_due": ("期限", "Due", "期限\nDue"),
    "provisional_rectify": (
        "* 暂定：超出官方节假日安排的日期按周一至周五计算",
        "* provisional: counted Monday to Friday past the official calendar",
        (
            "* 暂定：超出官方节假日安排的日期按周一至周五计算 "
            "provisional: counted Monday to Friday past the official calendar"
        ),
    ),
    "db_ready": (
        "✓ 数据库就绪：{url}（版本 {revision}）",
        "✓ database ready: {url} (revision {revision})",
        "✓ 数据库就绪 database ready: {url} (revision {revision})",
    ),
    "hall_key": (
        "✓ 大厅密钥{made}：{path}（指纹 {fingerprint}）",
        "✓ the hall's key, {made}: {path} (fingerprint {fingerprint})",
        "✓ 大厅密钥{made}: {path} (fingerprint {fingerprint})",
    ),
    "hall_loaded": (
        "✓ 已载入大厅：{name_zh}",
        "✓ hall loaded: {name_en}",
        "✓ 已载入大厅 hall loaded: {name_zh} {name_en}",
    ),
    "hall_file_loaded": (
        "✓ 已载入 {file}：{queues} 个队列，{items} 个事项，{windows} 个窗口",
        "✓ loaded {file}: {queues} queues, {items} items, {windows} windows",
        "✓ 已载入 loaded {file}: {queues} queues, {items} items, {windows} windows",
    ),
    "pin_prompt": (
        "PIN（{fewest}–{most} 位数字）",
        "PIN ({fewest}–{most} digits)",
        "PIN（{fewest}–{most} 位数字 digits）",
    ),
    "apikey_added": (
        "✓ 已添加 API 密钥：{name}（{scopes}）",
        "✓ API key added: {name} ({scopes})",
        "✓ 已添加 API 密钥 API key added: {name} ({scopes})",
    ),
    "apikey_once": (
        "密钥只显示这一次，请立即保存：",
        "the key is shown this once only; keep it now:",
        "密钥只显示这一次，请立即保存 — shown this once only, keep it now:",
    ),
    "apikey_revoked": (
        "✓ 已吊销 API 密钥：{name}",
        "✓ API key revoked: {name}",
        "✓ 已吊销 API 密钥 API key revoked: {name}",
    ),
    "apikeys": ("API 密钥", "API keys"),
    "col_scopes": ("权限", "Scopes"),
    "col_created": ("创建", "Created"),
    "col_last_used": ("最近使用", "Last used"),
    "col_revoked": ("吊销", "Revoked"),
    "clerk_added": (
        "✓ 已添加工作人员：{code} {name}",
        "✓ clerk added: {code} {name}",
        "✓ 已添加工作人员 clerk added: {code} {name}",
    ),
    "pin_changed": (
        "✓ 已更改密码：{code} {name}",
        "✓ PIN changed: {code} {name}",
        "✓ 已更改密码 PIN changed: {code} {name}",
    ),
    "unlocked": (
        "✓ 已解锁：{label_zh}",
        "✓ unlocked: {label_en}",
        "✓ 已解锁 unlocked: {label_zh} / {label_en}",
    ),
    "logged_in": (
        "✓ {code} {name} 已登录 {window} 号窗口",
        "✓ {code} {name} logged in at window {window}",
        "✓ {code} {name} 已登录 {window} 号窗口 logged in at window {window}",
    ),
    "logged_out": (
        "✓ {window} 号窗口已退出",
        "✓ window {window} logged out",
        "✓ {window} 号窗口已退出 window {window} logged out",
    ),
    "booked": (
        "✓ 已预约：预约码 {code}，{item}，{day} {start}（{until} 前可取消）",
        "✓ booked: code {code}, {item}, {day} {start} (can be cancelled until {until})",
        "✓ 已预约 booked: {code} · {item} · {day} {start} (cancel until {until})",
    ),
    "booking_cancelled": ("✓ 已取消预约 {code}", "✓ booking {code} cancelled"),
    "bookings_of": ("{day} 的预约", "Bookings of {day}"),
    "no_bookings": ("{day} 没有预约", "no bookings on {day}"),
    "booking_col_slot": ("时段", "Slot"),
    "booking_col_code": ("预约码", "Code"),
    "booking_col_item": ("事项", "Item"),
    "booking_col_name": ("姓名", "Name"),
    "booking_col_mobile": ("手机", "Mobile"),
    "booking_col_status": ("状态", "Status"),
    "booking_col_channel": ("渠道", "Channel"),
    "booking_col_queue": ("队列", "Queue"),
    "booking_status_booked": ("已预约", "booked"),
    "booking_status_checked_in": ("已签到", "checked in"),
    "booking_status_cancelled": ("已取消", "cancelled"),
    "booking_status_no_show": ("爽约", "no-show"),
    "booking_total": ("合计", "Total"),
    "booking_blocked_people": (
        "因爽约暂停预约：{n} 人；已爽约一次（提醒）：{warned} 人",
        "blocked for no-shows: {n}; warned after a first no-show: {warned}",
    ),
    "booking_blocked_person": (
        "  {mobile}：爽约 {n} 次，暂停至 {until}",
        "  {mobile}: {n} no-show(s), blocked until {until}",
        "  {mobile}：爽约 {n} 次 no-shows，至 until {until}",
    ),
    "import_refused_line": (
        "✗ 第 {line} 行（{code}）未导入",
        "✗ line {line} ({code}) not imported",
    ),
    "reminders_written": ("✓ 已生成明日预约提醒 {n} 条", "✓ {n} reminder(s) for tomorrow written"),
    "bookings_no_shows": ("预约爽约 {n} 个", "{n} booking(s) marked as no-shows"),
    "erased": (
        "✓ 已删除过期个人信息：预约 {bookings} 条，人员标识 {keys} 条，消息收件人 {messages} 条",
        "✓ personal data past retention erased: {bookings} booking(s), {keys} person key(s), "
        "{messages} message recipient(s)",
    ),
    "imported": (
        "✓ 导入：新增 {added}，未变 {unchanged}",
        "✓ imported {added} new, {unchanged} unchanged",
        "✓ 导入 imported {added} new, {unchanged} unchanged",
    ),
    "chain_intact": (
        "✓ 事件链完整：{events} 条事件（第 {keyed_from} 条起用密钥）",
        "✓ event chain intact: {events} events (keyed from event {keyed_from})",
        (
            "✓ 事件链完整 event chain intact: {events} events (第 {keyed_from} 条起用密钥 keyed "
            "from event {keyed_from})"
        ),
    ),
    "witness_matches": (
        "✓ 与见证一致：{path} 中的全部 {checkpoints} 个检查点",
        "✓ matches all {checkpoints} checkpoints in {path}",
        "✓ 与见证一致 matches all {checkpoints} checkpoints in {path}",
    ),
    "witness_none": (
        (
            "! 见证文件 {path} 中没有本库的检查点：被截断或清空的历史无法发现"
            "（请用定时器运行 mashangban audit checkpoint）"
        ),
        (
            "! no checkpoints of this database in {path}: a history cut short or "
            "wiped cannot be seen (run mashangban audit checkpoint from a timer)"
        ),
        (
            "! 见证文件中没有本库的检查点 no checkpoints of this database in {path}: a history "
            "cut short or wiped cannot be seen (run mashangban audit checkpoint from "
            "a timer)"
        ),
    ),
    "records_differ": (
        "与事件不符（前 {first} 处）",
        "differing from the events (first {first})",
        "与事件不符 differing from the events (first {first})",
    ),
    "records_match": (
        "✓ 记录与事件一致：{checked}",
        "✓ records match the events: {checked}",
        "✓ 记录与事件一致 records match the events: {checked}",
    ),
    "checkpoint_written": (
        "✓ 检查点已写入：第 {seq} 条事件 {hash}… → {path}",
        "✓ checkpoint written: event {seq} {hash}… → {path}",
        "✓ 检查点已写入 checkpoint written: event {seq} {hash}… → {path}",
    ),
    "overdue_days": ("逾期 {days} 天", "overdue {days} d", "逾期 {days} 天"),
    "cases_count": (
        "{count} 件 · {overdue} 件逾期",
        "{count} cases · {overdue} overdue",
        "{count} 件 cases · {overdue} 件逾期 overdue",
    ),
    "case_ready": (
        "✓ 办件 {case} 可取件{late}",
        "✓ case {case} ready for pickup{late}",
        "✓ 办件 {case} 可取件 ready for pickup{late}",
    ),
    "collected": (
        "✓ 已取件：{case} {item}（号 {number}）",
        "✓ collected: {case} {item} (ticket {number})",
        "✓ 已取件 collected: {case} {item} (号 {number})",
    ),
    "demo_counter": (
        " 柜台：{window} 号窗口 · 工号 {clerk} · PIN {pin} · ctrl+b d 退出 ",
        " counter: window {window} · clerk {clerk} · PIN {pin} · ctrl+b d quit ",
        " 柜台 counter: {window} 号窗口 · 工号 {clerk} · PIN {pin} · ctrl+b d 退出 quit ",
    ),
    "take_ticket": (
        "✓ 请取票（{printer}）",
        "✓ please take your ticket ({printer})",
        "✓ 请取票 please take your ticket ({printer})",
    ),
    "slip_printed": (
        "✓ 新号单已打印（{printer}）",
        "✓ new slip printed ({printer})",
        "✓ 新号单已打印 new slip printed ({printer})",
    ),
    "slip_failed": (
        "新号单打印失败，请告知群众新号 {number}（任务 {job}：{state}，{error}）",
        "slip not printed — tell the citizen {number} (job {job}: {state}, {error})",
        (
            "新号单打印失败，请告知群众新号 slip not printed — tell the citizen {number} "
            "(job {job}: {state}, {error})"
        ),
    ),
    "slip_not_sent": (
        "新号单未打印：{error_zh}",
        "slip not printed: {error_en}",
        "新号单未打印 slip not printed: {error_zh} {error_en}",
    ),
    "print_failed": (
        "打印失败，请记下号码或拍照：{number}（任务 {job}：{state}，{error}）",
        "printing failed — note the number {number} (job {job}: {state}, {error})",
        (
            "打印失败，请记下号码或拍照 printing failed — note the number {number} (job {job}: "
            "{state}, {error})"
        ),
    ),
    "called_title": (
        "请 {number} 号到 {window} 号窗口",
        "{number}, please go to window {window}",
        "请 {number} 号到 {window} 号窗口 · Window {window}",
    ),
    "paused": (
        "⏸ {window} 号窗口暂停（{label}：{reason}）",
        "⏸ window {window} paused ({label}): {reason}",
        "⏸ {window} 号窗口暂停（{label}） window {window} paused: {reason}",
    ),
    "resumed": (
        "▶ {window} 号窗口恢复（暂停 {minutes:.0f} 分钟）",
        "▶ window {window} resumed after {minutes:.0f} min",
        "▶ {window} 号窗口恢复 window {window} resumed after {minutes:.0f} min",
    ),
    "ticket_status": (
        "状态：{status_zh}（{status}）",
        "status: {status} ({status})",
        "状态 status: {status_zh} ({status})",
    ),
    "ticket_priority": (
        "优先：{priority_zh}（{priority}）",
        "priority: {priority} ({priority})",
        "优先 priority: {priority_zh} ({priority})",
    ),
    "ticket_item": ("事项：{item}", "item: {item}", "事项 item: {item}"),
    "ticket_ahead": ("前面还有 {n} 人", "ahead: {n} people", "前面还有 ahead: {n} 人 people"),
    "ticket_eta": (
        "预计等候 {n} 分钟",
        "estimated wait: {n} min",
        "预计等候 estimated wait: {n} 分钟 min",
    ),
    "ticket_window": ("窗口：{window}", "window: {window}", "窗口 window: {window}"),
    "ticket_from": (
        "转自：{number}",
        "transferred from: {number}",
        "转自 transferred from: {number}",
    ),
    "ticket_issued": ("取号时间：{at}", "issued: {at}", "取号时间 issued: {at}"),
    "rollup_done": (
        "✓ {by:<6} {days} 天  {seconds:.1f} 秒",
        "✓ {by:<6} {days} days covered  {seconds:.1f} s",
        "✓ {by:<6} {days} 天 days covered  {seconds:.1f} s",
    ),
    "report_written": (
        "✓ 已导出：{out}（{rows} 行 + 合计）",
        "✓ written: {out} ({rows} rows + total)",
        "✓ 已导出 written: {out} ({rows} 行 rows + 合计 total)",
    ),
    "report_title": (
        "报表 {start} – {end}",
        "Report {start} – {end}",
        "报表 Report {start} – {end}",
    ),
    "items_count": ("{count} 项", "{count} items", "{count} 项 items"),
    "items_overdue": (" · {late} 项逾期", " · {late} overdue", " · {late} 项逾期 overdue"),
    "rectification_closed": (
        "✓ 整改项 {id} 已关闭（{number}，窗口 {window}，由 {by}）",
        "✓ rectification item {id} closed ({number}, window {window}, by {by})",
        (
            "✓ 整改项 {id} 已关闭 rectification item {id} closed ({number}, 窗口 window "
            "{window}, by {by})"
        ),
    ),
    "hall_open": ("开放：{days}，{hours}", "open: {days}, {hours}", "开放 open: {days}, {hours}"),
    "hall_rules": (
        "优先连叫 {run} · 过号回队 {offset} · 最多过号 {misses}",
        "priority run {run} · requeue offset {offset} · max misses {misses}",
        "优先连叫 priority run {run} · 过号回队 requeue offset {offset} · "
        "最多过号 max misses {misses}",
    ),
    "queues_caps_title": (
        "队列 · 上限 · 等候/办理（分）",
        "Queues · daily cap · wait limit/service (min)",
        "队列 Queues · 上限 daily cap · 等候/办理 wait limit/service (分 min)",
    ),
    "col_cap": ("上限", "Cap", "上限\nCap"),
    "col_wait": ("等候", "Wait", "等候\nWait"),
    "col_service": ("办理", "Service", "办理\nService"),
    "col_item_code": ("代码", "Code", "代码\nCode"),
    "col_queue": ("队列", "Queue", "队列\nQueue"),
    "col_name_department": ("名称 · 部门", "Name · Department", "名称 · 部门\nName · Department"),
    "col_done": ("办结", "Done", "办结\nDone"),
    "instant_cell": ("马上办", "instant", "马上办\ninstant"),
    "workdays_cell": ("{days} 工作日", "{days} work days", "{days} 工作日\nwork days"),
    "col_waiting": ("等候", "Waiting", "等候\nWaiting"),
    "col_issued": ("已取", "Issued", "已取\nIssued"),
    "col_longest": ("最长等候", "Longest", "最长等候\nLongest"),
    "col_next": ("下一个", "Next", "下一个\nNext"),
    "days_closed": (
        "✓ 已关闭往日的号（{days}）：{expired} {expired_zh}，{voided} 过号作废",
        "✓ closed tickets of past days ({days}): {expired} expired, {voided} void",
        "✓ 已关闭往日的号 closed tickets of past days ({days}): {expired} {expired_zh} expired, "
        "{voided} 过号作废 void",
    ),
    "over_limit": ("{wait} 超时", "{wait} over", "{wait}\n超时 over"),
    "col_window": ("窗口", "Window", "窗口\nWindow"),
    "col_queues": ("队列", "Queues", "队列\nQueues"),
    "col_clerk_name": ("工作人员", "Clerk", "工作人员\nClerk"),
    "col_current": ("当前号", "Ticket", "当前号\nTicket"),
    "state_paused": ("暂停（{reason_zh}）", "paused ({reason})"),
    "state_then_paused": ("{state_zh}，之后暂停（{reason_zh}）", "{state}, then paused ({reason})"),
    "col_since": ("自", "Since", "自\nSince"),
    "time": ("时间", "Time"),
    "job_error": ("错误：{error}", "error: {error}", "错误 error: {error}"),
    "notify_running": (
        "短信/微信消息发送中（Ctrl-C 停止）",
        "sending messages to the gateway (Ctrl-C stops)",
    ),
    "notify_tally": (
        "已发送 {sent}，待重试 {retrying}，失败 {failed}，暂存 {held}",
        "sent {sent}, to retry {retrying}, failed {failed}, held {held}",
    ),
    "messages": ("消息", "Messages"),
    "messages_count": ("{count} 条消息", "{count} messages"),
    "messages_retried": ("{count} 条消息将重新发送", "{count} messages will be sent again"),
    "col_kind": ("类型", "Kind", "类型\nKind"),
    "col_to": ("接收人", "To", "接收人\nTo"),
    "col_tries": ("次数", "Tries", "次数\nTries"),
    "col_error": ("最近错误", "Last error", "最近错误\nLast error"),
}

CATALOGUE = Catalogue("commands", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
