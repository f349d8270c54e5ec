"""/metrics: the HTTP metrics of every request, plus the broker's own from pgq.stats() and pgq.horizon()."""

from __future__ import annotations

import asyncio
import heapq
import os
import time
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.config import Settings
from gateway.core.errors import GatewayError
from gateway.db import Backend

# A broker answers in milliseconds: prometheus_client's default buckets (from 5 ms, then
# 10 ms, 25 ms...) would put most requests in the first one.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
OTHER = "_other"  # never a channel name: channels start with a letter or digit


# pgq.stats() columns as metrics: name, help, column, and how the channels past the top N combine.
Family = tuple[str, str, str, Callable[[list[float]], float]]
GAUGES: tuple[Family, ...] = (
    ("pgqueue_queue_depth", "Messages waiting, by channel", "depth", sum),
    ("pgqueue_oldest_message_age_seconds", "Age of the oldest ready message, by channel",
     "oldest_age_seconds", max),
    ("pgqueue_delayed_messages", "Messages not ready yet (a delay, or a nack's), by channel", "delayed", sum),
    ("pgqueue_leased_messages", "Messages leased and not yet acknowledged, by channel", "leased", sum),
    ("pgqueue_dead_letters", "Messages in the dead letters, by channel", "dead", sum),
)
# pgq.horizon()'s one row as gauges without labels: name, help, column.
HORIZON: tuple[tuple[str, str, str], ...] = (
    ("pgqueue_horizon_held_seconds",
     "Age of the oldest open transaction holding the database's horizon back (0 if none)", "held_seconds"),
    ("pgqueue_horizon_held_transactions",
     "Transaction ids since the oldest transaction, replication slot or standby feedback began holding "
     "the horizon",
     "held_transactions"),
    ("pgqueue_queue_dead_versions", "Dead row versions in pgq.queue that autovacuum could not remove yet",
     "queue_dead_versions"),
)
# Counted by the database, so psql's traffic counts too, and a gateway restart resets nothing.
COUNTERS: tuple[Family, ...] = (
    ("pgqueue_messages_enqueued", "Messages enqueued, by channel", "enqueued", sum),
    ("pgqueue_messages_consumed", "Messages consumed (dequeued or acknowledged), by channel", "consumed",
     sum),
)


def instrument(app: FastAPI, registry: CollectorRegistry = REGISTRY) -> None:
    """Count and time every request (`make bench`'s baseline app is instrumented the same way)."""
    app.add_middleware(HttpMetrics, routes=app.router.routes, families=(
        Counter("http_requests_total", "Total number of requests by method, status and handler.",
                ("method", "status", "handler"), registry=registry),
        Histogram("http_request_duration_seconds", "Duration of HTTP requests in seconds, by handler.",
                  ("method", "handler"), buckets=LATENCY_BUCKETS, registry=registry),
    ))


