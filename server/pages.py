"""The citizen's ticket page and the browser board, each with its live event stream.

A page is rendered whole on the server (it works without JavaScript and refreshes itself); its
live part is one template fragment, which the stream sends again, rendered the same way,
whenever the hall changed and the fragment with it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from models.errors import MashangbanError, NotFound, Refused
from models.notify.notices import leave_number
from models.text import web
from models.views.board import BoardState, board_queues, board_state
from models.views.citizen import CitizenTicket, citizen_ticket, citizen_tickets
from server.app import ServerSettings
from server.hub import Hub
from server.limits import retry_after
from server.render import board_context, ticket_context
from server.voice import Voice

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}
RECENT_SHOWN = 6
"""Calls listed under the newest on the board."""


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def voice_of(request: Request) -> Voice:
    voice: Voice = request.app.state.voice
    return voice


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def client_of(request: Request) -> str:
    """Who is asking: the client's address (uvicorn puts a trusted proxy's X-Forwarded-For
    here)."""
    return request.client.host if request.client else "unknown"


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A rendered page (never cached: it shows the hall now)."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {"s": web, **context}, status_code=status, headers=NO_STORE
    )
    return response


def problem_page(request: Request, *, title: str, exc: MashangbanError, status: int) -> Response:
    """A friendly page in both languages for a refusal (unknown ticket, too many look-ups …)."""
    response = page(request, "problem.html", {"title": title, "exc": exc}, status)
    return response


def limited(request: Request, *, json_body: bool = False) -> Response | None:
    """None when this client may look a ticket up, else the refusal (429): it has used up its
    misses (see server.limits)."""
    wait = settings_of(request).lookups.blocked(client_of(request))
    if not wait:
        return None
    seconds = retry_after(wait)
    exc = MashangbanError("too_many_lookups", seconds=seconds)
    headers = {"Retry-After": str(seconds), **NO_STORE}
    if json_body:
        from server.api import error_json

        return error_json(exc, status=429, headers=headers)
    response = problem_page(request, title="too_many_title", exc=exc, status=429)
    response.headers.update(headers)
    return response


async def read_ticket(request: Request, token: str) -> CitizenTicket:
    """Today's ticket with this token, read once per change for every page showing it.

    Raises NotFound (and counts the miss against the client) for an unknown token."""
    settings = settings_of(request)
    engine = settings.engine
    found: CitizenTicket | None = await hub_of(request).read_each(
        "ticket", token, lambda tokens: citizen_tickets(engine, tokens)
    )
    if found is None:
        settings.lookups.miss(client_of(request))
        raise NotFound("unknown_ticket")
    return found


def handle_errors(app: FastAPI) -> None:
    """A database that cannot be read (down, uninitialised, outdated) is a 503 in both
    languages — JSON under /api, a page elsewhere — never a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.errors import DatabaseError

    async def unavailable(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, MashangbanError):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            exc = DatabaseError("db_error", detail=first)
        if request.url.path.startswith("/api/"):
            from server.api import error_json

            return error_json(exc, status=503)
        return problem_page(request, title="unavailable_title", exc=exc, status=503)

    app.add_exception_handler(MashangbanError, unavailable)
    app.add_exception_handler(SQLAlchemyError, unavailable)


@router.get("/t/{token}", response_class=HTMLResponse)
async def ticket_page(request: Request, token: str) -> Response:
    """The citizen's page for the ticket whose QR code they scanned."""
    refused = limited(request)
    if refused is not None:
        return refused
    try:
        found = await read_ticket(request, token)
    except NotFound as exc:
        return problem_page(request, title="not_found_title", exc=exc, status=404)
    return _ticket(request, token, found)


