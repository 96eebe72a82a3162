"""`mashangban serve`: the hall server on uvicorn (imported only when it runs)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from appkit.launch import hall_engine

SWITCH_SECONDS = 0.001
"""The interpreter's thread switch interval in the server (see serve)."""
GRACE_SECONDS = 2
"""On stop, open page streams get this long before they are closed (the pages reconnect)."""


def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every network of this host)."
    ),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Start the hall server: the citizen's ticket page, the browser board, the API."""
    engine = hall_engine(ctx)  # an uninitialised or outdated database is refused here
    check_address(host, port)
    import uvicorn

    from server.app import ServerSettings, create_app

    typer.echo(f"马上办 hall server: http://{host}:{port}/board  (Ctrl+C stops it)", err=True)
    from server.voice import can_speak

    if not can_speak():  # said once, to whoever starts it: the public board says nothing of it
        from models.text import web

        typer.echo(f"! {web.zh('board_silent')}\n  {web.en('board_silent')}", err=True)
    log_api_keys()
    app = create_app(ServerSettings(engine=engine, quiet_gc=True))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=GRACE_SECONDS,
        proxy_headers=True,
    )
    # The fan-out's reads and renders run in worker threads: a request's thread (and the event
    # loop) waits at most this long for the interpreter lock at each step, not the default 5 ms
    # (measured: requests arriving during a fan-out waited up to 80 ms with 5 ms).
    sys.setswitchinterval(SWITCH_SECONDS)
    server = uvicorn.Server(config)
    stop = server.handle_exit

    def handle_exit(sig: int, frame: Any) -> None:
        # The pages' streams never end by themselves: end them as the server stops, so that it
        # stops at once and cleanly (the pages say they are reconnecting, and do).
        app.state.hub.close_soon()
        stop(sig, frame)

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    server.run()


def log_api_keys() -> None:
    """Each use of the booking API, with the key's name (never a name or mobile number), on
    stderr: uvicorn itself logs warnings only."""
    import logging
    import sys

    log = logging.getLogger("mashangban.server.booking")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False  # once, not again by a root handler


def check_address(host: str, port: int) -> None:
    """Refuse (in both languages, exit 1) an address this host cannot listen on — a port in
    use, a host name that is no address of this host — before the server starts."""
    import socket

    from models.errors import Refused

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise Refused(
            "cannot_listen", host=host, port=port, reason=exc.strerror or str(exc)
        ) from None