class HttpMetrics:
    """Pure ASGI, outermost: every answer is counted, refusals before routing too. The families and
    labels the dashboards read (monitoring/), as prometheus-fastapi-instrumentator names them, from
    what a request passes by anyway: the route the router put in the scope, the status sent, with
    none of the instrumentator's per-request routing again, Request and Response objects, or size
    and second latency families. The handler is the route's path template; a request refused before
    routing is matched against the routes afterwards; a path no route has is "none", so the label
    set stays bounded."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute], families: tuple[Counter, Histogram]) -> None:
        self.app = app
        self.routes = routes
        self.total, self.latency = families

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            handler = self._handler(scope)
            self.total.labels(scope["method"], str(status), handler).inc()
            self.latency.labels(scope["method"], handler).observe(time.perf_counter() - started)

    def _handler(self, scope: Scope) -> str:
        route = scope.get("route") or self._match(scope)
        return getattr(route, "path", None) or "none"

    def _match(self, scope: Scope) -> BaseRoute | None:
        """A full match, else the first partial one (the path's route, another method)."""
        partial = None
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return route
            partial = partial or (route if match == Match.PARTIAL else None)
        return partial


class QueueStats(Collector):
    """The last pgq.stats() answer, folded to the top channels so the label set stays bounded:
    the deepest for the gauges, the busiest so far for the counters. A ranking by a running total
    rarely changes, and a counter series that moves in or out of "_other" looks like a reset to
    Prometheus.

    A scrape never waits for the database, except for the first one: when the answer is older than
    the cache period, the scrape is served the folded answer at hand and a refresh starts in the
    background (one at a time, however many scrapes come). Folding happens once per refresh, so a
    scrape costs the same at 100,000 channels as at ten. With a cache period of 0, every scrape
    waits for a fresh answer."""

    def __init__(self, top: int, cache_seconds: float) -> None:
        self._top = top
        self._cache_seconds = cache_seconds
        self._families: list[Metric] = []
        self._fetched: float | None = None
        self._refreshing: asyncio.Task[None] | None = None

    async def refresh(self, backend: Backend) -> None:
        if self._fetched is not None and time.monotonic() - self._fetched < self._cache_seconds:
            return
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._refresh(backend))
        if self._fetched is None or self._cache_seconds == 0:
            await asyncio.shield(self._refreshing)

    async def _refresh(self, backend: Backend) -> None:
        try:
            rows = await backend.rows("stats", {})
            horizon = await backend.rows("horizon", {})
        except GatewayError:
            rows, horizon = [], []  # no gauges beats stale gauges; the error is already logged
        # In a thread: at 100,000 channels folding takes long enough to hold up every request.
        self._families = [*await asyncio.to_thread(self._fold, rows), *self._horizon(horizon)]
        self._fetched = time.monotonic()

    def _fold(self, rows: list[dict[str, Any]]) -> list[Metric]:
        return [
            *self._folded(rows, GAUGES, "depth", GaugeMetricFamily),
            *self._folded(rows, COUNTERS, "enqueued", CounterMetricFamily),
        ]

    @staticmethod
    def _horizon(rows: list[dict[str, Any]]) -> Iterator[Metric]:
        for row in rows:
            for name, doc, column in HORIZON:
                yield GaugeMetricFamily(name, doc, value=row[column])

    def collect(self) -> Iterator[Metric]:
        yield from self._families

    def _folded(
        self,
        rows: list[dict[str, Any]],
        families: tuple[Family, ...],
        rank_by: str,
        kind: type[GaugeMetricFamily | CounterMetricFamily],
    ) -> Iterator[Metric]:
        # pgq.stats() lists channels by name, and nlargest keeps that order among equals.
        shown = heapq.nlargest(self._top, rows, key=itemgetter(rank_by))
        names = {row["channel"] for row in shown}
        rest = [row for row in rows if row["channel"] not in names] if len(rows) > len(shown) else []
        for name, doc, column, combine in families:
            family = kind(name, doc, labels=["channel"])
            for row in shown:
                if row[column] is not None:  # an age is None for a channel with no queued message
                    family.add_metric([row["channel"]], row[column])
            if folded := [row[column] for row in rest if row[column] is not None]:
                family.add_metric([OTHER], combine(folded))
            yield family


class Metrics:
    def __init__(self, settings: Settings) -> None:
        # With several worker processes, prometheus_client writes every sample to
        # PROMETHEUS_MULTIPROC_DIR and a scrape sums the files of all workers.
        self._multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        self.registry = CollectorRegistry()
        self.stats = QueueStats(settings.metrics_top_channels, settings.metrics_cache_seconds)
        self.registry.register(self.stats)
        if not self._multiprocess:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    def instrument(self, app: FastAPI) -> None:
        instrument(app, self.registry)

    async def render(self, backend: Backend) -> bytes:
        await self.stats.refresh(backend)
        if not self._multiprocess:
            return generate_latest(self.registry)
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
        scrape.register(self.stats)
        return generate_latest(scrape)
