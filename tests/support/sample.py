"""A ticket as the kiosk would print it, for the printing tests: change what a test is about."""

from __future__ import annotations

from models.views.ticket import TicketView

TOKEN = "3f9c0a7d51b2e846"


def ticket(**changes: object) -> TicketView:
    """M023, waiting behind 12 on the hand-counted Wednesday, no item; ``changes`` override."""
    base: dict[str, object] = dict(
        number="M023",
        queue="M",
        queue_name_zh="马上办",
        queue_name_en="Instant service",
        item=None,
        priority="normal",
        status="waiting",
        ahead=12,
        eta_minutes=60,
        window=None,
        business_date="2026-11-25",
        issued_at="2026-11-25T10:00:00+08:00",
        called_at=None,
        token=TOKEN,
        misses=0,
        recalls=0,
    )
    base.update(changes)
    return TicketView(**base)  # type: ignore[arg-type]
