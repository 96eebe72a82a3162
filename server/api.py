"""The read API for other systems, ``/api/v1/…`` (JSON), and its OpenAPI docs served locally.

Errors have the command line's shape (``--json``): the refusal's key and both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from models.errors import MashangbanError, NotFound
from models.views.citizen import citizen_ticket
from models.views.status import HallStatus, hall_status
from models.views.ticket import TicketView

router = APIRouter(prefix="/api/v1", tags=["hall"])

DOCS_ASSETS = "/docs-assets"


def error_json(
    exc: MashangbanError, *, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A refusal as ``mashangban … --json`` prints it."""
    body = {"error": exc.key, "message_zh": exc.zh, "message_en": exc.en, "hint": exc.hint}
    return JSONResponse(body, status_code=status, headers=headers)


@dataclass(frozen=True)
class TicketLookup(TicketView):
    """A ticket by token; ``transferred_to`` is the ticket it became, when it was sent on."""

    transferred_to: TicketView | None = None


@router.get("/status", response_model=HallStatus, summary="The hall now (as `status --json`)")
def status(request: Request) -> dict[str, Any]:
    """Waiting per queue (issued today, longest wait, the next numbers), each window's state
    and ticket, and the clerk numbers locked by wrong PINs."""
    return hall_status(request.app.state.settings.engine).to_json()


@router.get(
    "/tickets/{token}",
    response_model=TicketLookup,
    summary="Today's ticket by the token in its QR code",
    responses={404: {"description": "unknown token, or a ticket of another day"}, 429: {}},
)
def ticket(request: Request, token: str) -> Response | dict[str, Any]:
    """The ticket (as ``take --json`` shows one): its status, place in line, estimated wait and
    window. A client whose look-ups keep finding nothing is held up (429 with Retry-After)."""
    from server.pages import client_of, limited

    refused = limited(request, json_body=True)
    if refused is not None:
        return refused
    try:
        found = citizen_ticket(request.app.state.settings.engine, token)
    except NotFound as exc:
        request.app.state.settings.lookups.miss(client_of(request))
        return error_json(exc, status=404)
    body = found.held.to_json()
    body["transferred_to"] = found.now.to_json() if found.transferred else None
    return body


def mount_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the assets of the swagger-ui-bundle package, not a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )
