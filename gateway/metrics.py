"""/metrics: HTTP metrics from prometheus-fastapi-instrumentator, plus queue gauges from pgq.stats()."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
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
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator

from gateway.backends import Backend
from gateway.errors import GatewayError
from gateway.settings import Settings

# A broker answers in milliseconds: the instrumentator's default 0.1/0.5/1 s
# buckets would put every request in the first one.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
OTHER = "_other"  # never a channel name: channels start with a letter or digit


class QueueStats(Collector):
    """The last pgq.stats() answer, read at most once per cache period however many scrapes
    come, and folded to the deepest channels so the label set stays bounded."""

    def __init__(self, top: int, cache_seconds: float) -> None:
        self._top = top
        self._cache_seconds = cache_seconds
        self._rows: list[dict[str, Any]] = []
        self._fetched = -float("inf")
        self._lock = asyncio.Lock()

    async def refresh(self, backend: Backend) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched < self._cache_seconds:
                return
            try:
                self._rows = await backend.rows("stats", {})
            except GatewayError:
                self._rows = []  # no gauges beats stale gauges; the error is already logged
            self._fetched = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("pgqueue_queue_depth", "Messages waiting, by channel", labels=["channel"])
        age = GaugeMetricFamily(
            "pgqueue_oldest_message_age_seconds", "Age of the oldest waiting message, by channel",
            labels=["channel"],
        )
        ranked = sorted(self._rows, key=lambda row: (-row["depth"], row["channel"]))
        for row in ranked[: self._top]:
            depth.add_metric([row["channel"]], row["depth"])
            if row["oldest_age_seconds"] is not None:  # None: a channel with dead letters only
                age.add_metric([row["channel"]], row["oldest_age_seconds"])
        if rest := ranked[self._top :]:
            depth.add_metric([OTHER], sum(row["depth"] for row in rest))
            ages = [row["oldest_age_seconds"] for row in rest if row["oldest_age_seconds"] is not None]
            if ages:
                age.add_metric([OTHER], max(ages))
        yield depth
        yield age


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
        Instrumentator(should_group_status_codes=False, registry=self.registry).instrument(
            app, latency_lowr_buckets=LATENCY_BUCKETS, latency_highr_buckets=LATENCY_BUCKETS
        )

    async def render(self, backend: Backend) -> bytes:
        await self.stats.refresh(backend)
        if not self._multiprocess:
            return generate_latest(self.registry)
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
        scrape.register(self.stats)
        return generate_latest(scrape)
