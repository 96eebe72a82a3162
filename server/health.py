"""Health and metrics for the IT person: ``/healthz`` and ``/metrics`` (Prometheus format)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from models.errors import DatabaseError, MashangbanError
from models.events import last_event_seq
from models.schema import HEAD, require_current
from models.views.metrics import day_counts
from models.views.status import hall_status

if TYPE_CHECKING:
    from server.hub import Hub

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """200 when the database answers and its schema is this version's; 503 (and why) else."""
    from sqlalchemy.exc import SQLAlchemyError

    from server.api import error_json

    engine = request.app.state.settings.engine
    hub: Hub = request.app.state.hub
    try:
        require_current(engine)
        mark = last_event_seq(engine)
    except MashangbanError as exc:
        return error_json(exc, status=503)
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return error_json(DatabaseError("db_error", detail=first), status=503)
    body: dict[str, Any] = {
        "status": "ok",
        "schema": HEAD,
        "change_mark": mark,
        "watcher": "failing" if hub.failing is not None else "ok",
        # LISTEN/NOTIFY (PostgreSQL, once its listener is connected) or polling the change mark
        "follows": "listen" if hub.listening else "poll",
        "voice": "espeak-ng" if request.app.state.voice.available else "silent",
        "pages": dict(hub.pages),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


class HallCollector(Collector):
    """Reads the hall at each scrape (one read transaction, as ``status``)."""

    def __init__(self, request: Request) -> None:
        self.engine = request.app.state.settings.engine
        self.hub: Hub = request.app.state.hub
        self.refusals = request.app.state.settings.refusals

    def collect(self) -> Iterator[Metric]:
        status = hall_status(self.engine)
        issued = GaugeMetricFamily(
            "mashangban_tickets_issued", "Tickets issued today, per queue", labels=["queue"]
        )
        waiting = GaugeMetricFamily(
            "mashangban_tickets_waiting", "Tickets waiting now, per queue", labels=["queue"]
        )
        longest = GaugeMetricFamily(
            "mashangban_longest_wait_minutes",
            "Minutes the longest-waiting ticket has waited, per queue",
            labels=["queue"],
        )
        for queue in status.queues:
            issued.add_metric([queue.prefix], queue.issued)
            waiting.add_metric([queue.prefix], queue.waiting)
            longest.add_metric([queue.prefix], queue.longest_wait_minutes)
        counts = day_counts(self.engine)
        calls = GaugeMetricFamily(
            "mashangban_calls_today", "Calls and recalls made today, per window", labels=["window"]
        )
        for window, count in sorted(counts.calls_by_window.items()):
            calls.add_metric([str(window)], count)
        jobs = GaugeMetricFamily(
            "mashangban_print_jobs_today", "Print jobs queued today, by state", labels=["state"]
        )
        for state in ("pending", "sent", "done", "uncertain", "failed"):
            jobs.add_metric([state], counts.print_jobs_by_state.get(state, 0))
        pages = GaugeMetricFamily(
            "mashangban_connected_pages", "Pages connected to this server now", labels=["page"]
        )
        for kind in ("ticket", "board"):
            pages.add_metric([kind], self.hub.pages[kind])
        refusals = CounterMetricFamily(
            "mashangban_api_refusals",
            "API requests refused for their key since the server started, by reason",
            labels=["reason"],
        )
        counts_ = self.refusals.counts
        for reason in ("api_key_missing", "api_key_wrong", "api_key_revoked", "api_key_scope"):
            refusals.add_metric([reason], counts_[reason])
        yield from (issued, waiting, longest, calls, jobs, pages, refusals)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HallCollector(request))
    try:
        body = generate_latest(registry)
    except MashangbanError as exc:
        from server.api import error_json

        return error_json(exc, status=503)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
