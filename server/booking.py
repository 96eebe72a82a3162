"""The citizen's booking pages: pick an item, a day, a slot; give a name and mobile number; get
the booking code, its QR and the booking's own page ``/b/<token>`` to view or cancel it.

Plain pages and forms (no script needed): every post answers with a redirect to a page
(post-redirect-get), or with the form again saying why not, in both languages. The forms are
signed and checked for their origin (server.forms); posts are counted per client (the
settings' ``bookings`` limit), look-ups of unknown bookings as the ticket page's are. Each
route is one call of the booking core (models.queue.booking); the pages show its masked values
only: no name, mobile or ID number in full ever leaves the server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.errors import MashangbanError, NotFound, Refused
from models.queue import booking as core
from models.text import errors as error_text
from models.text import web
from models.timeutil import resolve_now
from server.forms import FormSigner, check_origin
from server.limits import retry_after
from server.pages import client_of, limited, page, problem_page, settings_of

router = APIRouter(include_in_schema=False)

FORM_MAX_BYTES = 4096
"""A booking form is a few short fields; a bigger body is not one."""


def signer(request: Request) -> FormSigner:
    """The server's signer of the forms."""
    forms: FormSigner = settings_of(request).forms
    return forms


# --- what the pages read -------------------------------------------------------------------


def _hall(request: Request) -> dict[str, Any]:
    """The hall's names and check-in window (minutes before and after a slot's start)."""
    from models.db import reading
    from models.hall import hall_config

    with reading(settings_of(request).engine) as session:
        config = hall_config(session)
    return {
        "names": (config.hall.name_zh, config.hall.name_en),
        "early": config.hall.checkin_early_minutes,
        "late": config.hall.checkin_late_minutes,
        "booking": config.booking,
    }


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise NotFound("booking_bad_day", day=text[:20]) from None


def _item(request: Request, code: str) -> core.BookableItem:
    """A bookable item by its code. Raises NotFound (unknown_item) or Refused (not bookable)."""
    menu = core.booking_menu(settings_of(request).engine)
    for items in menu.values():
        for item in items:
            if item.code == code.upper():
                return item
    core.bookable_days(settings_of(request).engine, item_code=code.upper())  # says why not
    raise Refused("booking_not_bookable", item=code, name="")


def _days(day: dt.date) -> tuple[str, str]:
    return web.day_zh(day), web.day_en(day)


def _status_of(exc: MashangbanError) -> int:
    if exc.key in ("form_expired", "form_foreign"):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if exc.key.startswith("booking_bad") or exc.key == "booking_cancel_unsure":
        return 422
    return 409


async def _form(request: Request) -> dict[str, str]:
    """The posted form's fields (the first value of each), or {} for a body that is not one."""
    body = await request.body()
    if len(body) > FORM_MAX_BYTES:
        return {}
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items() if values}


