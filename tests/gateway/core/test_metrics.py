"""/metrics: per-route-template HTTP metrics and the pgqueue gauges from pgq.stats()."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.core.config import Settings
from gateway.db import Cut, Deadline
from tests.utils.client import QUIET, gauge, post, samples, samples_of, serve
from tests.utils.fakes import StubBackend
from tests.utils.waiting import wait_for


def requests_total(client: TestClient, **labels: str) -> float:
    return samples(client).get(("http_requests_total", frozenset(labels.items())), 0.0)


def test_requests_are_labelled_by_route_template_and_exact_status(client: TestClient, channel: str) -> None:
    post(client, channel, {"seq": 1})
    client.get(f"/queue/{channel}")
    client.get(f"/queue/{channel}")
    client.get(f"/queue/{channel}x")
    client.get("/queue/-bad")
    handler = "/queue/{channel}"
    assert requests_total(client, handler=handler, method="GET", status="200") == 1
    assert requests_total(client, handler=handler, method="GET", status="204") == 2
    assert requests_total(client, handler=handler, method="GET", status="400") == 1
    assert requests_total(client, handler="/message", method="POST", status="201") == 1
    assert not any(dict(labels).get("handler", "").startswith("/queue/t") for _, labels in samples(client))


def test_refusals_before_routing_are_counted_by_the_route_their_path_has(gateway_dsn: str) -> None:
    """The Guard answers 401 and 413 before the router runs: the handler is still the route template,
    or "none" for a path no route has; a known path with another method is that route's (405)."""
    settings = Settings(database_url=gateway_dsn, api_token="t0ken", max_body_bytes=100, **QUIET)
    with serve(settings) as client:
        assert client.post("/message", json={"channel": "c", "message": {}}).status_code == 401
        assert client.get("/queue/c").status_code == 401
        assert client.get("/nowhere/at/all").status_code == 401
        bearer = {"Authorization": "Bearer t0ken"}
        assert client.post("/message", content=b"x" * 101, headers=bearer).status_code == 413
        assert client.delete("/message", headers=bearer).status_code == 405
        assert client.get("/nowhere", headers=bearer).status_code == 404
        counted = {(labels["handler"], labels["method"], labels["status"]): value
                   for (name, frozen), value in samples(client).items()
                   if name == "http_requests_total" and (labels := dict(frozen))["handler"] != "/metrics"}
    assert counted == {("/message", "POST", "401"): 1, ("/queue/{channel}", "GET", "401"): 1,
                       ("none", "GET", "401"): 1, ("/message", "POST", "413"): 1,
                       ("/message", "DELETE", "405"): 1, ("none", "GET", "404"): 1}


def test_latency_buckets_run_from_a_millisecond(client: TestClient) -> None:
    client.get("/healthz")
    bounds = {
        dict(labels)["le"]
        for name, labels in samples(client)
        if name == "http_request_duration_seconds_bucket" and dict(labels)["handler"] == "/healthz"
    }
    assert {"0.001", "0.005", "0.1", "2.5", "+Inf"} <= bounds


def test_queue_gauges(direct: TestClient) -> None:
    for seq in range(3):
        post(direct, "deep", {"seq": seq})
    post(direct, "shallow", {"seq": 0})
    scraped = samples(direct)
    assert gauge(scraped, "pgqueue_queue_depth") == {"deep": 3, "shallow": 1}
    ages = gauge(scraped, "pgqueue_oldest_message_age_seconds")
    assert set(ages) == {"deep", "shallow"} and all(0 <= age < 60 for age in ages.values())

    direct.get("/queue/shallow")
    assert gauge(samples(direct), "pgqueue_queue_depth") == {"deep": 3, "shallow": 0}, "emptied, still listed"


