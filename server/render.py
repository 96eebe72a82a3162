"""What the pages show, worked out from the core's read models (no queries here)."""

from __future__ import annotations

from typing import Any

from models.text import web
from models.views.board import BoardState
from models.views.citizen import CitizenTicket

Line = tuple[str, str]
"""One thing said, (Chinese, English)."""


def ticket_context(found: CitizenTicket) -> dict[str, Any]:
    """The ticket page's content: the number held, where it stands, what to do."""
    held, now = found.held, found.now
    status = now.status
    headline: Line | None = None
    lines: list[Line] = []
    if found.transferred and now.number == held.number:
        lines.append(
            web.pair("transferred_keep", zone=now.queue_name_zh, zone_en=now.queue_name_en)
        )
    elif found.transferred:
        lines.append(
            web.pair(
                "transferred",
                held=held.number,
                zone=now.queue_name_zh,
                zone_en=now.queue_name_en,
                number=now.number,
            )
        )
    title = ""
    alert = ""
    if status == "waiting":
        if now.ahead == 0:
            headline = web.pair("next")
        elif now.ahead is not None and now.ahead <= found.near_ahead:
            headline = web.pair("near", ahead=now.ahead)
        elif now.ahead is not None:
            headline = web.pair("ahead", ahead=now.ahead)
        if now.eta_minutes is not None and now.ahead:
            lines.append(web.pair("eta", minutes=now.eta_minutes))
        if now.window is not None:
            lines.append(web.pair("reserved", window=now.window))
    elif status == "called" and now.window is not None:
        headline = web.pair("called", window=now.window)
        title = web.line("called_title", number=now.number, window=now.window)
        alert = f"{now.number}:{now.called_at}:{now.recalls}"
        if now.recalls:
            lines.append(web.pair("recalled"))
    elif status == "serving" and now.window is not None:
        headline = web.pair("serving", window=now.window)
    elif status == "missed":
        headline = web.pair("missed")
        lines.append(web.pair("missed_do"))
    elif status == "void":
        headline = web.pair("void")
        lines.append(web.pair("void_do"))
    elif status in ("done", "cancelled", "expired"):
        headline = web.pair(status)
    else:  # transferred, and no later ticket was found
        headline = (held.status, held.status)
    if not title:
        title = f"{now.number} · {headline[0] if headline else web.zh('waiting_title')}"
    return {
        "number": now.number,
        "held": held.number,
        "zone": (now.queue_name_zh, now.queue_name_en),
        "item": (found.item_zh, found.item_en) if found.item_zh and found.item_en else None,
        "hall": (found.hall_zh, found.hall_en),
        "status": status,
        "headline": headline,
        "lines": lines,
        "called": status == "called",
        "remind": {"open": status == "waiting", "number": found.left_number},
        "meta": {"title": title, "status": status, "alert": alert},
    }


def board_context(state: BoardState, *, recent: int, voice: bool) -> dict[str, Any]:
    """The board's content: the newest call, the recent ones, waiting counts, missed numbers;
    and for its script, the calls with the address of each one's sound (oldest first)."""
    newest = state.newest
    calls = [
        {
            "seq": call.seq,
            "audio": f"/board/voice/{call.number}/{call.window}"
            + ("?recall=1" if call.recall else ""),
        }
        for call in sorted(state.calls, key=lambda c: c.seq)
    ]
    return {
        "voice": voice,
        "hall": (state.hall_zh, state.hall_en),
        "newest": newest,
        "recent": state.recent(recent),
        "queues": state.queues,
        "missed": state.missed,
        "meta": {
            "newest": newest.seq if newest else 0,
            "title": (f"{newest.number} → {newest.window}" if newest else web.zh("board_title")),
            "calls": calls if voice else [],
        },
    }
