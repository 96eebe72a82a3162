"""The printed documents: the kiosk ticket, the counter receipt (受理回执) and a test page.

Each is laid out as blocks (see printer.layout); nothing here knows about bytes or printers.
The QR codes carry a token or a case number and a pickup code, never personal data.
"""

from __future__ import annotations

import datetime as dt

from models.hall import HallSettings
from models.supervision.cases import CaseView
from models.text import documents, words
from models.text.words import word
from models.views.ticket import TicketView
from printer.layout import QR, Block, Rule, Text

MATERIALS_PRINTED = 3
"""At most this many of an item's materials on the ticket; the rest are counted (另有 N 项)."""


def ticket_qr(token: str, public_url: str = "") -> str:
    """What a ticket's QR code says: the ticket's random token, nothing personal; with the
    hall's ``public_url``, the address of the ticket's live page (a phone camera opens it)."""
    if public_url:
        return f"{public_url.rstrip('/')}/t/{token}"
    return f"MSB:T:{token}"


def _when(iso: str) -> str:
    moment = dt.datetime.fromisoformat(iso)
    return f"{moment:%Y-%m-%d %H:%M} {words.zh(f'weekday_{moment.weekday()}')}"


def ticket_blocks(
    view: TicketView, settings: HallSettings, *, paper_mm: int = 80, reprint: bool = False
) -> list[Block]:
    """The kiosk ticket: hall, zone, the number very large, the chosen item and what to bring,
    people ahead, wait (or that no window is open), time, QR (and, for a transfer's new number,
    the number it replaces)."""
    blocks: list[Block] = []
    if reprint:
        blocks.append(Text(documents.line("reprint"), size=2, bold=True))
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
        blocks.append(Text(documents.line("transferred_from", number=view.transferred_from)))
    if view.priority != "normal":
        label = word("priority", view.priority)
        blocks.append(Text(f"{label} {view.priority.title()}", size=2, bold=True))
    blocks += _item_blocks(view)
    if view.ahead is not None:
        blocks.append(Text(documents.line("ahead", n=view.ahead)))
        if view.open_windows == 0:  # no clerk at any window of the zone: no wait to promise
            blocks.append(Text(documents.line("no_window")))
        else:
            blocks.append(Text(documents.line("eta", n=view.eta_minutes)))
    blocks += [
        Text(_when(view.issued_at)),
        QR(ticket_qr(view.token, settings.public_url)),
        Text(documents.line("advice")),
    ]
    if settings.ticket_footer:
        blocks.append(Text(settings.ticket_footer))
    return blocks


def _item_blocks(view: TicketView) -> list[Block]:
    """The chosen item by name, and the first few documents to bring (left aligned, wrapped)."""
    if not view.item_name_zh:
        return []
    item = documents.line("item", item_zh=view.item_name_zh, item_en=view.item_name_en or "")
    blocks: list[Block] = [Text(item, align="left", bold=True)]
    if view.item_name_en and view.item_name_en != view.item_name_zh:
        blocks.append(Text(view.item_name_en, align="left"))
    if view.materials:
        blocks.append(Text(documents.line("bring"), align="left"))
        shown = view.materials[:MATERIALS_PRINTED]
        blocks += [Text(f"{n}. {name}", align="left") for n, name in enumerate(shown, 1)]
        more = len(view.materials) - len(shown)
        if more:
            blocks.append(Text(documents.line("more_materials", n=more), align="left"))
    blocks.append(Rule())
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
        blocks.append(Text(documents.line("reprint"), size=2, bold=True))
    title = documents.line("receipt" if receipt.promised_date else "completed")
    blocks += [
        Text(settings.ticket_header or settings.name_zh, bold=True),
        Text(title, size=2, bold=True),
        Rule(),
        Text(documents.line("case", case=receipt.case_number), align="left"),
        Text(
            documents.line("item", item_zh=receipt.item_zh, item_en=receipt.item_en), align="left"
        ),
        Text(receipt.item_en, align="left"),
        Text(
            documents.line("window_clerk", window=receipt.window, clerk=receipt.clerk or "—"),
            align="left",
        ),
        Text(documents.line("accepted", at=f"{receipt.accepted_at:%Y-%m-%d %H:%M}"), align="left"),
    ]
    if receipt.promised_date:
        note = documents.line("provisional") if receipt.provisional else ""
        blocks.append(
            Text(
                documents.line("ready_by", date=f"{receipt.promised_date:%Y-%m-%d}", note=note),
                align="left",
                bold=True,
            )
        )
        code = documents.line("pickup_code", code=receipt.pickup_code)
        blocks.append(Text(code, size=2, bold=True))
        blocks.append(Text(documents.line("collect")))
    else:  # an instant item's 办结单: nothing to collect later, so no pickup code
        blocks.append(Text(documents.line("handed_over"), bold=True))
    blocks += [Rule(), QR(receipt_qr(receipt))]
    if settings.ticket_footer:
        blocks.append(Text(settings.ticket_footer))
    return blocks


def test_page_blocks(name: str, settings: HallSettings, *, at: dt.datetime) -> list[Block]:
    """A test page: sizes, alignment, Chinese punctuation, a QR."""
    return [
        Text(documents.line("test_page"), size=2, bold=True),
        Text(f"{name} · {at:%Y-%m-%d %H:%M}"),
        Rule(),
        Text(documents.line("left"), align="left"),
        Text(documents.line("centre")),
        Text(documents.line("right"), align="right"),
        Text(documents.line("punctuation"), align="left"),
        Text("M023", size=4, bold=True),
        QR(f"MSB:TEST:{name}"),
        Text(settings.name_zh),
    ]
