"""Refusals and failures (the keys of :class:`models.errors.MashangbanError`), both languages.

Code raises ``Refused("queue_full", queue=..., cap=...)`` with a key from here and the values to
fill in; the message is the Chinese, " / ", the English.
"""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    # database
    "db_bad_url": ("不是有效的数据库地址：{url}", "not a valid database URL: {url}"),
    "db_unsupported": ("不支持的数据库：{backend}", "unsupported database: {backend}"),
    "db_dir": (
        "无法创建数据库目录 {path}：{reason}",
        "cannot create the database directory {path}: {reason}",
    ),
    "db_readonly": ("数据库不可写：{path}", "the database is not writable: {path}"),
    "db_busy": ("数据库忙，请稍后再试", "the database is busy, please try again"),
    "db_conflict": (
        "数据库同时写入冲突，多次重试未成功，请再试一次",
        "the database kept aborting this change for a concurrent one; please try again",
    ),
    "db_open": ("无法打开数据库：{detail}", "cannot open the database: {detail}"),
    "db_connect": ("无法连接数据库：{detail}", "cannot connect to the database: {detail}"),
    "db_error": ("数据库错误：{detail}", "database error: {detail}"),
    # the hall's secret key (models.secret)
    "key_missing": (
        "找不到大厅密钥文件：{path}（用 mashangban init 创建，或用 MASHANGBAN_KEY_FILE 指定）",
        "the hall's key file is missing: {path} (create it with mashangban init, "
        "or name it with MASHANGBAN_KEY_FILE)",
    ),
    "key_unreadable": (
        "无法读取大厅密钥文件 {path}：{reason}",
        "cannot read the hall's key file {path}: {reason}",
    ),
    "key_unwritable": (
        "无法写入大厅密钥文件 {path}：{reason}",
        "cannot write the hall's key file {path}: {reason}",
    ),
    "key_loose": (
        "大厅密钥文件 {path} 其他用户也能读取（权限 {mode}）："
        "能读取它的人可以重新封记改写过的历史、猜测员工 PIN。请运行：chmod 600 {path}",
        "the hall's key file {path} can be read by other users (mode {mode}): whoever reads it "
        "can re-seal a rewritten history and test staff PIN guesses. Run: chmod 600 {path}",
    ),
    "key_bad": ("大厅密钥文件已损坏：{path}", "the hall's key file is not a key: {path}"),
    "db_missing": (
        "找不到数据库：{path}——请先运行 mashangban init",
        "database not found: {path} — run mashangban init",
    ),
    "db_not_initialised": ("数据库尚未初始化", "the database is not initialised"),
    "db_outdated": (
        "数据库版本较旧（{revision}）",
        "the database is at an older version ({revision})",
    ),
    "db_newer": (
        "数据库由更新版本的马上办写入（{revision}），本版本无法使用",
        "the database was written by a newer version of mashangban ({revision}); "
        "this version refuses to use it",
    ),
    "no_hall": ("尚未载入大厅配置", "no hall has been loaded"),
    # hall file
    "hall_unreadable": (
        "无法读取大厅文件 {path}：{reason}",
        "cannot read the hall file {path}: {reason}",
    ),
    "hall_syntax": (
        "{path} 第 {line} 行：TOML 格式错误：{detail}",
        "{path} line {line}: bad TOML: {detail}",
    ),
    "hall_too_big": (
        "大厅文件 {path} 太大（上限 {limit} KB）",
        "the hall file {path} is too big (at most {limit} KB)",
    ),
    "hall_too_deep": (
        "大厅文件 {path} 嵌套过深（上限 {limit} 层）",
        "the hall file {path} nests too deeply (at most {limit} levels)",
    ),
    "hall_field": (
        "大厅文件有误，{where}：{detail}",
        "error in the hall file, {where}: {detail}",
    ),
    "hall_control": (
        "大厅文件有误，{where}：含控制字符 {text}（名称只能是一行普通文字）",
        "error in the hall file, {where}: control characters in {text} (a name is one line of "
        "plain text)",
    ),
    # lookups
    "unknown_queue": ("没有这个队列：{queue}", "unknown queue: {queue}"),
    "unknown_item": ("没有这个事项：{item}", "unknown service item: {item}"),
    "unknown_window": ("没有这个窗口：{window}", "unknown window: {window}"),
    "unknown_number": ("今天没有这个号：{number}", "no ticket {number} today"),
    "unknown_ticket": (
        "找不到这张号票（只能查看当天的号）",
        "this ticket was not found (only today's tickets can be looked up)",
    ),
    "notify_closed": (
        "{number} 号已不在等候叫号，无需短信提醒",
        "{number} is no longer waiting to be called: no text reminder needed",
    ),
    "bad_message_state": (
        "没有这种消息状态：{state}（可用：{states}）",
        "no such message state: {state} (use one of: {states})",
    ),
    "retry_what": (
        "请给出消息编号，或 --all-failed、--held",
        "give message ids, or --all-failed, or --held",
    ),
    "no_message": ("没有这条消息：{id}", "no message {id}"),
    "message_not_retryable": (
        "消息 {id} 的状态是 {state}，只能重发失败或暂存的消息",
        "message {id} is {state}: only failed or held messages can be sent again",
    ),
    "cannot_listen": (
        "无法在 {host}:{port} 上监听：{reason}",
        "cannot listen on {host}:{port}: {reason}",
    ),
    "bad_call": (
        "没有这样的叫号：{number} 到 {window} 号窗口",
        "no such call: {number} to window {window}",
    ),
    "no_voice": (
        "服务器上没有 espeak-ng 的普通话语音，叫号屏静音",
        "no Mandarin voice of espeak-ng on the server: the board is silent",
    ),
    "too_many_lookups": (
        "查询太频繁，请 {seconds} 秒后再试",
        "too many look-ups, please try again in {seconds} s",
    ),
    "bad_number": (
        "号码格式不对：{number}（应如 M023）",
        "not a ticket number: {number} (like M023)",
    ),
    "unknown_clerk": ("没有这个工作人员：{clerk}", "unknown clerk: {clerk}"),
    "item_not_in_queue": (
        "事项 {item} 不属于 {queue} 区",
        "item {item} is not served by queue {queue}",
    ),
    "window_not_serving": (
        "{window} 号窗口不办理 {queue} 区业务",
        "window {window} does not serve queue {queue}",
    ),
    # taking tickets
    "hall_closed_day": ("今天不办公（{date}）", "the hall is closed today ({date})"),
    "green_needs_staff": (
        "绿色通道需导服台工作人员确认",
        "the green channel needs a guide-desk staff member to confirm it",
    ),
    "queue_closed": (
        "{queue} 区现在不办理取号，办理时间 {hours}",
        "queue {queue} is closed now; open {hours}",
    ),
    "queue_full": (
        "{queue} 区今日号已取完（{cap} 个）",
        "queue {queue} has issued all {cap} tickets for today",
    ),
    "bad_priority": ("优先类别不对：{priority}", "unknown priority class: {priority}"),
    # appointments
    "appt_unknown": ("预约码无效：{code}", "unknown appointment code: {code}"),
    "appt_used": (
        "该预约已签到（{number}）",
        "this appointment has already been checked in ({number})",
    ),
    "appt_cancelled": ("该预约已取消", "this appointment was cancelled"),
    "appt_early": ("签到时间未到，请于 {opens} 后签到", "too early: check-in opens at {opens}"),
    "appt_late": (
        "已过签到时间（{closes}），请取普通号",
        "too late: check-in closed at {closes}; please take a normal ticket",
    ),
    # online booking (models.queue.booking)
    "booking_not_bookable": (
        "{item} {name} 不能网上预约，请到大厅现场取号",
        "{item} {name} cannot be booked online; please take a ticket in the hall",
    ),
    "booking_past": ("{day} 已过，不能预约", "{day} is past and cannot be booked"),
    "booking_too_soon": (
        "{day} 太近，不能预约：最早可约 {first}",
        "{day} is too soon to book: the earliest day is {first}",
    ),
    "booking_too_far": (
        "{day} 太远，不能预约：最晚可约 {last}",
        "{day} is too far ahead to book: the latest day is {last}",
    ),
    "booking_closed_day": (
        "{day} 不是工作日（周末或法定节假日），大厅不办公；可约 {first} 至 {last} 的工作日",
        "{day} is not a working day (weekend or public holiday), the hall is closed; "
        "working days from {first} to {last} can be booked",
    ),
    "booking_not_a_slot": (
        "{start} 不是预约时段（预约时间 {hours}，每 {minutes} 分钟一个时段）",
        "{start} is not a booking slot (booking hours {hours}, a slot every {minutes} minutes)",
    ),
    "booking_slot_begun": (
        "{start} 的时段已开始，请选择之后的时段",
        "the {start} slot has begun; please choose a later one",
    ),
    "booking_full": (
        "{day} {start} 的时段已约满，请选择其他时段",
        "the {start} slot on {day} is fully booked; please choose another",
    ),
    "booking_limit": (
        "每人每天最多预约 {limit} 次「{item}」，您在 {day} 已有预约",
        "one person may hold at most {limit} booking(s) of {item} a day; "
        "you already have one on {day}",
    ),
    "booking_blocked": (
        "因 {days} 天内爽约 {count} 次，暂停网上预约至 {until}（当天起可再预约）",
        "booking is suspended until {until} after {count} missed bookings within {days} days "
        "(you can book again from that day)",
    ),
    "booking_bad_mobile": (
        "请填写正确的 11 位手机号码",
        "please give a valid 11-digit mainland mobile number",
    ),
    "booking_bad_name": (
        "请填写姓名（最多 {limit} 个字，只用文字）",
        "please give your name (at most {limit} characters, letters only)",
    ),
    "booking_bad_id": (
        "身份证号码不正确（18 位，最后一位可为 X）",
        "not a valid resident ID number (18 characters, the last may be X)",
    ),
    "booking_bad_status": (
        "状态不对：{status}（booked、checked_in、cancelled 或 no_show）",
        "unknown status {status} (booked, checked_in, cancelled or no_show)",
    ),
    "booking_unknown": ("找不到该预约", "no such booking"),
    "booking_unknown_code": ("找不到预约码 {code}", "no booking with code {code}"),
    "booking_cancel_closed": (
        "已过取消时限（{until}），不能取消",
        "the time to cancel has passed ({until}); it can no longer be cancelled",
    ),
    "booking_cancel_checked_in": (
        "该预约已签到，不能取消",
        "this booking has been checked in and cannot be cancelled",
    ),
    "booking_cancel_again": ("该预约已取消", "this booking is already cancelled"),
    "booking_cancel_no_show": (
        "该预约已记为爽约，不能取消",
        "this booking was recorded as missed and cannot be cancelled",
    ),
    "booking_warning": (
        "提醒：您 {days} 天内已爽约 {count} 次；"
        "{days} 天内爽约 {limit} 次将暂停网上预约 {block} 天。不能前来请及时取消",
        "please note: you missed {count} booking(s) within {days} days; {limit} within {days} "
        "days suspend online booking for {block} days. Cancel in time if you cannot come",
    ),
    "csv_error": ("{path} 第 {line} 行：{detail}", "{path} line {line}: {detail}"),
    "csv_field_too_long": (
        "{path} 第 {line} 行：字段过长（上限 {limit} 个字符）",
        "{path} line {line}: field too long (max {limit})",
    ),
    "csv_too_big": ("{path} 太大（上限 {limit}）", "{path} is too big (at most {limit})"),
    "csv_too_many": (
        "{path} 行数过多（上限 {limit} 行，请分成几个文件）",
        "{path} has too many rows (at most {limit}: split it into several files)",
    ),
    "csv_unreadable": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    # windows and clerks
    "no_clerk": (
        "{window} 号窗口无人登录，请先登录",
        "no clerk is logged in at window {window}; log in first",
    ),
    "window_paused": (
        "{window} 号窗口暂停中（{reason_zh}）",
        "window {window} is paused ({reason})",
    ),
    "window_not_paused": ("{window} 号窗口未暂停", "window {window} is not paused"),
    "window_busy": (
        "{window} 号窗口仍有 {number}（{status_zh}），请先办结、过号或转办",
        "window {window} still has {number} ({status}); finish, mark no-show or transfer it first",
    ),
    "nothing_waiting": ("{window} 号窗口暂无等候", "nothing is waiting for window {window}"),
    "no_current": ("{window} 号窗口当前没有号", "window {window} has no current ticket"),
    "wrong_state": (
        "{number} 当前为{status_zh}，不能{action_zh}",
        "{number} is {status}; cannot {action}",
    ),
    "void_misses": (
        "{number} 已过号 {misses} 次，作废",
        "{number} has been missed {misses} times and is void",
    ),
    "wrong_pin": ("工号或密码错误", "wrong clerk number or PIN"),
    # API keys (models.apikeys, the hall server's API)
    "bad_apikey_name": (
        "密钥名称须为 1–{max} 位字母、数字、点、下划线或连字符",
        "a key name must be 1-{max} letters, digits, dots, underscores or hyphens",
    ),
    "bad_scope": (
        "无效的权限范围：{scope}（可用 take、read、book、window:N、window:*）",
        "not a scope: {scope} (use take, read, book, window:N or window:*)",
    ),
    "apikey_exists": ("密钥名称已被使用：{name}", "the key name {name} is taken"),
    "unknown_apikey": ("没有这个密钥：{name}", "no API key named {name}"),
    "apikey_revoked_already": ("密钥 {name} 已被吊销", "the key {name} is revoked already"),
    "api_key_missing": (
        "需要 API 密钥（Authorization: Bearer 或 X-API-Key 请求头）",
        "an API key is needed (the Authorization: Bearer or X-API-Key header)",
    ),
    "bad_request": ("请求无效：{detail}", "the request is not valid: {detail}"),
    "api_key_wrong": ("API 密钥不正确", "the API key is not valid"),
    "api_key_revoked": ("API 密钥 {name} 已被吊销", "the API key {name} was revoked"),
    "api_key_scope": (
        "API 密钥 {name} 无权执行此操作（需要 {scope}）",
        "the API key {name} may not do this (it needs {scope})",
    ),
    "clerk_exists": ("工作人员已存在：{clerk}", "clerk {clerk} already exists"),
    "bad_pin": ("密码须为 {min}–{max} 位数字", "the PIN must be {min}-{max} digits"),
    "bad_clerk_code": (
        "工号须为 1–16 位字母或数字",
        "a clerk number must be 1-16 letters or digits",
    ),
    "bad_clerk_name": (
        "姓名须为 1–{max} 个字符，且不能含控制字符",
        "a clerk's name must be 1-{max} characters with no control characters",
    ),
    "pin_locked": (
        "{who_zh} 密码错误次数过多，已锁定至 {until}；请稍后再试，或请主管解锁",
        "{who_en}: too many wrong PINs, locked until {until}; "
        "try again later or ask a supervisor to unlock it",
    ),
    "not_locked": ("{who_zh} 未被锁定", "{who_en} is not locked"),
    "unlock_target": (
        "请指定要解锁的工号或 --place 地点（二者之一）",
        "name the clerk number or a --place to unlock (one of them)",
    ),
    "window_held": (
        "{window} 号窗口已由 {clerk} 登录",
        "window {window} is held by clerk {clerk}",
    ),
    "clerk_elsewhere": (
        "{clerk} 已在 {window} 号窗口登录，请先退出",
        "clerk {clerk} is logged in at window {window}; log out there first",
    ),
    "reserved_for_window": (
        "{number} 已转给 {target} 号窗口办理",
        "{number} was transferred to window {target}; only that window may call it",
    ),
    "transfer_same": (
        "不能转到同一个队列和窗口",
        "cannot transfer to the same queue and window",
    ),
    "bad_reason": ("请填写暂停原因", "give a reason for the pause"),
    "cancel_target": ("请指定窗口或号码", "name a window or a ticket number"),
    "transfer_target": ("请指定转往的队列或窗口", "name the queue or window to transfer to"),
    "text_control": (
        "{field_zh}不能含控制字符：{text}",
        "the {field_en} must not contain control characters: {text}",
    ),
    "number_out_of_range": (
        "{option} 超出范围（{low}–{high}）：{value}",
        "{option} is out of range ({low}–{high}): {value}",
    ),
    "date_out_of_range": (
        "日期超出范围（{first} 至 {last}）：{value}",
        "the date is out of range ({first} to {last}): {value}",
    ),
    "internal_error": ("内部错误：{detail}", "internal error: {detail}"),
    # a detail of hall_field (models.hall checks a queue's hours)
    "hours_overlap": (
        "营业时段重叠：{before} 与 {after}",
        "the hours overlap: {before} and {after}",
        "营业时段重叠 the hours overlap: {before} and {after}",
    ),
    # cases
    "case_needs_item": (
        "{number} 没有办理事项或尚未到窗口，不能受理办件",
        "{number} has no service item or has not been called to a window; no case can be opened",
    ),
    "no_case": ("该号没有受理办件", "no case has been opened for this ticket"),
    "unknown_case": ("没有这个办件：{case}", "no such case: {case}"),
    "case_not_accepted": (
        "办件 {case} 不在受理中（现为{state_zh}），不能标记为可取件",
        "case {case} is not being processed (it is {state}); it cannot be marked ready",
    ),
    "pickup_unknown": ("取件码 {code} 不正确", "pickup code {code} is not known"),
    "pickup_used": (
        "取件码 {code} 的材料已经领取过了",
        "the result for pickup code {code} has already been collected",
    ),
    "pickup_not_ready": (
        "办件 {case} 尚未办结（承诺 {promised}），暂不能领取",
        "case {case} is not ready yet (promised by {promised})",
    ),
    "demo_needs_tmux": (
        "演示需要 tmux 来并排显示三个程序（Debian：apt-get install tmux）",
        "the demo needs tmux to show the three apps side by side (Debian: apt-get install tmux)",
    ),
    "demo_socket_busy": (
        "tmux 服务器 {socket} 正在运行（也许是别人的演示），未做任何改动；"
        "请换一个 --socket 名称，或不写 --socket",
        "the tmux server {socket} is already running (someone's demo?); nothing was touched: "
        "choose another --socket, or leave it out",
    ),
    "demo_tmux_failed": ("演示无法启动 tmux：{detail}", "the demo could not start tmux: {detail}"),
    "nothing_finished": (
        "{window} 号窗口今天还没有办结的号",
        "window {window} has finished no ticket today",
    ),
    "no_window_printer": (
        "{window} 号窗口没有配置打印机（大厅文件 [[window]] 的 printer）",
        "window {window} has no printer (printer in its [[window]] of the hall file)",
    ),
    "no_receipt": (
        "{window} 号窗口还没有打印过回执",
        "window {window} has printed no receipt yet",
    ),
    # printing
    "font_missing": ("找不到中文字体", "no font that can draw Chinese was found"),
    "unknown_profile": (
        "未知的打印机型号配置：{profile}",
        "unknown printer profile: {profile}",
    ),
    "paper_too_narrow": (
        "纸宽 {dots} 点放不下二维码（至少需要 {need} 点）",
        "paper of {dots} dots is too narrow for the QR code (needs {need})",
    ),
    "unknown_printer": ("没有这台打印机：{printer}", "unknown printer: {printer}"),
    "unknown_kiosk": (
        "大厅文件里没有取号机 {kiosk}（已有：{known}）",
        "the hall file has no kiosk {kiosk} (it has: {known})",
    ),
    "printer_unreachable": (
        "打印机连不上：{printer}（{detail}）",
        "cannot reach printer {printer}: {detail}",
    ),
    "unknown_job": ("没有这个打印任务：{job}", "no print job {job}"),
    "job_not_retryable": (
        "打印任务 {job} 状态为 {state}，不能重试",
        "print job {job} is {state}; it cannot be retried",
    ),
    "nothing_printed": ("{number} 还没有打印过", "{number} has never been printed"),
    "file_unwritable": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "print_file_refused": (
        "文件打印机不能写入 {path}：{why}（请在大厅配置中改为打印机设备、管道或普通文件，"
        "再运行 mashangban hall load）",
        "a file printer must not write to {path}: {why} (point it at a printer device, a pipe "
        "or a plain file in the hall file, then run mashangban hall load)",
    ),
    # reports
    "report_bad_date": (
        "日期格式不对：{value}（应如 2026-11-25）",
        "not a date: {value} (like 2026-11-25)",
    ),
    "report_bad_range": (
        "起始日期 {start} 晚于结束日期 {end}",
        "the start date {start} is after the end date {end}",
    ),
    "report_bad_by": (
        "不能按 {by} 分组，可选：{choices}",
        "cannot group by {by}; choose {choices}",
    ),
    "report_bad_format": (
        "不支持的格式：{format}，可选：{choices}",
        "unknown format: {format}; choose {choices}",
    ),
    "report_needs_out": (
        "{format} 格式须用 --out 指定文件",
        "the {format} format needs a file: give --out FILE",
    ),
    "report_out_suffix": (
        "{format} 文件的名字应以 .{format} 结尾：{out}",
        "a {format} file's name should end in .{format}: {out}",
    ),
    "report_plan_xlsx": (
        "排班表只能附在 xlsx 报表里：请用 .xlsx 文件名，或用 mashangban plan",
        "a plan sheet goes only into an xlsx report: name the file .xlsx, or use mashangban plan",
    ),
    "report_table_out": (
        "表格只显示在终端；导出文件请用 .csv 或 .xlsx 文件名，或 --format csv / xlsx",
        "a table is shown in the terminal; to write a file name it .csv or .xlsx, or use --format",
    ),
    # the staffing planner (mashangban plan)
    "plan_history_short": (
        "历史记录不足，无法测算 {day}：{start} 至 {end} 只有 {days} 个同类的{weekday}，"
        "至少需要 {need} 个",
        "not enough history to plan {day}: {start} to {end} hold {days} ordinary days like it "
        "({weekday}) with tickets; the planner needs {need}",
    ),
    "plan_no_services": (
        "历史记录不足：{days} 天里只有 {services} 次办理记录，至少需要 {need} 次",
        "not enough history: {days} days hold {services} recorded services; the planner needs "
        "{need}",
    ),
    "plan_file_unreadable": (
        "无法读取排班文件 {path}：{reason}",
        "cannot read the plan file {path}: {reason}",
    ),
    "plan_file_line": (
        "排班文件 {path} 第 {line} 行看不懂：{text}（例：08:30 1-4,9 或 close 12 from 14:00 或 "
        "arrivals +20% 或 item M05 +2）",
        "the plan file {path} line {line} is not understood: {text} (e.g. 08:30 1-4,9 or close "
        "12 from 14:00 or arrivals +20% or item M05 +2)",
    ),
    "plan_bad_whatif": (
        "看不懂的假设：{text}（例：--close 12@14:00，--more 20，--slower M05+2）",
        "a what-if not understood: {text} (e.g. --close 12@14:00, --more 20, --slower M05+2)",
    ),
    "plan_unknown_window": ("大厅没有 {window} 号窗口", "the hall has no window {window}"),
    "plan_like_empty": (
        "{day} 没有记录，无法照那天排班",
        "{day} has no tickets to take the staffing from",
    ),
    "plan_bad_option": (
        "{option} 应在 {low} 到 {high} 之间：{value}",
        "{option} must be {low} to {high}: {value}",
    ),
    # ratings (好差评) and rectifications (整改)
    "rating_bad_level": ("评价等级应为 1–5：{level}", "the rating level must be 1-5: {level}"),
    "rating_needs_reason": (
        "{level_zh}的评价请选择原因",
        "a rating of {level_en} needs a reason",
    ),
    "already_rated": (
        "{number} 已经评价过了（{level_zh}）",
        "{number} has already been rated ({level_en})",
    ),
    "unknown_rectification": ("没有这个整改项：{id}", "no rectification item {id}"),
    "rectification_closed": (
        "整改项 {id} 已于 {closed} 由 {by} 关闭",
        "rectification item {id} was closed on {closed} by {by}",
    ),
    "rectification_note": (
        "关闭整改项须写明整改情况",
        "closing a rectification item needs a note of what was done",
    ),
    # audit
    "chain_broken": (
        "事件链在第 {seq} 条断开：{detail}",
        "the event chain is broken at event {seq}: {detail}",
    ),
    "records_changed": (
        "有 {count} 处记录与事件日志不符（已核对 {checked}）",
        "{count} differences between the records and the event log (checked {checked})",
    ),
    # a clock set back (models.queue.ticketclock): a warning, the step was stored
    "clock_behind": (
        "本机时钟比 {number} 的上一步慢 {seconds} 秒，已按上一步的时间记录，请校准时钟",
        "this host's clock is {seconds} s behind {number}'s last step: "
        "recorded at that step's time instead; have the clock set right",
    ),
    # the day's end (models.queue.dayclose): refusals of close-day
    "dayclose_clock_ahead": (
        "本机时钟（{host}）比数据库时钟（{db}）快 {hours} 小时：不关闭往日的号，"
        "以免把今天仍在等候的号作废；请先校准本机时钟",
        "this host's clock ({host}) is {hours} h ahead of the database's ({db}): no day is "
        "closed, so that today's waiting tickets are not expired; have this host's clock set right",
    ),
    "dayclose_held": (
        "{days} 在 {hours} 小时内仍有取号或叫号，视为尚未结束，未关闭；"
        "确认这一天已结束，可用 close-day --force 关闭",
        "{days} still had tickets taken or called within the last {hours} h, so it is not "
        "taken as over and was not closed; if it is over, close it with close-day --force",
    ),
    "chain_truncated": (
        "事件链被截断：见证文件记录过第 {seq} 条事件（{at}），数据库现在只到第 {head} 条"
        "（最新的事件被删除，或历史被清空）",
        "the event chain was cut short: the witness saw event {seq} ({at}) but the database "
        "now ends at event {head} (the newest events were deleted, or the history wiped)",
    ),
    "chain_rewritten": (
        "事件链被改写：第 {seq} 条事件与见证文件 {at} 的检查点不符",
        "the event chain was rewritten: event {seq} is not the one the witness checkpoint "
        "of {at} saw",
    ),
    "chain_mark_bad": (
        "事件链的密钥封记不符（第 {keyed_from} 条起用密钥）：历史被重新计算或截断",
        "the event chain's key seal does not hold (keyed hashing from event {keyed_from}): "
        "the history was re-hashed or cut",
    ),
    "chain_head_missing": (
        "事件链头不存在：历史被清空",
        "the event chain's head is gone: the history was wiped",
    ),
    "key_wrong": (
        "事件链是用另一把大厅密钥封记的（数据库 {stored}，本机 {local}）：请使用大厅的密钥文件；"
        "若本机密钥无误，则事件链被人重新封记过",
        "the event chain is sealed with another hall key (database {stored}, this host "
        "{local}): use the hall's key file; if this is the hall's key, someone re-sealed the chain",
    ),
    "key_missing_sealed": (
        "找不到大厅密钥文件 {path}，而该数据库已用密钥 {stored} 封记：请从大厅服务器复制密钥文件"
        "（或用 MASHANGBAN_KEY_FILE 指定）",
        "the hall's key file is missing: {path}, and this database is sealed with key "
        "{stored}: copy the key file from the hall's server (or name it with "
        "MASHANGBAN_KEY_FILE)",
    ),
    "witness_line_bad": (
        "见证文件的检查点无效（{where}）：被改动，或用另一把密钥写入",
        "a witness checkpoint is not valid ({where}): changed, or written with another key",
    ),
    "witness_garbled": (
        "见证文件 {path} 第 {lines} 行无法识别（被截断、改动或清空）：见证已不可信，可能被篡改",
        "the witness file {path} has unreadable lines: {lines} (cut short, changed or blanked): "
        "it no longer vouches for the history, which may have been tampered with",
    ),
    "witness_unwritable": (
        "无法写入见证文件 {path}：{reason}",
        "cannot write the witness file {path}: {reason}",
    ),
    "witness_unreadable": (
        "无法读取见证文件 {path}：{reason}",
        "cannot read the witness file {path}: {reason}",
    ),
    "checkpoint_send_failed": (
        "检查点未能发送到 {target}：{reason}",
        "the checkpoint could not be sent to {target}: {reason}",
    ),
    "webhook_bad_url": (
        "webhook 地址须以 http:// 或 https:// 开头：{url}",
        "a webhook URL must start with http:// or https://: {url}",
    ),
    # the hall server's booking pages (server/booking.py)
    "form_expired": (
        "页面已过期，请重新选择时段并提交",
        "this page has expired: please choose the slot again and send it",
    ),
    "form_foreign": (
        "请在本大厅的预约页面上提交",
        "please send the form from the hall's own booking page",
    ),
    "too_many_bookings": (
        "提交过于频繁，请 {seconds} 秒后再试",
        "too many attempts: please try again in {seconds} s",
    ),
    "booking_bad_day": ("日期不正确：{day}", "not a date: {day}"),
    "booking_bad_start": ("请选择一个时段", "please choose a slot"),
    "booking_cancel_unsure": (
        "请先勾选“确定取消此预约”",
        "tick “yes, cancel this booking” first",
    ),
}

CATALOGUE = Catalogue("errors", ENTRIES, sep=" / ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
