"""The booking API for partner channels (a WeChat official account's or mini-program's
backend, the 12345 hotline's system): what can be booked, the open slots, booking, a booking by
its token, cancelling. Every route needs a key of scope ``book`` (``mashangban apikey add NAME
--scope book``); a booking made here has the channel ``api:<key name>``, and the events it
writes name the key (models.events.by_api_key). Each use is logged with the key's name (never
a name or mobile number). Refusals as the rest of the API: 401/403 for the key, 404 for an
unknown item or booking, 409 for what the booking rules refuse, 422 for a request it cannot
read, 503 when the database cannot be used.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from models.errors import MashangbanError
from models.events import by_api_key
from models.queue import booking as core
from server.writes import REFUSALS, note_refusal, presented_key, refusal

router = APIRouter(prefix="/api/v1", tags=["booking (scope book)"])
log = logging.getLogger("mashangban.server.booking")

SCOPE = "book"


def booking_json(found: core.Booking, public_url: str = "") -> dict[str, Any]:
    """A booking as the API shows it: masked name and mobile, the code, its QR's text, the
    token of its page (and the page's address when the hall has a public_url)."""
    return {
        "code": found.code,
        "token": found.token,
        "qr_text": found.qr_text,
        "url": f"{public_url}/b/{found.token}" if public_url and found.token else None,
        "queue": found.queue,
        "queue_name_zh": found.queue_name_zh,
        "queue_name_en": found.queue_name_en,
        "item": found.item_code,
        "item_name_zh": found.item_name_zh,
        "item_name_en": found.item_name_en,
        "day": found.day.isoformat(),
        "start": f"{found.start:%H:%M}",
        "end": f"{found.end:%H:%M}",
        "name_masked": found.name_masked,
        "mobile_masked": found.mobile_masked,
        "status": found.status,
        "cancel_until": found.cancel_until.isoformat(timespec="minutes"),
        "cancellable": found.cancellable,
        "channel": found.channel,
        "ticket_number": found.ticket_number,
        "warning_zh": found.warning_zh,
        "warning_en": found.warning_en,
    }


class BookingOut(BaseModel):
    """A booking (personal data masked)."""

    code: str = Field(description="The booking code, typed or scanned at the kiosk.")
    token: str = Field(description="The booking's own token: its page /b/<token>, this API.")
    qr_text: str = Field(description="What its QR carries: MSB:B:<code> (no personal data).")
    url: str | None = Field(description="The booking's page, when the hall has a public_url.")
    queue: str
    queue_name_zh: str
    queue_name_en: str
    item: str | None
    item_name_zh: str
    item_name_en: str
    day: dt.date
    start: str = Field(description="HH:MM, the hall's local time.")
    end: str
    name_masked: str = Field(description="张*明")
    mobile_masked: str = Field(description="138****1234")
    status: str = Field(description="booked, checked_in, cancelled or no_show.")
    cancel_until: str = Field(description="The cancellation deadline (ISO 8601, local time).")
    cancellable: bool = Field(description="Its status allows cancelling (the deadline aside).")
    channel: str = Field(description="web, kiosk, csv or api:<key name>.")
    ticket_number: str | None = Field(description="The priority ticket it became at check-in.")
    warning_zh: str | None = Field(description="A new booking of a person with a no-show.")
    warning_en: str | None


class SlotOut(BaseModel):
    start: str
    end: str
    places: int
    free: int


class BookRequest(BaseModel):
    """A booking, as the citizen's page makes one."""

    item: str = Field(description="Service item code, e.g. M05 (see /api/v1/booking/items).")
    day: dt.date = Field(description="The day, YYYY-MM-DD (see /api/v1/booking/days).")
    start: dt.time = Field(description="The slot's start, HH:MM (see /api/v1/booking/slots).")
    name: str = Field(max_length=64, description="The citizen's name (stored for a while, "
                      "shown masked).")  # fmt: skip
    mobile: str = Field(max_length=32, description="An 11-digit mainland mobile number.")
    id_number: str | None = Field(None, max_length=32, description="Optional resident ID "
                                  "number: only a keyed hash is kept, for the limits.")  # fmt: skip


def _public_url(request: Request) -> str:
    from models.db import reading
    from models.hall import hall_settings

    with reading(request.app.state.settings.engine) as session:
        return hall_settings(session).public_url


def _run(
    request: Request, key: str | None, what: str, operation: Callable[[str], Any], *, status: int
) -> Response:
    """Check the key for ``book``, run the operation as that key (given its name), log the use;
    the result as JSON with this status, or the refusal."""
    from models.apikeys import authenticate

    engine = request.app.state.settings.engine
    name = "-"
    try:
        name = authenticate(engine, key, SCOPE)
    except MashangbanError as exc:
        note_refusal(request, exc, SCOPE)  # a known key's refusal is an event, sparingly
        answer = refusal(exc)
        log.info("booking api %s by key %s: %s %s", what, name, answer.status_code, exc.key)
        return answer
    try:
        with by_api_key(name):
            result = operation(name)
    except MashangbanError as exc:
        answer = refusal(exc)
        log.info("booking api %s by key %s: %s %s", what, name, answer.status_code, exc.key)
        return answer
    log.info("booking api %s by key %s: %s", what, name, status)
    return JSONResponse(result, status_code=status)


@router.get(
    "/booking/items",
    summary="What can be booked, by department (scope book)",
    responses={200: {"description": "departments, each with its bookable items"}, **REFUSALS},
)
def items(request: Request, key: str | None = Depends(presented_key)) -> Response:
    """Every bookable item, by department in the kiosk's order: code, names, queue, the slot
    length and the materials to bring."""

    def operation(_name: str) -> dict[str, Any]:
        menu = core.booking_menu(request.app.state.settings.engine)
        return {
            "departments": [
                {
                    "name_zh": department,
                    "name_en": found[0].department_en,
                    "items": [
                        {
                            "code": item.code,
                            "name_zh": item.name_zh,
                            "name_en": item.name_en,
                            "queue": item.queue,
                            "slot_minutes": item.slot_minutes,
                            "materials": item.materials,
                        }
                        for item in found
                    ],
                }
                for department, found in menu.items()
            ]
        }

    return _run(request, key, "items", operation, status=200)


@router.get(
    "/booking/days",
    summary="The days an item can be booked for (scope book)",
    responses={200: {"description": '{"item": …, "days": ["2026-11-26", …]}'}, **REFUSALS},
)
def days(
    request: Request,
    item: str = Query(..., max_length=16, description="Service item code, e.g. M05."),
    key: str | None = Depends(presented_key),
) -> Response:
    """Working days from the hall's first to its last bookable day (official calendar)."""

    def operation(_name: str) -> dict[str, Any]:
        found = core.bookable_days(request.app.state.settings.engine, item_code=item.upper())
        return {"item": item.upper(), "days": [day.isoformat() for day in found]}

    return _run(request, key, "days", operation, status=200)


@router.get(
    "/booking/slots",
    summary="A day's slots with their free places (scope book)",
    responses={200: {"description": "the slots not yet begun"}, **REFUSALS},
)
def slots(
    request: Request,
    item: str = Query(..., max_length=16, description="Service item code, e.g. M05."),
    day: dt.date = Query(..., description="YYYY-MM-DD."),  # noqa: B008
    key: str | None = Depends(presented_key),
) -> Response:
    """Each slot of the day not yet begun: start, end (HH:MM), places and free places. 409 for
    a day that cannot be booked (past, too soon, too far, not a working day)."""

    def operation(_name: str) -> dict[str, Any]:
        found = core.open_slots(request.app.state.settings.engine, item_code=item.upper(), day=day)
        return {
            "item": item.upper(),
            "day": day.isoformat(),
            "slots": [
                SlotOut(
                    start=f"{s.start:%H:%M}", end=f"{s.end:%H:%M}", places=s.places, free=s.free
                ).model_dump()
                for s in found
            ],
        }

    return _run(request, key, "slots", operation, status=200)


@router.post(
    "/bookings",
    status_code=201,
    summary="Book a slot for a citizen (scope book)",
    responses={201: {"model": BookingOut, "description": "the booking"}, **REFUSALS},
)
def book(request: Request, body: BookRequest, key: str | None = Depends(presented_key)) -> Response:
    """The same rules and refusals as the citizen's page (full slot, day not bookable, the
    person's limit, blocked after no-shows …). Give the citizen the code (or its QR, the
    ``qr_text``) for the kiosk, and keep the token to look the booking up or cancel it."""

    def operation(name: str) -> dict[str, Any]:
        made = core.book(
            request.app.state.settings.engine,
            item_code=body.item.upper(),
            day=body.day,
            start=body.start,
            name=body.name,
            mobile=body.mobile,
            id_number=body.id_number or None,
            channel=f"api:{name}",
        )
        return booking_json(made, _public_url(request))

    return _run(request, key, "book", operation, status=201)


@router.get(
    "/bookings/{token}",
    summary="A booking by its token (scope book)",
    responses={200: {"model": BookingOut, "description": "the booking"}, **REFUSALS},
)
def booking(request: Request, token: str, key: str | None = Depends(presented_key)) -> Response:
    """Its status now: booked, checked_in (with the ticket number), cancelled or no_show."""

    def operation(_name: str) -> dict[str, Any]:
        found = core.find_booking(request.app.state.settings.engine, token=token)
        return booking_json(found, _public_url(request))

    return _run(request, key, "look-up", operation, status=200)


def _cancel(request: Request, token: str, key: str | None) -> Response:
    def operation(_name: str) -> dict[str, Any]:
        found = core.cancel_booking(request.app.state.settings.engine, token=token)
        return booking_json(found, _public_url(request))

    return _run(request, key, "cancel", operation, status=200)


CANCEL_DOC = (
    "Up to the booking's cancellation deadline (``cancel_until``); its place is free again. "
    "409 ``booking_cancel_closed`` after the deadline, and for a booking checked in, "
    "cancelled already or missed."
)


@router.delete(
    "/bookings/{token}",
    summary="Cancel a booking (scope book)",
    description=CANCEL_DOC,
    responses={200: {"model": BookingOut, "description": "the booking, cancelled"}, **REFUSALS},
)
def cancel(request: Request, token: str, key: str | None = Depends(presented_key)) -> Response:
    return _cancel(request, token, key)


@router.post(
    "/bookings/{token}/cancel",
    summary="Cancel a booking, for clients without DELETE (scope book)",
    description=CANCEL_DOC,
    responses={200: {"model": BookingOut, "description": "the booking, cancelled"}, **REFUSALS},
)
def cancel_post(request: Request, token: str, key: str | None = Depends(presented_key)) -> Response:
    return _cancel(request, token, key)
