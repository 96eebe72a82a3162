"""The database tables of the hall.

Configuration tables (hall, queue, service item, window) are written by `hall load`; runtime
tables (ticket, day counter, event, appointment, pause, clerk) by the operations in this package.
Times are stored as aware UTC; the business date is the hall's local date.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class TicketStatus(StrEnum):
    """Where a ticket is in its life (DESIGN.md, ticket lifecycle)."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    MISSED = "missed"
    VOID = "void"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    """Closed at the day's end while still waiting, or left at a window (models.queue.dayclose)."""


OPEN_STATUSES = (
    TicketStatus.WAITING,
    TicketStatus.CALLED,
    TicketStatus.SERVING,
    TicketStatus.MISSED,
)
AT_WINDOW_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)


class Priority(StrEnum):
    """Priority class of a ticket; anything but normal is served first, interleaved."""

    NORMAL = "normal"
    APPOINTMENT = "appointment"
    GREEN = "green"


class Hall(SQLModel, table=True):
    """The loaded hall file: one row, id 1."""

    id: int = Field(default=1, primary_key=True)
    name_zh: str
    name_en: str
    timezone: str = "Asia/Shanghai"
    settings: str = Field(sa_column=Column(Text, nullable=False))
    """The [hall] table of the hall file as canonical JSON."""
    source: str = Field(sa_column=Column(Text, nullable=False))
    """The hall file as loaded, so every host sees the same text."""
    loaded_at: dt.datetime


class Queue(SQLModel, table=True):
    """A zone of the hall with its own ticket numbers (prefix letter)."""

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=1, unique=True)
    name_zh: str
    name_en: str
    daily_cap: int = 0
    wait_limit_minutes: int = 60
    service_minutes: int = 10
    hours: str = "[]"
    """JSON list of "HH:MM-HH:MM" ranges; empty means the hall's hours."""
    position: int = 0
    active: bool = True


class ServiceItem(SQLModel, table=True):
    """A service item (事项) a citizen can ask for, served by one queue."""

    __tablename__ = "service_item"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=8)
    queue_id: int = Field(foreign_key="queue.id")
    name_zh: str
    name_en: str
    department: str
    instant: bool = False
    promised_days: int = 0
    service_minutes: int | None = None
    materials: str = "[]"
    """JSON list of required materials, shown to clerk and citizen."""
    position: int = 0
    active: bool = True


class Window(SQLModel, table=True):
    """A counter window; its clerk and runtime state live here too."""

    number: int = Field(primary_key=True)
    label_zh: str = ""
    label_en: str = ""
    active: bool = True
    clerk_code: str | None = Field(default=None, foreign_key="clerk.code")
    """The clerk logged in at this window, if any."""
    login_at: dt.datetime | None = None


