"""What gateway tests share: the app served in-process, the answers they check, the scrape they read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.core.config import Settings
from gateway.db import Backend

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")

# Tests want to see every scrape's numbers, and no background maintenance.
QUIET: dict[str, Any] = {"maintain_interval": 0, "metrics_cache_seconds": 0}
# The admin routes are off without PGQ_ADMIN_TOKEN: the suite's gateways set this one, and their
# clients present it (it opens the data routes too). tests/gateway/test_admin.py covers the rest.
ADMIN_TOKEN = "admin-token"
AS_ADMIN: dict[str, Any] = {**QUIET, "admin_token": ADMIN_TOKEN}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

# The gateway's own sessions, as a FROM clause over pg_stat_activity: count, watch or end them.
GATEWAY_SESSIONS = "FROM pg_stat_activity WHERE usename = 'pgq_gateway' AND datname = current_database()"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextmanager
def serve(settings: Settings, backend: Backend | None = None,
          headers: dict[str, str] | None = None) -> Iterator[TestClient]:
    """The app with its lifespan running; server errors come back as responses, as a client sees them.
    The client sends `headers` with every request (the suite's clients: bearer(ADMIN_TOKEN))."""
    with TestClient(create_app(settings, backend), raise_server_exceptions=False, headers=headers) as client:
        yield client


def post(client: TestClient, channel: str, message: dict[str, Any]) -> int:
    """POST /message, checked to be stored: its new id."""
    response = client.post("/message", json={"channel": channel, "message": message})
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    assert response.json() == {"status": "Message inserted!", "id": new_id}
    assert isinstance(new_id, int)
    return new_id


def assert_empty_204(response: httpx.Response) -> None:
    assert response.status_code == 204
    assert response.content == b""


def assert_status(response: httpx.Response, code: int, *words: str) -> str:
    """An error answer: the status code, a JSON body {"status": "..."} and the words it should name."""
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["status"] and isinstance(body["status"], str) and body["status"]
    for word in words:
        assert word in body["status"], body
    return str(body["status"])


def samples(client: TestClient) -> Samples:
    """One scrape of /metrics: every sample by name and labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return samples_of(response.text)


def samples_of(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def gauge(scraped: Samples, name: str) -> dict[str, float]:
    """A per-channel gauge of a scrape, by channel."""
    return {dict(labels)["channel"]: value for (sample, labels), value in scraped.items() if sample == name}