def _spend(request: Request) -> Response | None:
    """Count a post against this client; the refusal (429) once it has used up its posts."""
    settings = settings_of(request)
    client = client_of(request)
    wait = settings.bookings.blocked(client)
    if wait:
        seconds = retry_after(wait)
        exc = MashangbanError("too_many_bookings", seconds=seconds)
        response = problem_page(request, title="too_many_title", exc=exc, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    settings.bookings.miss(client)
    return None


def _checked(request: Request, purpose: str, fields: dict[str, str]) -> None:
    """Raises Refused unless the post comes from this hall's page, signed for ``purpose``."""
    hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")}
    public = _public_host(request)
    if public:
        hosts.add(public)
    check_origin(hosts, request.headers.get("origin"), request.headers.get("referer"))
    signer(request).check(purpose, fields.get("form"))


def _public_host(request: Request) -> str:
    from urllib.parse import urlsplit

    from models.db import reading
    from models.hall import hall_settings

    with reading(settings_of(request).engine) as session:
        url = hall_settings(session).public_url
    return urlsplit(url).netloc if url else ""


# --- the pages -----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    """The hall server's front page: booking, the board, the API."""
    return page(request, "index.html", {"hall": _hall(request)["names"]})


@router.get("/book", response_class=HTMLResponse)
def book_items(request: Request) -> Response:
    """Every bookable item, by department (as the kiosk shows them)."""
    menu = core.booking_menu(settings_of(request).engine)
    return page(request, "book_items.html", {"hall": _hall(request)["names"], "menu": menu})


@router.get("/book/{code}", response_class=HTMLResponse)
def book_days(request: Request, code: str) -> Response:
    """The days the item can be booked for."""
    engine = settings_of(request).engine
    try:
        item = _item(request, code)
        days = core.bookable_days(engine, item_code=item.code)
    except MashangbanError as exc:
        return problem_page(request, title="book_title", exc=exc, status=_status_of(exc))
    return page(
        request,
        "book_days.html",
        {
            "hall": _hall(request)["names"],
            "item": item,
            "days": [(day.isoformat(), _days(day)) for day in days],
        },
    )


def _slots_page(
    request: Request,
    code: str,
    day_text: str,
    *,
    error: MashangbanError | None = None,
    chosen: str = "",
) -> Response:
    engine = settings_of(request).engine
    try:
        item = _item(request, code)
        day = _day(day_text)
        slots = core.open_slots(engine, item_code=item.code, day=day)
    except MashangbanError as exc:
        return problem_page(request, title="book_title", exc=exc, status=_status_of(exc))
    return page(
        request,
        "book_slots.html",
        {
            "hall": _hall(request)["names"],
            "item": item,
            "day": day.isoformat(),
            "day_names": _days(day),
            "slots": [
                {
                    "value": f"{slot.start:%H:%M}",
                    "label": f"{slot.start:%H:%M}–{slot.end:%H:%M}",
                    "free": slot.free,
                }
                for slot in slots
            ],
            "any_free": any(slot.free for slot in slots),
            "chosen": chosen,
            "form": signer(request).token(f"book:{item.code}:{day.isoformat()}"),
            "error": error,
        },
        status=_status_of(error) if error is not None else 200,
    )


@router.get("/book/{code}/{day}", response_class=HTMLResponse)
def book_slots(request: Request, code: str, day: str) -> Response:
    """The day's slots with their free places, and the form for a name and mobile number."""
    return _slots_page(request, code, day)


@router.post("/book/{code}/{day}", response_class=HTMLResponse)
async def book_post(request: Request, code: str, day: str) -> Response:
    """Book: to the booking's page (303), or the form again saying why not."""
    refused = _spend(request)
    if refused is not None:
        return refused
    fields = await _form(request)
    start_text = fields.get("start", "")
    try:
        item_code, when = code.upper(), _day(day)
        _checked(request, f"book:{item_code}:{when.isoformat()}", fields)
        try:
            start = dt.time.fromisoformat(start_text)
        except ValueError:
            raise Refused("booking_bad_start") from None
        made = core.book(
            settings_of(request).engine,
            item_code=item_code,
            day=when,
            start=start,
            name=fields.get("name", ""),
            mobile=fields.get("mobile", ""),
            id_number=fields.get("id_number") or None,
            channel="web",
        )
    except MashangbanError as exc:
        return _slots_page(request, code, day, error=exc, chosen=start_text)
    target = f"/b/{made.token}?made=1"
    if made.warning_zh:  # the person has a no-show: the page says what another would bring
        target += f"&warned={_no_shows(made)}"
    return RedirectResponse(target, status_code=303)


def _booking_context(request: Request, found: core.Booking) -> dict[str, Any]:
    hall = _hall(request)
    start = dt.datetime.combine(found.day, found.start)
    opens = start - dt.timedelta(minutes=hall["early"])
    closes = start + dt.timedelta(minutes=hall["late"])
    until = found.cancel_until
    now = resolve_now(None).astimezone(until.tzinfo)
    return {
        "hall": hall["names"],
        "b": found,
        "day_names": _days(found.day),
        "status": web.pair(f"booking_status_{found.status}"),
        "when": f"{found.start:%H:%M}–{found.end:%H:%M}",
        "checkin": (f"{opens:%H:%M}", f"{closes:%H:%M}"),
        "until": f"{until:%Y-%m-%d %H:%M}",
        "can_cancel": found.cancellable and now <= until,
        "cancel_over": found.cancellable and now > until,
        "qr": qr_svg(found.qr_text),
        "form": signer(request).token(f"cancel:{found.token}"),
        "booking_rules": hall["booking"],
    }


def _booking_page(
    request: Request,
    token: str,
    *,
    error: MashangbanError | None = None,
    warned: int = 0,
    **flags: bool,
) -> Response:
    refused = limited(request)
    if refused is not None:
        return refused
    try:
        found = core.find_booking(settings_of(request).engine, token=token)
    except NotFound:
        settings_of(request).lookups.miss(client_of(request))
        return problem_page(
            request,
            title="booking_not_found_title",
            exc=NotFound("booking_unknown"),
            status=404,
        )
    context = _booking_context(request, found)
    warning = None
    if warned:
        rules = context["booking_rules"]
        warning = error_text.pair(
            "booking_warning",
            count=warned,
            days=rules.no_show_window_days,
            limit=rules.no_show_limit,
            block=rules.no_show_block_days,
        )
    return page(
        request,
        "booking.html",
        {**context, "error": error, "warning": warning, **flags},
        status=_status_of(error) if error is not None else 200,
    )


@router.get("/b/{token}", response_class=HTMLResponse)
def booking_page(
    request: Request, token: str, made: int = 0, cancelled: int = 0, warned: int = 0
) -> Response:
    """The booking's own page: its code and QR, when, check-in, and the cancel form."""
    return _booking_page(
        request, token, made=bool(made), cancelled=bool(cancelled), warned=min(max(warned, 0), 99)
    )


@router.post("/b/{token}/cancel", response_class=HTMLResponse)
async def booking_cancel(request: Request, token: str) -> Response:
    """Cancel: back to the booking's page (303), or the page saying why not."""
    refused = _spend(request) or limited(request)
    if refused is not None:
        return refused
    fields = await _form(request)
    try:
        _checked(request, f"cancel:{token}", fields)
        if fields.get("sure") != "1":
            raise Refused("booking_cancel_unsure")
        core.cancel_booking(settings_of(request).engine, token=token)
    except NotFound:
        return _booking_page(request, token)  # counted as a miss, said as on the page
    except MashangbanError as exc:
        return _booking_page(request, token, error=exc)
    return RedirectResponse(f"/b/{token}?cancelled=1", status_code=303)


def _no_shows(made: core.Booking) -> int:
    """The no-shows a new booking's warning counts (its first number)."""
    digits = "".join(c if c.isdigit() else " " for c in made.warning_en or "").split()
    return int(digits[0]) if digits else 1


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG (sized by the page's style)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg: str = image.to_string(encoding="unicode")
    head, _, rest = svg.partition(">")
    head = " ".join(part for part in head.split(" ") if not part.startswith(("width=", "height=")))
    return f'{head} role="img" class="qr">{rest}'