class WindowQueue(SQLModel, table=True):
    """The ordered list of queues a window serves."""

    __tablename__ = "window_queue"

    window_number: int = Field(foreign_key="window.number", primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", primary_key=True)
    position: int = 0


class Clerk(SQLModel, table=True):
    """A member of staff who logs in at a window with a PIN."""

    code: str = Field(primary_key=True, max_length=16)
    name: str
    pin_hash: str
    """scrypt-hmac$n$r$p$salt$hash (keyed with the hall's secret; ``scrypt$…`` before it was
    keyed) — never the PIN itself."""
    active: bool = True
    created_at: dt.datetime


class ApiKey(SQLModel, table=True):
    """A key another system (a call button, an LED window display, a mini-program's backend)
    uses on the hall server's API: its name, what it may do, and a keyed hash of it — never the
    key itself (models.apikeys)."""

    __tablename__ = "api_key"

    name: str = Field(primary_key=True, max_length=32)
    scopes: str = Field(max_length=255)
    """Space-separated: ``take``, ``read``, ``window:N``, ``window:*``."""
    key_hash: str = Field(max_length=64, unique=True)
    """HMAC-SHA256 of the key with the hall's key (``secret.subkey("apikeys")``), hex."""
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class PinLock(SQLModel, table=True):
    """Wrong PINs counted against a clerk number or a place (a kiosk, a window's login, a rating
    pad), and the lock they led to: kept here so every host and process sees it."""

    __tablename__ = "pin_lock"

    kind: str = Field(primary_key=True, max_length=8)
    """clerk or place."""
    name: str = Field(primary_key=True, max_length=64)
    """The clerk number (known or not) or the place, e.g. ``kiosk K1``, ``window 18``."""
    failures: int = 0
    """Wrong PINs since the last good one, unlock or lock."""
    locks: int = 0
    """Locks since the last good PIN: the next lock lasts longer."""
    locked_until: dt.datetime | None = None
    last_failure_at: dt.datetime | None = None


class DayCounter(SQLModel, table=True):
    """The last number issued per queue and business date; the only source of numbers."""

    __tablename__ = "day_counter"

    business_date: dt.date = Field(primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", primary_key=True)
    last_seq: int = 0
    priority_run: int = 0
    """Priority tickets called in a row from this queue (the interleave rule)."""


class Appointment(SQLModel, table=True):
    """A booking (the hall server's phone pages, a partner's API, an imported CSV, the kiosk),
    checked in at the kiosk by its code."""

    __table_args__ = (Index("ix_appointment_day_status", "slot_date", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    queue_id: int = Field(foreign_key="queue.id")
    item_code: str | None = None
    slot_date: dt.date
    slot_start: dt.time
    slot_end: dt.time
    name_masked: str = ""
    """A masked name for the clerk (张*明); no other personal data."""
    status: str = "booked"
    """booked, checked_in, cancelled or no_show."""
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    imported_at: dt.datetime
    import_batch: str | None = Field(default=None, max_length=16, index=True)
    """Set while the import that brings the row is still running: the row is not visible
    (check-in does not know its code) until the whole file is in."""
    token: str | None = Field(default=None, max_length=64, unique=True)
    """The long random token of the booking's own page (view, cancel); None for imports."""
    channel: str = Field(default="csv", max_length=40)
    """How it was booked: web, api:<key name>, csv or kiosk."""
    pool: str | None = Field(default=None, max_length=12)
    """The slots it took a place of (models.bookingrules.Rule.pool); None: no place counted."""
    name: str | None = Field(default=None, max_length=64)
    """The name in clear (personal data): erased after the retention period."""
    mobile: str | None = Field(default=None, max_length=20)
    """The mobile number in clear (personal data): erased after the retention period."""
    mobile_masked: str = Field(default="", max_length=20)
    person_key: str | None = Field(default=None, max_length=64, index=True)
    """A keyed hash of the mobile number (models.secret.subkey): limits and no-show blocks."""
    id_key: str | None = Field(default=None, max_length=64, index=True)
    """A keyed hash of the ID number, when one was given; the number itself is never stored."""
    booked_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    erased_at: dt.datetime | None = None
    """When the name and mobile number were erased."""


class BookingSlot(SQLModel, table=True):
    """The places taken of one slot: the row a booking locks to count them (so two bookings
    for the last place cannot both take it)."""

    __tablename__ = "booking_slot"
    __table_args__ = (UniqueConstraint("pool", "day", "start", name="uq_booking_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    pool: str = Field(max_length=12)
    day: dt.date
    start: dt.time
    taken: int = 0


class BookingPerson(SQLModel, table=True):
    """One row per person key (hashed mobile or ID number), locked by a booking to count that
    person's bookings (two bookings of one person at once cannot both pass the limit)."""

    __tablename__ = "booking_person"

    key: str = Field(primary_key=True, max_length=64)
    first_seen: dt.datetime


class Ticket(SQLModel, table=True):
    """A numbered ticket: one citizen's visit to one queue."""

    __table_args__ = (
        UniqueConstraint("business_date", "queue_id", "seq", name="uq_ticket_number"),
        # The next ticket of a class in a queue, read straight off the index in call order.
        Index(
            "ix_ticket_next", "business_date", "status", "queue_id", "priority", "order_key", "id"
        ),
        Index("ix_ticket_target", "target_window", "status", "business_date"),
        Index("ix_ticket_status_window", "status", "window"),
        Index("ix_ticket_queue_finished", "queue_id", "status", "finished_at"),
        Index("ix_ticket_window_day", "window", "business_date", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_date: dt.date
    queue_id: int = Field(foreign_key="queue.id")
    seq: int
    number: str = Field(max_length=8)
    """Display number: prefix and three digits, e.g. M023."""
    item_code: str | None = None
    priority: str = Priority.NORMAL
    status: str = TicketStatus.WAITING
    order_key: float
    """Position among waiting tickets of the queue; the sequence, or moved by a requeue."""
    issued_at: dt.datetime
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    window: int | None = None
    target_window: int | None = None
    """Set by a transfer to a window: only that window may call the ticket."""
    clerk_code: str | None = None
    recalls: int = 0
    misses: int = 0
    parent_id: int | None = Field(default=None, foreign_key="ticket.id")
    appointment_id: int | None = None
    token: str = Field(unique=True, max_length=32)
    """Random token printed in the QR code; carries no personal data."""


class Pause(SQLModel, table=True):
    """A window paused with a reason; open while ended_at is null."""

    id: int | None = Field(default=None, primary_key=True)
    window_number: int = Field(foreign_key="window.number", index=True)
    reason: str
    clerk_code: str | None = None
    started_at: dt.datetime
    ended_at: dt.datetime | None = None


class ChainHead(SQLModel, table=True):
    """The end of the event chain: one row, locked by every writer to append an event."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = ""
    keyed_from: int = 1
    """The first event hashed with the hall's key; those before it predate keyed hashing."""
    chain_id: str = Field(default="", max_length=32)
    """This chain's name in the witness file (several databases may share one)."""
    key_fingerprint: str = Field(default="", max_length=16)
    """The public name of the key the chain is sealed with: "wrong key" is not "rewritten"."""
    key_mark: str = Field(default="", max_length=64)
    """HMAC over chain_id, keyed_from and the hash before it: only the key can move them."""


class Event(SQLModel, table=True):
    """One step in the hall, append-only, chained by hash to the one before."""

    __table_args__ = (Index("ix_event_window_kind_at", "window", "kind", "at"),)

    seq: int = Field(primary_key=True)
    at: dt.datetime
    kind: str = Field(max_length=32)
    ticket_id: int | None = Field(default=None, index=True)
    window: int | None = None
    clerk_code: str | None = None
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    """Canonical JSON with the details of the step."""
    prev_hash: str
    hash: str


class OutboxMessage(SQLModel, table=True):
    """A message to a citizen (SMS or WeChat, through the hall's gateway), written in the same
    transaction as the step that causes it and delivered later by the notification sender
    (models.notify). Its recipient is personal data: erased once the message is settled and the
    hall's retention period has passed."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    """booking_made, booking_cancelled, booking_reminder, turn_near, called or missed."""
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    recipient: str | None = Field(default=None, max_length=32)
    """The mobile number to send to, in clear (needed to deliver); None when the citizen only
    follows the ticket page, or once erased."""
    dedupe: str | None = Field(default=None, max_length=64, unique=True)
    """Set for messages that must be made once only (the "turn near" notice of a ticket)."""
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    """JSON facts of the message (number, window, slot, hall): no name, no mobile number."""
    state: str = Field(default="pending", max_length=12)
    """pending, sending (leased by a sender), sent, failed (gave up), held (no gateway) or
    expired (a ticket's message still unsent when its day was closed: stale news)."""
    attempts: int = 0
    next_attempt_at: dt.datetime
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: dt.datetime | None = None
    last_error: str = ""
    created_at: dt.datetime
    sent_at: dt.datetime | None = None


class TicketContact(SQLModel, table=True):
    """The mobile number a walk-in citizen left on the ticket page ("text me when my turn is
    near"): personal data, kept only while the ticket is open (erased when it is settled and
    at the day's close), shown masked."""

    __tablename__ = "ticket_contact"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    mobile: str | None = Field(default=None, max_length=32)
    created_at: dt.datetime


class PrintJob(SQLModel, table=True):
    """A document rendered for a printer: stored before it is sent, so no ticket is lost."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_queue", "printer", "state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    """ticket, receipt or test."""
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="service_case.id")
    printer: str = Field(max_length=64)
    """The printer it is queued on now (the backup after a failover)."""
    main_printer: str | None = Field(default=None, max_length=64)
    """The printer it was first queued on: a retry starts there again (None: before 0006)."""
    backup: str | None = None
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The exact ESC/POS bytes, rendered once for that printer."""
    reprint: bool = False
    reprint_of: int | None = None
    state: str = "pending"
    """pending, sent, done, uncertain (may have printed in part) or failed (nothing printed)."""
    attempts: int = 0
    last_error: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime


class Case(SQLModel, table=True):
    """A case (办件) accepted at a window, with its promised completion date and pickup code."""

    __tablename__ = "service_case"

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(unique=True, max_length=32)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    item_code: str
    window: int
    clerk_code: str | None = None
    accepted_at: dt.datetime
    promised_date: dt.date | None = None
    provisional: bool = False
    pickup_code: str = Field(max_length=8, index=True)
    """Six digits, unique among the cases not yet picked up."""
    ready_at: dt.datetime | None = None
    """When the result was ready for pickup (统一出件)."""
    picked_up_at: dt.datetime | None = None
    picked_up_window: int | None = None
    state: str = "accepted"
    """accepted, ready or picked_up; done for an instant item (its 办结单, nothing to pick up)."""


class Rating(SQLModel, table=True):
    """A citizen's rating (好差评) of one finished ticket: 5 非常满意 … 1 非常不满意."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    """One rating per ticket."""
    window: int
    clerk_code: str | None = None
    level: int
    """5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""
    reason: str = ""
    """Why, asked for levels 1 and 2."""
    rated_at: dt.datetime = Field(index=True)


class Rectification(SQLModel, table=True):
    """A bad rating to put right (整改), due in 15 working days."""

    id: int | None = Field(default=None, primary_key=True)
    rating_id: int = Field(foreign_key="rating.id", unique=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    window: int
    clerk_code: str | None = None
    reason: str
    opened_at: dt.datetime
    due_date: dt.date
    provisional: bool = False
    """The due date counts days past the official calendar's data (Monday to Friday)."""
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    note: str = ""
    """What was done, written when it is closed."""


class ReportRollup(SQLModel, table=True):
    """One closed day's figures for a report group and minute (or level): a cache of sums.

    The rows a report's queries return per (group, bucket), kept per business date and grouping
    (models.reports.rollups); rebuilt from the tickets whenever the day changes.
    """

    __tablename__ = "report_rollup"
    __table_args__ = (Index("ix_report_rollup_day", "by_kind", "part", "business_date"),)

    id: int | None = Field(default=None, primary_key=True)
    business_date: dt.date
    by_kind: str = Field(max_length=8)
    """queue, window, clerk, item, hour or day."""
    part: str = Field(max_length=8)
    """wait, service, rating or case."""
    group_key: str | None = None
    """The group as text (queue id, window number, code, hour, date); null for "none"."""
    bucket: int | None = None
    """Whole minutes (wait, service), the level (rating), the promised date's ordinal (case)."""
    c1: int | None = None
    c2: int | None = None
    c3: int | None = None
    c4: int | None = None
    c5: int | None = None
    c6: int | None = None
    c7: int | None = None
    c8: int | None = None


class ReportRollupDay(SQLModel, table=True):
    """A closed day rolled up for one grouping, and the newest event its rollup has seen."""

    __tablename__ = "report_rollup_day"

    business_date: dt.date = Field(primary_key=True)
    by_kind: str = Field(primary_key=True, max_length=8)
    upto_seq: int
    """Every event up to this number is in the rollup; a later one for its tickets voids it."""
    basis: str = Field(max_length=64)
    """A digest of the limits and zone the rollup was counted with."""
