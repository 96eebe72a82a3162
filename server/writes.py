"""The API's routes that need a key: take a ticket, act at a window, follow the event log.

A key comes in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` (models.apikeys). Each
route runs the command line's own operation (models.queue) inside ``by_api_key``, so the event
it writes names the key. Refusals have the command line's JSON shape (the refusal's key, both
languages): 401 for a missing, wrong or revoked key, 403 for a key without the scope, 404 for
an unknown queue, item, window or number, 409 for what the hall's rules refuse (nothing
waiting included), 503 when the database cannot be used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from models.errors import MashangbanError, NotFound, Refused
from models.events import FEED_MAX, by_api_key
from models.limits import WINDOW_MAX
from models.queue import serving
from models.views.ticket import TicketView
from server.api import error_json
from server.hub import Hub

router = APIRouter(prefix="/api/v1", tags=["with an API key"])
log = logging.getLogger("mashangban.server")

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <key>")

UNAUTHORISED = {"api_key_missing", "api_key_wrong", "api_key_revoked"}
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no key, a wrong key or a revoked key"},
    403: {"description": "the key lacks the scope"},
    404: {"description": "unknown queue, item, window or number"},
    409: {"description": "refused by the hall's rules (closed, full, nothing waiting …)"},
}


async def presented_key(
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    header: str | None = Depends(_header),
) -> str | None:
    """The key the request carries (either header), or None."""
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return header or None


def handle_bad_requests(app: FastAPI) -> None:
    """A request the API cannot read (a body that is not JSON, a window that is not a number, a
    limit out of range) is refused in the command line's shape, both languages, with 422; the
    pages keep FastAPI's own answer."""

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}"
            for error in exc.errors()
        )
        return error_json(Refused("bad_request", detail=detail), status=422)

    app.add_exception_handler(RequestValidationError, bad_request)


class WritesFirst:
    """ASGI middleware: while a write request to the API is in flight (from its arrival to its
    answer), the pages' fan-out waits (server.hub): a take or a call is never queued behind a
    thousand pages."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app, self.hub = app, hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in ("GET", "HEAD", "OPTIONS")
            and scope["path"].startswith("/api/")
        ):
            with self.hub.writing():
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def status_of(exc: MashangbanError) -> int:
    """The HTTP status of a refusal."""
    if exc.key in UNAUTHORISED:
        return 401
    if exc.key == "api_key_scope":
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Refused):
        return 409
    return 503


def note_refusal(request: Request, exc: MashangbanError, need: str) -> None:
    """Count a refused key; a known key's refusal goes to the event log (one a minute at most
    per key, reason and scope: server.limits.Refusals), a missing or wrong key's only to the
    server's log, once a minute per client. Other errors are left alone."""
    if exc.key not in UNAUTHORISED and exc.key != "api_key_scope":
        return
    from models.apikeys import record_refusal
    from server.pages import client_of

    settings = request.app.state.settings
    name = exc.values.get("name")
    if isinstance(name, str):
        refused = settings.refusals.known(name, need, exc.key)
        if refused:
            try:
                record_refusal(
                    settings.engine,
                    name=name,
                    need=need,
                    route=f"{request.method} {request.url.path}",
                    reason=exc.key,
                    refused=refused,
                )
            except (MashangbanError, SQLAlchemyError) as failed:  # answered all the same
                log.warning("cannot log a refused API key: %s", failed)
        return
    client = client_of(request)
    refused = settings.refusals.unknown(client, exc.key)
    if refused:
        log.warning("%d API request(s) from %s refused: %s", refused, client, exc.key)


def refusal(exc: MashangbanError) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_json(exc, status=status, headers=headers)


def keyed(
    request: Request, key: str | None, need: str, operation: Callable[[], Any], *, status: int
) -> Response:
    """Check the key for ``need``, then run the operation as that key: its result as JSON with
    this status, or its refusal in the command line's shape."""
    from models.apikeys import authenticate

    engine = request.app.state.settings.engine
    try:
        name = authenticate(engine, key, need)
    except MashangbanError as exc:
        note_refusal(request, exc, need)
        return refusal(exc)
    try:
        with by_api_key(name):
            result = operation()
    except MashangbanError as exc:
        return refusal(exc)
    body = result.to_json() if isinstance(result, TicketView) else result
    return JSONResponse(body, status_code=status)


