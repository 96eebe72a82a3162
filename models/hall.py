"""The hall file: a TOML description of queues, items and windows, validated and stored.

The file is checked completely before anything is written; errors name the file, the line and
the field. Loading upserts configuration rows by their natural keys (queue prefix, item code,
window number), so runtime state (tickets, logins, pauses) survives a reload.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import tomllib
import zoneinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import Engine, delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from models.bookingrules import BookingRule, BookingSettings
from models.db import writing
from models.errors import HallError, NotFound
from models.events import append_event
from models.limits import HALL_FILE_MAX_BYTES, HALL_NESTING_MAX
from models.tables import Hall, Queue, ServiceItem, Window, WindowQueue
from models.text import errors
from models.textsafe import has_controls, printable
from models.timeutil import utcnow

_HOURS_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def _check_hours(ranges: list[str]) -> list[str]:
    for text in ranges:
        m = _HOURS_RE.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a range like 08:30-12:00")
        if m[3] == "24" and m[4] != "00":
            raise ValueError(f"{text!r}: a day ends at 24:00")
        if (int(m[1]), int(m[2])) >= (int(m[3]), int(m[4])):
            raise ValueError(f"{text!r} ends before it starts")
    # Ranges may touch (12:00-13:00 after 08:30-12:00) but not overlap: an overlap is a typo
    # (11:00 for 13:00) that would silently widen the hours.
    spans = sorted(ranges)  # "HH:MM-HH:MM" sorts by its start, then its end
    for before, after in itertools.pairwise(spans):
        if after[:5] < before[6:]:
            raise ValueError(errors.line("hours_overlap", before=before, after=after))
    return ranges


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Minutes = Annotated[int, Field(ge=0, le=24 * 60)]


class HallSettings(_Strict):
    """The [hall] table: names, calendar and the queue rules."""

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    open_days: Literal["workdays", "every-day"] = "workdays"
    hours: list[str] = Field(default_factory=lambda: ["09:00-17:00"], min_length=1)
    priority_run: int = Field(default=2, ge=1, le=20)
    requeue_offset: int = Field(default=3, ge=0, le=100)
    max_misses: int = Field(default=2, ge=1, le=10)
    checkin_early_minutes: Minutes = 30
    checkin_late_minutes: Minutes = 15
    kiosk_idle_seconds: int = Field(default=30, ge=5, le=3600)
    pin_min_digits: int = Field(default=6, ge=4, le=12)
    """The fewest digits of a new staff PIN (PINs set before keep working until changed)."""
    ticket_header: str = ""
    ticket_footer: str = ""
    green_channel: Literal["open", "staff"] = "open"
    """Who may give a ticket the green channel (绿色通道): "open", any citizen at the kiosk;
    "staff", a guide-desk clerk's PIN at the kiosk, or ``mashangban take --priority green``."""
    transfer_number: Literal["keep", "new"] = "keep"
    """A transferred citizen keeps the number on their slip ("keep"), or is given a new number
    whose slip prints at the transferring window's printer ("new")."""
    public_url: str = Field(default="", max_length=200)
    """The hall server's address as citizens' phones reach it (e.g. https://queue.example.cn);
    when set, a ticket's QR code opens ``<public_url>/t/<token>``, the ticket's live page."""

    notify_near_ahead: int = Field(default=3, ge=0, le=50)
    """A citizen who left a number is told "your turn is near" once, when this many people (or
    fewer) are ahead; 0 turns the notice off."""
    notify_webhook_url: str = Field(default="", max_length=300)
    """The hall's message gateway (SMS or WeChat) as an HTTP(S) webhook; empty: messages are
    kept and marked held, and sent once a gateway is set (``mashangban notify retry --held``)."""
    notify_timeout_s: float = Field(default=5.0, gt=0, le=120)
    """How long the sender waits for the gateway's answer to one message."""
    notify_max_attempts: int = Field(default=6, ge=1, le=50)
    """Attempts per message before it is marked failed (retryable by hand)."""
    notify_backoff_s: float = Field(default=10.0, gt=0, le=3600)
    """The pause after the first failed attempt; it doubles after each one (at most an hour)."""

    _hours = field_validator("hours")(_check_hours)

    @field_validator("notify_webhook_url")
    @classmethod
    def _webhook_address(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s#]*)?", value):
            raise ValueError(f"{value!r} is not a web address like https://sms.example.cn/hook")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"{value!r} is not a web address like https://queue.example.cn")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class QueueConfig(_Strict):
    """One [[queue]]: a zone with its own ticket numbers."""

    prefix: str = Field(pattern=r"^[A-Z]$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    daily_cap: int = Field(default=0, ge=0, le=999)
    wait_limit_minutes: int = Field(default=60, ge=1, le=24 * 60)
    service_minutes: int = Field(default=10, ge=1, le=24 * 60)
    hours: list[str] = Field(default_factory=list)
    booking: BookingRule | None = None
    """Online booking of the queue (its items share its slots); None: not bookable."""

    _hours = field_validator("hours")(_check_hours)


class ItemConfig(_Strict):
    """One [[item]]: a service a citizen can ask for."""

    code: str = Field(pattern=r"^[A-Z0-9]{2,8}$")
    queue: str
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    department: str = Field(min_length=1)
    instant: bool = False
    promised_days: int = Field(default=0, ge=0, le=365)
    service_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    materials: list[str] = Field(default_factory=list)
    booking: BookingRule | None = None
    """Online booking of this item with its own slots; None: as its queue."""

    @model_validator(mode="after")
    def _instant_has_no_days(self) -> ItemConfig:
        if self.instant and self.promised_days:
            raise ValueError("an instant item cannot promise working days")
        return self


class WindowConfig(_Strict):
    """One [[window]]: a counter and the queues it serves, in order."""

    number: int = Field(ge=1, le=999)
    queues: list[str] = Field(min_length=1)
    label_zh: str = ""
    label_en: str = ""
    printer: str | None = None
    """The printer for receipts at this window."""
    backup_printer: str | None = None


PrinterKind = Literal["usb", "serial", "network", "cups", "file", "preview"]
_ADDRESS = {
    "usb": (r"^0x[0-9a-fA-F]{4}:0x[0-9a-fA-F]{4}$", "0xVVVV:0xPPPP (vendor:product)"),
    "serial": (r"^/dev/\S+(:\d+)?$", "/dev/ttyUSB0:9600"),
    "network": (r"^[\w.-]+(:\d{1,5})?$", "host or host:port (port 9100 by default)"),
    "cups": (r"^\S+$", "the CUPS queue name"),
    "file": (r"^\S.*$", "a file path"),
    "preview": (r"^.*$", "nothing (shown on screen)"),
}


class PrinterConfig(_Strict):
    """One [[printer]]: an ESC/POS thermal printer, or a file or an on-screen preview."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    kind: PrinterKind
    address: str = ""
    profile: str = "default"
    """A python-escpos capability profile (TM-T88V, POS-5890, …)."""
    paper_mm: Literal[58, 80] = 80
    text_mode: Literal["native", "raster"] = "native"
    charset: Literal["gb2312", "gbk", "gb18030"] = "gbk"
    """What the printer's own font covers (native mode); other characters are drawn."""
    two_way: bool | None = None
    """Whether it answers status queries; by default usb, serial and network do."""
    timeout_s: float = Field(default=3.0, gt=0, le=60)

    @model_validator(mode="after")
    def _address_fits_kind(self) -> PrinterConfig:
        pattern, example = _ADDRESS[self.kind]
        if not re.match(pattern, self.address) or has_controls(self.address):
            raise ValueError(f"address {self.address!r} does not fit kind {self.kind}: {example}")
        port = re.search(r":(\d+)$", self.address) if self.kind in ("network", "serial") else None
        if port and self.kind == "network" and not 1 <= int(port[1]) <= 65535:
            raise ValueError(f"port {port[1]} is not 1-65535")
        from escpos import capabilities

        if self.profile not in capabilities.CAPABILITIES["profiles"]:
            raise ValueError(f"unknown printer profile {self.profile!r}")
        return self

    @property
    def answers_status(self) -> bool:
        """True when status queries get answers (two-way link)."""
        if self.two_way is not None:
            return self.two_way
        return self.kind in ("usb", "serial", "network")


class KioskConfig(_Strict):
    """One [[kiosk]]: a ticket kiosk and the printer it uses."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    printer: str
    backup_printer: str | None = None


class DepartmentConfig(_Strict):
    """One [[department]]: the English name of a department the items name in Chinese."""

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class HallConfig(_Strict):
    """A whole hall file."""

    hall: HallSettings
    queue: list[QueueConfig] = Field(min_length=1)
    item: list[ItemConfig] = Field(default_factory=list)
    department: list[DepartmentConfig] = Field(default_factory=list)
    window: list[WindowConfig] = Field(min_length=1)
    printer: list[PrinterConfig] = Field(default_factory=list)
    kiosk: list[KioskConfig] = Field(default_factory=list)
    booking: BookingSettings = Field(default_factory=BookingSettings)

    def department_en(self, name_zh: str) -> str:
        """A department's English name (its Chinese one when the hall file gives none)."""
        return next((d.name_en for d in self.department if d.name_zh == name_zh), name_zh)

    def find_printer(self, name: str) -> PrinterConfig | None:
        """A printer by name."""
        return next((p for p in self.printer if p.name == name), None)

    def kiosk_printers(
        self, kiosk: str | None, override: str | None = None
    ) -> tuple[str, str | None]:
        """The printer a kiosk prints on and its backup: its own [[kiosk]] entry (the first one
        when no id is given), or the printer named instead. NotFound for a kiosk id or a printer
        name the hall file does not have."""
        if override:
            if self.find_printer(override) is None:
                raise NotFound("unknown_printer", printer=override)
            return override, None
        chosen = next((k for k in self.kiosk if kiosk in (None, k.id)), None)
        if chosen is None:
            known = ", ".join(k.id for k in self.kiosk) or "—"
            raise NotFound("unknown_kiosk", kiosk=kiosk or "", known=known)
        return chosen.printer, chosen.backup_printer

    @model_validator(mode="after")
    def _references(self) -> HallConfig:
        prefixes = [q.prefix for q in self.queue]
        _unique("queue", "prefix", prefixes)
        _unique("item", "code", [i.code for i in self.item])
        _unique("department", "name_zh", [d.name_zh for d in self.department])
        _unique("window", "number", [w.number for w in self.window])
        for n, item in enumerate(self.item):
            if item.queue not in prefixes:
                raise _RefError(("item", n, "queue"), f"unknown queue {item.queue!r}")
        for n, window in enumerate(self.window):
            for queue in window.queues:
                if queue not in prefixes:
                    raise _RefError(("window", n, "queues"), f"unknown queue {queue!r}")
            if len(set(window.queues)) != len(window.queues):
                raise _RefError(("window", n, "queues"), "a queue is listed twice")
        _check_booking(self)
        names = [p.name for p in self.printer]
        _unique("printer", "name", names)
        _unique("kiosk", "id", [k.id for k in self.kiosk])
        for table, rows in (("window", self.window), ("kiosk", self.kiosk)):
            for n, row in enumerate(rows):
                for key in ("printer", "backup_printer"):
                    value = getattr(row, key)
                    if value is not None and value not in names:
                        raise _RefError((table, n, key), f"unknown printer {value!r}")
        return self


def _check_booking(config: HallConfig) -> None:
    """Booking hours are ranges like the opening hours; the first day comes before the last."""
    d = config.booking
    if d.first_day > d.last_day:
        raise _RefError(("booking", "first_day"), "first_day is after last_day")
    rules = [("queue", n, q.booking) for n, q in enumerate(config.queue)]
    rules += [("item", n, i.booking) for n, i in enumerate(config.item)]
    for table, n, rule in rules:
        if rule is None:
            continue
        try:
            _check_hours(rule.hours or [])
        except ValueError as exc:
            raise _RefError((table, n, "booking"), str(exc)) from None
        first = rule.first_day if rule.first_day is not None else d.first_day
        last = rule.last_day if rule.last_day is not None else d.last_day
        if first > last:
            raise _RefError((table, n, "booking"), "first_day is after last_day")


class _RefError(ValueError):
    def __init__(self, loc: tuple[str | int, ...], detail: str) -> None:
        super().__init__(detail)
        self.loc = loc
        self.detail = detail


def _unique(table: str, key: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for n, value in enumerate(values):
        if value in seen:
            raise _RefError((table, n, key), f"duplicate {key} {value!r}")
        seen.add(value)


def default_hall_path() -> Path:
    """The Jinan hall shipped with the product."""
    return Path(str(resources.files("models") / "halls" / "jinan.toml"))


def parse_hall(text: str, *, source: str = "<hall>") -> HallConfig:
    """Validate hall file text. Raises HallError naming the file, line and field."""
    if len(text) > HALL_FILE_MAX_BYTES:
        raise HallError("hall_too_big", path=source, limit=HALL_FILE_MAX_BYTES // 1024)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise HallError(
            "hall_syntax", path=source, line=line[1] if line else "?", detail=str(exc)
        ) from exc
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise HallError("hall_too_deep", path=source, limit=HALL_NESTING_MAX) from None
    if _depth(raw) > HALL_NESTING_MAX:
        raise HallError("hall_too_deep", path=source, limit=HALL_NESTING_MAX)
    try:
        return HallConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        detail = first["msg"].removeprefix("Value error, ")  # pydantic's words, not ours
        ctx = first.get("ctx") or {}
        if isinstance(ctx.get("error"), _RefError):
            loc, detail = ctx["error"].loc, ctx["error"].detail
        raise HallError(
            "hall_field", where=_where(source, text, loc), detail=detail, hint=_more(exc)
        ) from exc


def _depth(value: object, level: int = 0) -> int:
    """How deeply arrays and tables nest (stops counting past the limit)."""
    if level > HALL_NESTING_MAX:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _more(exc: ValidationError) -> str:
    count = exc.error_count()
    return f"{count - 1} more problem(s) after this one" if count > 1 else ""


def _where(source: str, text: str, loc: tuple[Any, ...]) -> str:
    """'FILE line N, field queue[2].prefix' — the line found by counting table headers."""
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    line = _find_line(text, loc)
    return f"{source} line {line}, field {field}" if line else f"{source}, field {field}"


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    lines = text.splitlines()
    if not loc:
        return None
    table = str(loc[0])
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    key = next((str(p) for p in loc[1:] if isinstance(p, str)), None)
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
    starts = [n for n, line in enumerate(lines) if header.match(line)]
    if not starts:
        return None
    start = starts[index] if index is not None and index < len(starts) else starts[0]
    if key is None:
        return start + 1
    for n in range(start + 1, len(lines)):
        if lines[n].lstrip().startswith("["):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[n]):
            return n + 1
    return start + 1


def read_hall_file(path: Path) -> tuple[HallConfig, str]:
    """Read and validate a hall file (UTF-8, a BOM from Windows Notepad allowed, at most
    limits.HALL_FILE_MAX_BYTES); returns the config and its text (without the BOM)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(HALL_FILE_MAX_BYTES + 1)
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise HallError("hall_unreadable", path=path, reason=reason) from exc
    if len(data) > HALL_FILE_MAX_BYTES:
        raise HallError("hall_too_big", path=path, limit=HALL_FILE_MAX_BYTES // 1024)
    config = parse_hall(text, source=str(path))
    _refuse_controls(config.model_dump(), text, str(path))
    return config, text


_MULTILINE = {("hall", "ticket_header"), ("hall", "ticket_footer")}
"""Fields printed as paragraphs: a newline is allowed there, no other control."""


def _refuse_controls(value: object, text: str, source: str, loc: tuple[Any, ...] = ()) -> None:
    """HallError (hall_control) for the first text holding control characters: names reach
    screens and paper, where ESC, BEL or GS V act instead of showing (checked when a file is
    loaded; a hall stored before is still escaped wherever it is shown or printed)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_controls(item, text, source, (*loc, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _refuse_controls(item, text, source, (*loc, n))
    elif isinstance(value, str):
        plain = value.replace("\n", "") if loc in _MULTILINE else value
        if has_controls(plain):
            raise HallError("hall_control", where=_where(source, text, loc), text=printable(value))


def check_file_printers(config: HallConfig, database: str | None) -> None:
    """Refuse a file printer that would write where printing must not (models.printfile): the
    hall's database, key or witness file (by name or hard link), a link, a folder or socket,
    a hidden, executable, system or another user's file. Devices (/dev/usb/lp0), pipes (to a
    print daemon; written within the printer's deadline) and new or plain files are fine; each
    print checks again. ``database`` is the SQLite file's path (None on PostgreSQL)."""
    from models.printfile import PrintFileRefused, check_print_file

    for n, printer in enumerate(config.printer):
        if printer.kind != "file":
            continue
        try:
            check_print_file(printer.address, database)
        except PrintFileRefused as exc:
            raise HallError(
                "hall_field",
                where=f"field printer[{n}].address ({printer.name})",
                detail=f"{printer.address!r}: {exc.values['why']}",
            ) from exc


def store_hall(engine: Engine, config: HallConfig, text: str) -> None:
    """Write a validated hall into the database in one transaction, with one event.

    Raises HallError for a file printer that would write over the database."""
    from models.printfile import database_file

    check_file_printers(config, database_file(engine))
    with writing(engine) as session:
        _store(session, config, text)
        append_event(
            session,
            kind="hall_loaded",
            data={
                "queues": len(config.queue),
                "items": len(config.item),
                "windows": len(config.window),
            },
        )


def _store(session: Session, config: HallConfig, text: str) -> None:
    now = utcnow()
    settings = config.hall.model_dump()
    hall = session.get(Hall, 1) or Hall(
        id=1, name_zh="", name_en="", settings="{}", source="", loaded_at=now
    )
    hall.name_zh, hall.name_en = config.hall.name_zh, config.hall.name_en
    hall.timezone = config.hall.timezone
    hall.settings = json.dumps(settings, ensure_ascii=False, sort_keys=True)
    hall.source, hall.loaded_at = text, now
    session.add(hall)

    queues = {q.prefix: q for q in session.exec(select(Queue)).all()}
    for position, qc in enumerate(config.queue):
        queue = queues.get(qc.prefix) or Queue(prefix=qc.prefix, name_zh="", name_en="")
        queue.name_zh, queue.name_en = qc.name_zh, qc.name_en
        queue.daily_cap, queue.wait_limit_minutes = qc.daily_cap, qc.wait_limit_minutes
        queue.service_minutes, queue.hours = qc.service_minutes, json.dumps(qc.hours)
        queue.position, queue.active = position, True
        session.add(queue)
        queues[qc.prefix] = queue
    configured = {q.prefix for q in config.queue}
    for prefix, queue in queues.items():
        if prefix not in configured:
            queue.active = False  # tickets refer to it; keep the row
            session.add(queue)
    session.flush()

    items = {i.code: i for i in session.exec(select(ServiceItem)).all()}
    for position, ic in enumerate(config.item):
        item = items.get(ic.code) or ServiceItem(
            code=ic.code, queue_id=0, name_zh="", name_en="", department=""
        )
        item.queue_id = _id(queues[ic.queue])
        item.name_zh, item.name_en, item.department = ic.name_zh, ic.name_en, ic.department
        item.instant, item.promised_days = ic.instant, ic.promised_days
        item.service_minutes = ic.service_minutes
        item.materials = json.dumps(ic.materials, ensure_ascii=False)
        item.position, item.active = position, True
        session.add(item)
        items[ic.code] = item
    for code, item in items.items():
        if code not in {i.code for i in config.item}:
            item.active = False
            session.add(item)

    windows = {w.number: w for w in session.exec(select(Window)).all()}
    session.execute(delete(WindowQueue))
    for wc in config.window:
        window = windows.get(wc.number) or Window(number=wc.number)
        window.label_zh, window.label_en, window.active = wc.label_zh, wc.label_en, True
        session.add(window)
        windows[wc.number] = window
    for number, window in windows.items():
        if number not in {w.number for w in config.window}:
            window.active = False
            session.add(window)
    session.flush()
    for wc in config.window:
        for position, prefix in enumerate(wc.queues):
            session.add(
                WindowQueue(
                    window_number=wc.number, queue_id=_id(queues[prefix]), position=position
                )
            )


def _id(queue: Queue) -> int:
    assert queue.id is not None, "queue rows are flushed before use"
    return queue.id


_SETTINGS = sa_select(Hall.__table__.c.settings).where(Hall.__table__.c.id == 1)  # type: ignore[attr-defined]


_SOURCE = sa_select(Hall.__table__.c.source).where(Hall.__table__.c.id == 1)  # type: ignore[attr-defined]


def hall_config(session: Session) -> HallConfig:
    """The whole stored hall file (printers and kiosks included), parsed once per text."""
    text = session.execute(_SOURCE).scalar()
    if text is None:
        raise HallError("no_hall", hint="run: mashangban hall load FILE (or mashangban init)")
    return _parse_config(text)


@lru_cache(maxsize=4)
def _parse_config(text: str) -> HallConfig:
    return parse_hall(text, source="<stored hall>")


def hall_settings(session: Session) -> HallSettings:
    """The stored [hall] settings. Raises HallError when no hall is loaded."""
    text = session.execute(_SETTINGS).scalar()
    if text is None:
        raise HallError("no_hall", hint="run: mashangban hall load FILE (or mashangban init)")
    return _parse_settings(text)


@lru_cache(maxsize=8)
def _parse_settings(text: str) -> HallSettings:
    # Every operation reads the settings; parse each stored text once (the model is frozen).
    return HallSettings.model_validate(json.loads(text))


def queue_hours(settings: HallSettings, queue_hours_json: str) -> list[tuple[dt.time, dt.time]]:
    """The opening ranges of a queue as times (its own JSON list, or the hall's)."""
    ranges = json.loads(queue_hours_json) or settings.hours
    out = []
    for text in ranges:
        start, end = text.split("-")
        out.append((_time(start), _time(end)))
    return out


def _time(text: str) -> dt.time:
    hours, minutes = (int(p) for p in text.split(":"))
    return dt.time.max if hours == 24 else dt.time(hours, minutes)
