"""Shared words: a ticket's status, a desk action, a priority, a case's state, a pause's
reason, a field's name, a rating level.

Keys are the code with its kind in front (``status_waiting``, ``action_no-show``,
``priority_green``, ``case_ready``, ``rating_5``); :func:`word` looks one up by kind and code.
"""

from __future__ import annotations

from models.text.catalogue import Catalogue, Lang

CATALOGUE = Catalogue(
    "words",
    {
        # a ticket's status
        "status_waiting": ("等候", "waiting"),
        "status_called": ("已叫号", "called"),
        "status_serving": ("办理中", "serving"),
        "status_done": ("已办结", "done"),
        "status_missed": ("过号", "missed"),
        "status_void": ("作废", "void"),
        "status_transferred": ("已转移", "transferred"),
        "status_cancelled": ("已取消", "cancelled"),
        "status_expired": ("过期未办", "expired"),
        # a window's state (the monitor, mashangban status)
        "window_idle": ("空闲", "idle"),
        "window_called": ("已叫号", "called"),
        "window_serving": ("办理中", "serving"),
        "window_paused": ("暂停", "paused"),
        "window_closed": ("未开", "closed"),
        # what a window does to a ticket
        "action_call": ("叫号", "call"),
        "action_recall": ("重呼", "recall"),
        "action_no-show": ("过号", "no-show"),
        "action_requeue": ("重新排队", "requeue"),
        "action_start": ("开始办理", "start"),
        "action_finish": ("办结", "finish"),
        "action_transfer": ("转移", "transfer"),
        "action_cancel": ("取消", "cancel"),
        # a ticket's priority
        "priority_normal": ("普通", "normal"),
        "priority_appointment": ("预约", "appointment"),
        "priority_green": ("绿色通道", "green channel"),
        # a case's state
        "case_accepted": ("办理中", "accepted"),
        "case_ready": ("待取件", "ready"),
        "case_picked_up": ("已取件", "picked up"),
        "case_done": ("当场办结", "done"),
        # why a window pauses (models.clerks.staff)
        "pause_break": ("休息", "break"),
        "pause_meeting": ("会议", "meeting"),
        "pause_backoffice": ("后台业务", "back-office work"),
        # the fields a person types a line of text into (models.textsafe)
        "field_rating_reason": ("评价原因", "rating reason"),
        "field_rectification_note": ("整改说明", "rectification note"),
        "field_pause_reason": ("暂停原因", "pause reason"),
        # who or where wrong PINs are counted against (models.clerks.lockout)
        "who_clerk": ("工号 {name}", "clerk {name}"),
        "who_kiosk": ("取号机 {which}", "kiosk {which}"),
        "who_window": ("{which} 号窗口", "window {which}"),
        "who_ratepad": ("{which} 号窗口评价器", "ratepad {which}"),
        # a row of the record against the event log (models.supervision.audit)
        "audit_in_events": ("(事件中有)", "(in the events)", "(事件中有 in the events)"),
        "audit_stored": ("(存在)", "(stored)", "(存在 stored)"),
        "audit_no_event": ("(无事件)", "(no event)", "(无事件 no event)"),
        "audit_missing": ("(已删除)", "(missing)", "(已删除 missing)"),
        # the days of the week (datetime's weekday(): Monday is 0)
        "weekday_0": ("星期一", "Monday"),
        "weekday_1": ("星期二", "Tuesday"),
        "weekday_2": ("星期三", "Wednesday"),
        "weekday_3": ("星期四", "Thursday"),
        "weekday_4": ("星期五", "Friday"),
        "weekday_5": ("星期六", "Saturday"),
        "weekday_6": ("星期日", "Sunday"),
        # 好差评 levels, best first
        "rating_5": ("非常满意", "Very satisfied"),
        "rating_4": ("满意", "Satisfied"),
        "rating_3": ("基本满意", "Fairly satisfied"),
        "rating_2": ("不满意", "Dissatisfied"),
        "rating_1": ("非常不满意", "Very dissatisfied"),
    },
    sep=" ",
)

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both

RATING_LEVELS = (5, 4, 3, 2, 1)
"""好差评 levels, best first."""


def word(kind: str, code: object, lang: Lang = "zh") -> str:
    """The hall's word for a code of one kind (status, window, action, priority, case, pause,
    field, who, audit, weekday, rating); the
    code itself when the catalogue has none."""
    key = f"{kind}_{code}"
    return CATALOGUE.pick(key, lang) if key in CATALOGUE else str(code)


def pause_words(code: str) -> dict[str, str]:
    """A pause's reason as a refusal fills it in: ``reason_zh`` and ``reason`` (English), the
    hall's words for break, meeting and backoffice, a typed reason as typed."""
    return {"reason_zh": word("pause", code), "reason": word("pause", code, "en")}
