"""The hall server: one FastAPI app serving the citizen's page, the browser board, the read API,
health and metrics. Everything it serves is its own (templates, script, style, API docs).

:func:`create_app` builds it for an engine; ``mashangban serve`` runs it on uvicorn, the tests
drive it with the ASGI test client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from server.forms import FormSigner
from server.hub import Hub
from server.limits import RateLimit, Refusals
from server.voice import Voice

if TYPE_CHECKING:
    from sqlalchemy import Engine

HERE = Path(__file__).parent
VERSION = "1"


@dataclass
class ServerSettings:
    """What the server runs with."""

    engine: Engine
    """The hall's database (checked by whoever made it)."""
    poll_seconds: float = 0.25
    """How often the one watcher reads the change mark."""
    stream_seconds: float = 300.0
    """How long one event stream stays open; the page reconnects at once (proxies drop idle
    long streams, and a fresh connection re-checks the rate limit)."""
    ping_seconds: float = 15.0
    """A ping on an idle stream this often: the page knows it is still connected."""
    retry_ms: int = 2000
    """How soon a page's EventSource reconnects after the stream ends or breaks."""
    lookups: RateLimit = field(default_factory=RateLimit)
    """The per-client limit on ticket look-ups."""
    voice: bool = True
    """The board speaks the calls (when espeak-ng's Mandarin voice is here)."""
    quiet_gc: bool = False
    """Full garbage collections only at quiet moments (server.hub; ``mashangban serve``)."""
    refusals: Refusals = field(default_factory=Refusals)
    """The API's refused keys: counted, and written to the event log sparingly."""
    bookings: RateLimit = field(default_factory=lambda: RateLimit(burst=20, per_second=1 / 30))
    """The per-client limit on booking and cancelling posts (every post counts): 20 at once,
    then two a minute."""
    forms: FormSigner = field(default_factory=FormSigner)
    """Signs the booking pages' forms (server.forms)."""


def create_app(settings: ServerSettings) -> FastAPI:
    """The server app for these settings."""
    hub = Hub(settings.engine, seconds=settings.poll_seconds, quiet_gc=settings.quiet_gc)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    app = FastAPI(
        title="马上办 mashangban hall server",
        version=VERSION,
        description=(
            "The hall's API (JSON): status and tickets open to read; taking tickets, acting at "
            "a window, the event feed and online booking for partner channels (scope `book`) "
            "need an API key (`mashangban apikey add`), sent as "
            "`Authorization: Bearer <key>` or `X-API-Key: <key>`. 写操作需要 API 密钥。"
        ),
        docs_url=None,  # served from local assets by server.api, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.hub = hub
    app.state.voice = Voice(enabled=settings.voice)
    app.state.live = {}  # server.pages.LiveReader by kind of page
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from server import api, bookapi, booking, health, pages, writes

    pages.handle_errors(app)
    writes.handle_bad_requests(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(writes.router)
    app.include_router(booking.router)
    app.include_router(bookapi.router)
    app.include_router(health.router)
    api.mount_docs(app)
    app.add_middleware(writes.WritesFirst, hub=hub)
    return app
