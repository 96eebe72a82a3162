"""Online booking rules of the hall file: the [booking] table (the hall's defaults and its rules
for people) and ``booking = { … }`` on a [[queue]] or an [[item]] (what can be booked, how).

An item can be booked when its own ``booking`` table says so, or, without one, when its queue's
does. An item with its own table has its own slots and places; the items without one share
their queue's slots and places (the queue's windows serve them all). Every value left out of a
queue's or item's table comes from the [booking] table; booking hours default to the queue's
opening hours, which default to the hall's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from models.hall import HallConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BookingRule(_Strict):
    """``booking = { … }`` on a [[queue]] or an [[item]]."""

    bookable: bool = True
    """False: not bookable online (an item of a bookable queue can opt out)."""
    slot_minutes: int | None = Field(default=None, ge=5, le=240)
    places: int | None = Field(default=None, ge=1, le=999)
    hours: list[str] | None = None
    first_day: int | None = Field(default=None, ge=0, le=60)
    last_day: int | None = Field(default=None, ge=0, le=60)
    cancel_before_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    per_person_per_day: int | None = Field(default=None, ge=1, le=20)


class BookingSettings(_Strict):
    """The [booking] table: defaults for every bookable queue and item, and the people rules."""

    slot_minutes: int = Field(default=30, ge=5, le=240)
    """Length of a slot."""
    places: int = Field(default=2, ge=1, le=999)
    """Bookings per slot."""
    first_day: int = Field(default=1, ge=0, le=60)
    """The earliest day, in working days from today (0 = today, 1 = the next working day)."""
    last_day: int = Field(default=5, ge=0, le=60)
    """The latest day, in working days from today."""
    cancel_before_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)
    """A booking can be cancelled until this long before its slot starts."""
    per_person_per_day: int = Field(default=1, ge=1, le=20)
    """Bookings one person (mobile number, or ID number when given) may hold per item per day."""
    retention_days: int = Field(default=30, ge=1, le=3650)
    """Names and mobile numbers are erased this many days after the slot (or the message)."""
    no_show_limit: int = Field(default=2, ge=0, le=20)
    """This many no-shows (爽约) within no_show_window_days blocks booking (0: never)."""
    no_show_window_days: int = Field(default=30, ge=1, le=365)
    no_show_block_days: int = Field(default=30, ge=1, le=365)
    """How long a blocked person cannot book, from their last no-show."""


@dataclass(frozen=True)
class Rule:
    """The rule that applies to one item (or a queue booked without an item)."""

    pool: str
    """Whose slots and places: ``Q:<prefix>`` (shared by the queue's items) or ``I:<code>``."""
    queue: str
    slot_minutes: int
    places: int
    hours: list[str]
    first_day: int
    last_day: int
    cancel_before_minutes: int
    per_person_per_day: int


def rule_for(config: HallConfig, *, queue: str, item: str | None) -> Rule | None:
    """The booking rule of an item (or of a queue, item None); None when it is not bookable."""
    qc = next((q for q in config.queue if q.prefix == queue), None)
    if qc is None:
        return None
    ic = next((i for i in config.item if i.code == item), None) if item else None
    own = ic.booking if ic is not None else None
    base = qc.booking
    if own is not None:
        if not own.bookable:
            return None
        chosen, pool = own, f"I:{item}"
    elif base is not None and base.bookable:
        chosen, pool = base, f"Q:{queue}"
    else:
        return None
    d = config.booking

    def pick(name: str) -> int:
        value = getattr(chosen, name)
        if value is None and chosen is own and base is not None and base.bookable:
            value = getattr(base, name)  # an item's table inherits its queue's, then the hall's
        return int(value if value is not None else getattr(d, name))

    hours = chosen.hours or (base.hours if base is not None and chosen is own else None)
    return Rule(
        pool=pool,
        queue=queue,
        slot_minutes=pick("slot_minutes"),
        places=pick("places"),
        hours=list(hours or qc.hours or config.hall.hours),
        first_day=pick("first_day"),
        last_day=pick("last_day"),
        cancel_before_minutes=pick("cancel_before_minutes"),
        per_person_per_day=pick("per_person_per_day"),
    )