def test_channels_past_the_top_n_fold_into_other(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    admin.execute("""
        SELECT pgq.enqueue_batch(c, jsonb_agg(jsonb_build_object('seq', i)))
        FROM (VALUES ('a', 4), ('b', 3), ('c', 2), ('d', 1)) AS v(c, n), generate_series(1, n) AS i
        GROUP BY c""")
    admin.execute("UPDATE pgq.queue SET created_at = now() - interval '1 hour' WHERE channel = 'd'")
    with serve(Settings(database_url=gateway_dsn, **{**QUIET, "metrics_top_channels": 2})) as client:
        scraped = samples(client)
    assert gauge(scraped, "pgqueue_queue_depth") == {"a": 4, "b": 3, "_other": 3}
    assert 3600 <= gauge(scraped, "pgqueue_oldest_message_age_seconds")["_other"] < 3700


def test_a_channel_of_dead_letters_only_has_depth_but_no_age(
    direct: TestClient, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason) "
                  "VALUES (1, 'gone', '{}', now(), 5, 'max_deliveries')")
    scraped = samples(direct)
    assert gauge(scraped, "pgqueue_queue_depth") == {"gone": 0}
    assert gauge(scraped, "pgqueue_oldest_message_age_seconds") == {}


def test_stats_are_cached_between_scrapes(gateway_dsn: str) -> None:
    with serve(Settings(database_url=gateway_dsn, maintain_interval=0, metrics_cache_seconds=300)) as client:
        post(client, "two", {"seq": 1})
        assert gauge(samples(client), "pgqueue_queue_depth") == {"two": 1}
        post(client, "two", {"seq": 2})
        assert gauge(samples(client), "pgqueue_queue_depth") == {"two": 1}


def test_metrics_is_not_in_the_api_description(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]




def test_broker_metrics_after_known_traffic(direct: TestClient, admin: psycopg.Connection[Any]) -> None:
    batch = {"channel": "m", "messages": [{"seq": i} for i in range(5)]}
    assert direct.post("/messages", json=batch).status_code == 201
    post(direct, "m", {"seq": 5})
    admin.execute("""SELECT pgq.enqueue('m', '{"seq": 6}')""")  # a DBA's enqueue counts too
    assert direct.post("/message", json={"channel": "m", "message": {}, "delay": 600}).status_code == 201
    assert len(direct.get("/queue/m?count=2").json()) == 2
    leased = direct.get("/queue/m?visibility=60&count=2").json()
    ack = direct.post("/queue/m/ack", json={"id": leased[0]["id"], "receipt": leased[0]["receipt"]})
    assert ack.status_code == 200
    admin.execute("SELECT pgq.configure('d', max_deliveries => 1)")
    admin.execute("""SELECT pgq.enqueue('d', '{}')""")
    admin.execute("SELECT pgq.lease('d')")
    admin.execute("UPDATE pgq.queue SET visible_at = now() WHERE channel = 'd'")
    admin.execute("DELETE FROM pgq.head")  # time forged by hand: the heads start over (docs/sql.md)
    admin.execute("SELECT pgq.lease('d')")  # the second delivery of a max_deliveries 1 message: dead

    scraped = samples(direct)
    assert gauge(scraped, "pgqueue_queue_depth") == {"m": 3, "d": 0}
    assert gauge(scraped, "pgqueue_leased_messages") == {"m": 1, "d": 0}
    assert gauge(scraped, "pgqueue_delayed_messages") == {"m": 1, "d": 0}
    assert gauge(scraped, "pgqueue_dead_letters") == {"m": 0, "d": 1}
    assert gauge(scraped, "pgqueue_messages_enqueued_total") == {"m": 8, "d": 1}
    assert gauge(scraped, "pgqueue_messages_consumed_total") == {"m": 3, "d": 0}
    families = {f.name: f.type for f in text_string_to_metric_families(direct.get("/metrics").text)}
    assert families["pgqueue_messages_enqueued"] == families["pgqueue_messages_consumed"] == "counter"
    assert families["pgqueue_leased_messages"] == families["pgqueue_dead_letters"] == "gauge"
    assert families["pgqueue_delayed_messages"] == "gauge"