def _ticket(
    request: Request,
    token: str,
    found: CitizenTicket,
    problem: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = ticket_context(found)
    return page(
        request,
        "ticket.html",
        {
            "t": context,
            "events": f"/t/{token}/events",
            "remind": f"/t/{token}/remind",
            "problem": problem,
            "refresh": 30,
        },
        status,
    )


@router.post("/t/{token}/remind")
async def ticket_remind(request: Request, token: str) -> Response:
    """The citizen leaves a mobile number to be texted when their turn is near (an empty one
    takes it back); back to the ticket page, which shows it masked."""
    refused = limited(request)
    if refused is not None:
        return refused
    body = (await request.body())[:2048].decode("utf-8", "replace")
    mobile = (parse_qs(body).get("mobile") or [""])[0].strip()
    engine = settings_of(request).engine
    try:
        await run_in_threadpool(leave_number, engine, token=token, mobile=mobile or None)
    except NotFound as exc:
        return problem_page(request, title="not_found_title", exc=exc, status=404)
    except Refused as exc:
        found = await run_in_threadpool(citizen_ticket, engine, token)
        return _ticket(request, token, found, problem=(exc.zh, exc.en), status=400)
    hub_of(request).refresh()
    return RedirectResponse(f"/t/{token}", status_code=303)


@router.get("/t/{token}/events")
async def ticket_events(request: Request, token: str) -> Response:
    """The ticket page's live stream: its state again whenever it changed."""
    refused = limited(request)
    if refused is not None:
        return refused
    try:
        await read_ticket(request, token)
    except NotFound as exc:
        from server.api import error_json

        return error_json(exc, status=404)

    return stream(request, "ticket", token, live_reader(request, "ticket"))


def _board_prefixes(request: Request, queues: str | None) -> tuple[str, ...] | None:
    """The board's zones (None: all). Raises NotFound for a letter no active zone has."""
    if queues is None:
        return None
    engine = settings_of(request).engine
    return tuple(board_queues(engine, queues.split(",")))


async def read_board(request: Request, prefixes: tuple[str, ...] | None) -> BoardState:
    """The board's state for its zones, read once per change for every board showing it."""
    engine = settings_of(request).engine
    state: BoardState = await hub_of(request).read(
        ("board", prefixes), lambda: board_state(engine, queues=prefixes)
    )
    return state


@router.get("/board", response_class=HTMLResponse)
async def board_page(request: Request, queues: str | None = None) -> Response:
    """The display board for a TV's browser: all zones, or ``?queues=A,B,M``."""
    try:
        prefixes = _board_prefixes(request, queues)
    except NotFound as exc:
        return problem_page(request, title="board_unknown_queue", exc=exc, status=404)
    context = board_context(
        await read_board(request, prefixes), recent=RECENT_SHOWN, voice=voice_of(request).available
    )
    events = "/board/events" + (f"?queues={','.join(prefixes)}" if prefixes else "")
    return page(request, "board.html", {"b": context, "events": events, "refresh": 10})


@router.get("/board/events")
async def board_events(request: Request, queues: str | None = None) -> Response:
    """The board's live stream."""
    try:
        prefixes = _board_prefixes(request, queues)
    except NotFound as exc:
        from server.api import error_json

        return error_json(exc, status=404)

    return stream(request, "board", prefixes, live_reader(request, "board"))


@router.get("/board/voice/{number}/{window}")
async def board_voice(request: Request, number: str, window: int, recall: int = 0) -> Response:
    """A call as the board says it (the chime, then the Mandarin sentence), as a WAV file."""
    from server.api import error_json

    voice = voice_of(request)
    if not voice.valid(number, window):
        return error_json(MashangbanError("bad_call", number=number, window=window), status=404)
    if not voice.available:
        return error_json(MashangbanError("no_voice"), status=404)
    clip = await voice.clip(number, window, recall=bool(recall))
    return Response(clip, media_type="audio/wav", headers={"Cache-Control": "max-age=86400"})


class LiveReader:
    """What one kind of page is sent, for many keys at once (run in a worker thread): read
    together (a hundred keys per query), rendered once per key however many pages show
    it, and not rendered again while what the key shows is unchanged (a new ticket at the end
    of the line changes nobody's place). Between reads and renders it lets the API's writes in
    flight go first."""

    PAUSE_EVERY = 25
    """Renders between two looks for a write in flight (about 1 ms of work)."""
    READ_CHUNK = 100
    """Keys read in one go (one query's worth, about 4 ms for tickets)."""
    MEMO_MAX = 20_000

    def __init__(
        self,
        read: Callable[[list[Any]], dict[Any, Any]],
        render: Callable[[Any], dict[str, Any]],
        hub: Hub,
    ) -> None:
        self.read, self.render, self.hub = read, render, hub
        self._memo: dict[Any, tuple[Any, str]] = {}

    def __call__(self, keys: list[Any]) -> dict[Any, str]:
        values: dict[Any, Any] = {}
        for first in range(0, len(keys), self.READ_CHUNK):
            self.hub.let_writes_pass()
            values.update(self.read(keys[first : first + self.READ_CHUNK]))
        memo, out = self._memo, {}
        rendered = 0
        for key in keys:
            value = values.get(key)
            if value is None:
                continue
            last = memo.get(key)
            if last is not None and last[0] == value:
                out[key] = last[1]
                continue
            if rendered % self.PAUSE_EVERY == 0:
                self.hub.let_writes_pass()
            rendered += 1
            data = json.dumps(self.render(value), ensure_ascii=False)
            memo[key] = (value, data)
            out[key] = data
        if len(memo) > self.MEMO_MAX:  # pages that went away
            self._memo = {key: memo[key] for key in keys if key in memo}
        return out


def live_reader(request: Request, kind: str) -> LiveReader:
    """The app's one reader of what ``kind`` pages (ticket, board) are sent."""
    readers: dict[str, LiveReader] = request.app.state.live
    found = readers.get(kind)
    if found is not None:
        return found
    engine, hub = settings_of(request).engine, hub_of(request)
    templates = request.app.state.templates.env

    def fragment(name: str, **context: Any) -> str:
        html: str = templates.get_template(name).render(s=web, **context)
        return html

    reader: LiveReader
    if kind == "ticket":

        def render_ticket(found: CitizenTicket) -> dict[str, Any]:
            context = ticket_context(found)
            return {"html": fragment("ticket_live.html", t=context), **context["meta"]}

        reader = LiveReader(lambda tokens: citizen_tickets(engine, tokens), render_ticket, hub)
    else:
        voice = voice_of(request).available

        def read_boards(keys: list[tuple[str, ...] | None]) -> dict[Any, BoardState]:
            return {prefixes: board_state(engine, queues=prefixes) for prefixes in keys}

        def render_board(state: BoardState) -> dict[str, Any]:
            context = board_context(state, recent=RECENT_SHOWN, voice=voice)
            return {"html": fragment("board_live.html", b=context), **context["meta"]}

        reader = LiveReader(read_boards, render_board, hub)
    readers[kind] = reader
    return reader


def stream(request: Request, kind: str, key: Any, reader: LiveReader) -> StreamingResponse:
    """A page's server-sent events: ``state`` (the fragment and what the script needs) at once
    and whenever it changed, ``ping`` while nothing did, ``gone`` when the thing shown is gone
    (the script reloads the page, which then says so). It ends after the settings'
    ``stream_seconds``; the browser reconnects by itself. What it sends is made by the hub's
    one read per change for every page (see server.hub)."""
    settings, hub = settings_of(request), hub_of(request)
    live = f"{kind}-live"

    async def events() -> AsyncIterator[str]:
        hub.connected(kind, +1)
        hub.follow(live, key, reader)
        try:
            yield f"retry: {settings.retry_ms}\n\n"
            loop = asyncio.get_running_loop()
            deadline = loop.time() + settings.stream_seconds
            sent: str | None = None
            generation: int | None = None
            spoke = loop.time()  # when the page last heard from the stream
            while True:
                if generation != hub.generation:
                    generation = hub.generation
                    data: str | None
                    try:
                        data = await hub.read_each(live, key, reader)
                    except Exception:  # the database is away: the page keeps what it shows
                        data = sent
                    else:
                        if data is None:
                            yield "event: gone\ndata: {}\n\n"
                            return
                    if data is not None and data != sent:
                        sent, spoke = data, loop.time()
                        yield f"event: state\ndata: {data}\n\n"
                left = deadline - loop.time()
                if left <= 0 or hub.closed:
                    return
                quiet = spoke + settings.ping_seconds - loop.time()
                if quiet > 0:
                    await hub.changed(generation, timeout=min(quiet, left), follows=(live, key))
                elif not hub.closed:  # a ping while nothing changed for this page
                    spoke = loop.time()
                    yield "event: ping\ndata: {}\n\n"
                if hub.closed:
                    return
        finally:
            hub.unfollow(live, key)
            hub.connected(kind, -1)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={**NO_STORE, "X-Accel-Buffering": "no"},
    )
