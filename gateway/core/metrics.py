"""/metrics: the HTTP metrics of every request (gateway.core.middleware.HttpMetrics), plus the broker's own
from pgq.stats() and pgq.horizon()."""

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
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.core.config import Settings
from gateway.core.errors import GatewayError
from gateway.core.middleware import instrument
from gateway.db import Backend

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
