"""The app as `make run` serves it: uvicorn over a real socket, here with two worker processes
sharing their metrics through PROMETHEUS_MULTIPROC_DIR: both serve, and /metrics adds them up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from support.serve import running_gateway
from tests.utils.waiting import wait_for


@pytest.fixture
def multiproc(tmp_path: Path) -> Path:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    return folder


@pytest.fixture
def served(gateway_dsn: str, multiproc: Path) -> Iterator[str]:
    with running_gateway("--workers", "2", PGQ_DATABASE_URL=gateway_dsn, PGQ_MAX_BODY_BYTES="1000",
                         PGQ_METRICS_CACHE_SECONDS="0", PROMETHEUS_MULTIPROC_DIR=str(multiproc)) as gateway:
        yield gateway.url


def healthz_by_worker(multiproc: Path) -> dict[str, float]:
    """GET /healthz requests counted by each worker process, read from its own counter file."""
    counted: dict[str, float] = {}
    for path in multiproc.glob("counter_*.db"):
        for metric in MultiProcessCollector.merge([str(path)], accumulate=False):  # type: ignore[no-untyped-call]
            for sample in metric.samples:
                if sample.name == "http_requests_total" and sample.labels.get("handler") == "/healthz":
                    counted[path.stem] = counted.get(path.stem, 0) + sample.value
    return counted


def test_served_over_http(served: str, multiproc: Path) -> None:
    # The README's curl session: post, then dequeue twice.
    with httpx.Client(base_url=served) as client:
        assert client.post("/message", json={"channel": "two", "message": {"seq": 1}}).status_code == 201
        first, second = client.get("/queue/two"), client.get("/queue/two")
        assert first.status_code == 200 and first.json()["message"] == {"seq": 1}
        assert second.status_code == 204 and second.content == b""

        # A chunked body over the limit, over a real socket: 413 from the bytes read.
        chunks = [b'{"channel": "two", "message": {"pad": "', *[b"x" * 100] * 20, b'"}}']
        chunked = client.post("/message", content=iter(chunks), headers={"content-type": "application/json"})
        assert chunked.status_code == 413 and chunked.json()["status"].startswith("request body exceeds")

    # Fresh connections, until both workers have taken some; /metrics sums them all.
    sent = 0
    while sent < 20 or len([n for n in healthz_by_worker(multiproc).values() if n > 0]) < 2:
        assert sent < 500, f"one worker served every request: {healthz_by_worker(multiproc)}"
        assert httpx.get(f"{served}/healthz").status_code == 200
        sent += 1
    # A worker counts a request once its response is sent, so the client may read the files first.
    wait_for(lambda: sum(healthz_by_worker(multiproc).values()) == sent, f"{sent} /healthz counted")
    scraped = httpx.get(f"{served}/metrics").text
    families = {family.name: family for family in text_string_to_metric_families(scraped)}
    counted = {
        (sample.labels["handler"], sample.labels["status"]): sample.value
        for sample in families["http_requests"].samples
        if sample.name == "http_requests_total"
    }
    assert counted[("/healthz", "200")] == sent
    assert counted[("/queue/{channel}", "200")] == 1 and counted[("/queue/{channel}", "204")] == 1
    assert counted[("/message", "413")] == 1
    assert "pgqueue_queue_depth" in families