class TakeRequest(BaseModel):
    """A walk-in ticket, as ``mashangban take`` takes one."""

    queue: str | None = Field(None, description="Queue prefix (A, B, … M); optional with item.")
    item: str | None = Field(None, description="Service item code, e.g. M05.")
    priority: str = Field(
        "normal", description="normal, or green (绿色通道: elderly, disabled, military, pregnant)."
    )


@router.post(
    "/tickets",
    status_code=201,
    summary="Take a walk-in ticket (scope take)",
    responses={201: {"description": "the ticket, as `take --json` shows it"}, **REFUSALS},
)
def take(request: Request, body: TakeRequest, key: str | None = Depends(presented_key)) -> Response:
    """For a mini-program's backend or a second kind of kiosk: the same ticket, rules and
    refusals as ``mashangban take``. The event names the key."""
    from models.queue.tickets import take_ticket

    def operation() -> TicketView:
        if body.queue is None and body.item is None:
            raise Refused("unknown_queue", queue="", hint="give a queue letter or an item code")
        return take_ticket(
            request.app.state.settings.engine,
            queue=body.queue,
            item=body.item,
            priority=body.priority,
            source="api",
        )

    return keyed(request, key, "take", operation, status=201)


def _window(n: int) -> None:
    if not 1 <= n <= WINDOW_MAX:
        raise NotFound("unknown_window", window=n)


def _at_window(request: Request, key: str | None, n: int, op: Callable[..., Any]) -> Response:
    def operation() -> TicketView:
        _window(n)
        return op(request.app.state.settings.engine, window=n)

    return keyed(request, key, f"window:{n}", operation, status=200)


WINDOW_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the ticket at the window now, as the command line's --json shows it"},
    **REFUSALS,
}


@router.post(
    "/windows/{n}/call-next",
    summary="Call the next ticket to window n (scope window:n)",
    responses=WINDOW_RESPONSES,
)
def call_next_route(
    request: Request,
    n: int,
    finish: bool = Query(False, description="Finish the window's current ticket first."),
    key: str | None = Depends(presented_key),
) -> Response:
    """As ``mashangban call --window n [--finish]``: a clerk must be logged in at the window;
    409 ``nothing_waiting`` when no one waits for it."""
    from models.queue.calling import call_next

    def operation() -> TicketView:
        _window(n)
        return call_next(request.app.state.settings.engine, window=n, finish_current=finish)

    return keyed(request, key, f"window:{n}", operation, status=200)


@router.post(
    "/windows/{n}/recall",
    summary="Call window n's ticket again (scope window:n)",
    responses=WINDOW_RESPONSES,
)
def recall_route(request: Request, n: int, key: str | None = Depends(presented_key)) -> Response:
    """As ``mashangban recall --window n``: the board speaks the call again."""
    return _at_window(request, key, n, serving.recall)


@router.post(
    "/windows/{n}/no-show",
    summary="The called citizen did not come (scope window:n)",
    responses=WINDOW_RESPONSES,
)
def no_show_route(request: Request, n: int, key: str | None = Depends(presented_key)) -> Response:
    """As ``mashangban no-show --window n``: missed, or void after the hall's maximum misses."""
    return _at_window(request, key, n, serving.mark_no_show)


@router.post(
    "/windows/{n}/finish",
    summary="Finish window n's current service (scope window:n)",
    responses=WINDOW_RESPONSES,
)
def finish_route(request: Request, n: int, key: str | None = Depends(presented_key)) -> Response:
    """As ``mashangban finish --window n``."""
    return _at_window(request, key, n, serving.finish)


@router.get(
    "/events",
    summary="The event log from a given event number (scope read)",
    responses={
        200: {"description": "events after `after`, oldest first, and the newest number"},
        **REFUSALS,
    },
)
def events(
    request: Request,
    after: int = Query(0, ge=0, description="Events numbered after this one (0: from the first)."),
    limit: int = Query(100, ge=1, le=FEED_MAX, description="At most this many."),
    key: str | None = Depends(presented_key),
) -> Response:
    """For integrations that follow the hall: ask again with ``after`` = the last ``seq`` seen
    (``next_after``). Every event is listed (so that none seems lost), with its number, time,
    kind, ticket id and window, and of its data only the ticket and window facts: no clerk
    number or name, no key's name, nothing of PIN or staff events, no personal data."""
    from models.events import events_after, public_event

    def operation() -> dict[str, Any]:
        found, head = events_after(request.app.state.settings.engine, after, limit)
        return {
            "events": [public_event(event) for event in found],
            "next_after": found[-1]["seq"] if found else after,
            "head": head,
        }

    return keyed(request, key, "read", operation, status=200)
