"""The printed documents: the kiosk ticket, the counter receipt (受理回执) and a test page.

Each is laid out as blocks (see printer.layout); nothing here knows about bytes or printers.
The QR codes carry a token or a case number and a pickup code, never personal data.
"""

from __future__ import annotations

import datetime as dt

from models.hall import HallSettings
from models.messages import PRIORITY_ZH
from models.supervision.cases import CaseView
from models.views.ticket import TicketView
from printer.layout import QR, Block, Rule, Text

WEEKDAYS_ZH = "一二三四五六日"
REPRINT_MARK = "补打 REPRINT"
ADVICE = "请留意叫号，过号请到服务台 Please listen for your number"
HANDED_OVER = "当场办结，已当面交付 Handed over"
"""An instant item's 办结单: nothing to collect later, so no pickup code."""


def ticket_qr(token: str) -> str:
    """What a ticket's QR code says: the ticket's random token, nothing personal."""
    return f"MSB:T:{token}"


def _when(iso: str) -> str:
    moment = dt.datetime.fromisoformat(iso)
    return f"{moment:%Y-%m-%d %H:%M} 星期{WEEKDAYS_ZH[moment.weekday()]}"


def ticket_blocks(
    view: TicketView, settings: HallSettings, *, paper_mm: int = 80, reprint: bool = False
) -> list[Block]:
    """The kiosk ticket: hall, zone, the number very large, people ahead, wait, time, QR (and,
    for a transfer's new number, the number it replaces)."""
    blocks: list[Block] = []
    if reprint:
        blocks.append(Text(REPRINT_MARK, size=2, bold=True))
    blocks.append(Text(settings.ticket_header or settings.name_zh, bold=True))
    if not settings.ticket_header:
        blocks.append(Text(settings.name_en))
    blocks += [
        Rule(),
        Text(view.queue_name_zh, size=2, bold=True),
        Text(view.queue_name_en),
        Text(view.number, size=6 if paper_mm >= 80 else 4, bold=True),
    ]
    if view.transferred_from and view.transferred_from != view.number:
        # A transfer's new number (the hall's transfer_number = "new"): say which it replaces.
        blocks.append(
            Text(f"转自 {view.transferred_from} 号  Transferred from {view.transferred_from}")
        )
    if view.priority != "normal":
        label = PRIORITY_ZH.get(view.priority, view.priority)
        blocks.append(Text(f"{label} {view.priority.title()}", size=2, bold=True))
    if view.ahead is not None:
        blocks.append(Text(f"前面还有 {view.ahead} 人  {view.ahead} ahead of you"))
        blocks.append(Text(f"预计等候约 {view.eta_minutes} 分钟  about {view.eta_minutes} min"))
    blocks += [
        Text(_when(view.issued_at)),
        QR(ticket_qr(view.token)),
        Text(ADVICE),
    ]
    if settings.ticket_footer:
        blocks.append(Text(settings.ticket_footer))
    return blocks


def receipt_qr(receipt: CaseView) -> str:
    """What a receipt's QR code says: the case number and pickup code (an instant item's
    办结单, handed over on the spot, has no pickup code: its case number alone)."""
    if not receipt.pickup_code:
        return f"MSB:C:{receipt.case_number}"
    return f"MSB:C:{receipt.case_number}:{receipt.pickup_code}"


def receipt_blocks(
    receipt: CaseView, settings: HallSettings, *, reprint: bool = False
) -> list[Block]:
    """The 受理回执: case, item, window, clerk, time, promised date, pickup code, QR; for an
    instant item the 办结单, which says it was handed over and has no pickup code."""
    blocks: list[Block] = []
    if reprint:
        blocks.append(Text(REPRINT_MARK, size=2, bold=True))
    title = "受理回执 Receipt" if receipt.promised_date else "办结单 Completed"
    blocks += [
        Text(settings.ticket_header or settings.name_zh, bold=True),
        Text(title, size=2, bold=True),
        Rule(),
        Text(f"办件编号 Case: {receipt.case_number}", align="left"),
        Text(f"事项 Item: {receipt.item_zh}", align="left"),
        Text(receipt.item_en, align="left"),
        Text(f"窗口 Window: {receipt.window}   工号 Clerk: {receipt.clerk or '—'}", align="left"),
        Text(f"受理时间 Accepted: {receipt.accepted_at:%Y-%m-%d %H:%M}", align="left"),
    ]
    if receipt.promised_date:
        note = "（暂定 provisional）" if receipt.provisional else ""
        blocks.append(
            Text(
                f"承诺办结 Ready by: {receipt.promised_date:%Y-%m-%d}{note}",
                align="left",
                bold=True,
            )
        )
        blocks.append(Text(f"取件码 Pickup code: {receipt.pickup_code}", size=2, bold=True))
        blocks.append(Text("请凭取件码到统一出件窗口领取 Collect at the pickup window"))
    else:
        blocks.append(Text(HANDED_OVER, bold=True))
    blocks += [Rule(), QR(receipt_qr(receipt))]
    if settings.ticket_footer:
        blocks.append(Text(settings.ticket_footer))
    return blocks


def test_page_blocks(name: str, settings: HallSettings, *, at: dt.datetime) -> list[Block]:
    """A test page: sizes, alignment, Chinese punctuation, a QR."""
    return [
        Text("打印测试 TEST PAGE", size=2, bold=True),
        Text(f"{name} · {at:%Y-%m-%d %H:%M}"),
        Rule(),
        Text("左对齐 left", align="left"),
        Text("居中 centre"),
        Text("右对齐 right", align="right"),
        Text("标点：，。、；：？！“”（）《》—…·", align="left"),
        Text("M023", size=4, bold=True),
        QR(f"MSB:TEST:{name}"),
        Text(settings.name_zh),
    ]