def test_counters_fold_the_least_busy_channels_into_other(
    gateway_dsn: str, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("""
        SELECT pgq.enqueue_batch(c, jsonb_agg(jsonb_build_object('seq', i)))
        FROM (VALUES ('a', 1), ('b', 5), ('c', 2)) AS v(c, n), generate_series(1, n) AS i
        GROUP BY c""")
    admin.execute("SELECT pgq.dequeue('b', 5)")  # the busiest so far, though empty now
    with serve(Settings(database_url=gateway_dsn, **{**QUIET, "metrics_top_channels": 1})) as client:
        scraped = samples(client)
    assert gauge(scraped, "pgqueue_messages_enqueued_total") == {"b": 5, "_other": 3}
    assert gauge(scraped, "pgqueue_messages_consumed_total") == {"b": 5, "_other": 0}
    assert gauge(scraped, "pgqueue_queue_depth") == {"c": 2, "_other": 1}, "gauges still rank by depth"


def test_a_scrape_at_100000_channels_is_small(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    """Channels of uneven size, 100,000 of them: the answer stays far under 200 KB, because every
    pgqueue_ family shows at most PGQ_METRICS_TOP_CHANNELS channels plus `_other`."""
    admin.execute("INSERT INTO pgq.queue (channel, message) "
                  "SELECT 'c' || (g % 100000), '{}' FROM generate_series(1, 150000) AS g")
    settings = Settings(database_url=gateway_dsn, **QUIET)
    with serve(settings) as client:
        scrape = client.get("/metrics")
    assert len(scrape.content) < 200_000, f"{len(scrape.content)} bytes"
    depth = gauge(samples_of(scrape.text), "pgqueue_queue_depth")
    assert len(depth) == settings.metrics_top_channels + 1 and sum(depth.values()) == 150_000


class SlowStats(StubBackend):
    """A backend whose pgq.stats() takes `seconds` and reports one more message each time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        if function == "horizon":
            return [{"held_seconds": 0.0, "held_transactions": 0, "queue_dead_versions": 0}]
        self.calls += 1
        await asyncio.sleep(self.seconds if self.calls > 1 else 0)
        return [{"channel": "slow", "depth": self.calls, "oldest_age_seconds": 1.0, "delayed": 0,
                 "leased": 0, "dead": 0, "enqueued": self.calls, "consumed": 0}]

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        return b"[]"

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        return None


def test_a_scrape_does_not_wait_for_the_database(gateway_dsn: str) -> None:
    """Once the cache period is over, a scrape is answered with what is at hand while one refresh
    runs in the background; the next scrape after it sees the new numbers."""
    backend = SlowStats(seconds=3)
    settings = Settings(postgrest_url="http://unused.invalid", maintain_interval=0, metrics_cache_seconds=0.1)
    with serve(settings, backend) as client:
        assert gauge(samples(client), "pgqueue_queue_depth") == {"slow": 1}
        time.sleep(0.2)  # the cache period running out is the subject
        started = time.monotonic()
        for _ in range(5):
            assert gauge(samples(client), "pgqueue_queue_depth") == {"slow": 1}
        assert time.monotonic() - started < backend.seconds / 2, "a scrape waited for the refresh"
        wait_for(lambda: gauge(samples(client), "pgqueue_queue_depth") == {"slow": 2}, "new numbers")
    assert backend.calls in (2, 3), "one refresh at a time, however often scraped"


def test_horizon_gauges_on_both_backends(client: TestClient) -> None:
    scraped = samples(client)
    for name in ("pgqueue_horizon_held_seconds", "pgqueue_horizon_held_transactions",
                 "pgqueue_queue_dead_versions"):
        assert scraped[(name, frozenset())] >= 0


def test_horizon_gauges_climb_while_a_transaction_holds_it(direct: TestClient, admin_url: str) -> None:
    with psycopg.connect(admin_url) as holder:
        holder.execute("SELECT txid_current()")
        time.sleep(1.5)  # the age of the held horizon is the subject
        scraped = samples(direct)
    assert scraped[("pgqueue_horizon_held_seconds", frozenset())] >= 1.5
    assert scraped[("pgqueue_horizon_held_transactions", frozenset())] >= 1
