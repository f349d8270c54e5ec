"""The direct backend when PostgreSQL stops, stalls or comes back: 503 within the timeout, then recovery."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from gateway.core.config import Settings
from support.localpg import Cluster, create_database, gateway_url, scratch_cluster, sqitch
from tests.utils.client import QUIET, assert_status, gauge, post, samples, serve
from tests.utils.waiting import wait_for

TIMEOUT = 2.0


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A cluster this test may stop and start."""
    cluster = scratch_cluster("gateway-outage")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()


def within(seconds: float, call: Callable[[], httpx.Response]) -> httpx.Response:
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < seconds, f"answered after {time.monotonic() - started:.1f} s"
    return response


def test_database_stopped_is_503_then_recovers(own_cluster: Cluster) -> None:
    admin = create_database(own_cluster, "pgqueue")
    sqitch("deploy", admin, quiet=True)
    settings = Settings(database_url=gateway_url(admin), upstream_timeout=TIMEOUT, **QUIET)
    with serve(settings) as client:
        post(client, "two", {"seq": 1})
        assert gauge(samples(client), "pgqueue_queue_depth") == {"two": 1}

        own_cluster.stop("fast")
        limit = TIMEOUT + 5
        new = {"channel": "two", "message": {}}
        assert_status(within(limit, lambda: client.post("/message", json=new)), 503)
        assert_status(within(limit, lambda: client.get("/queue/two")), 503, "upstream unavailable")
        assert_status(within(limit, lambda: client.get("/messages?channel=two")), 503)
        assert_status(within(limit, lambda: client.get("/channels")), 503)
        assert_status(within(limit, lambda: client.get("/readyz")), 503)
        assert client.get("/healthz").status_code == 200
        assert gauge(samples(client), "pgqueue_queue_depth") == {}  # no stale gauges

        own_cluster.start()
        wait_for(lambda: client.get("/readyz").status_code == 200, "ready again", timeout=10)
        assert client.get("/queue/two").json()["message"] == {"seq": 1}
        post(client, "two", {"seq": 2})


def test_a_stalled_database_is_503_at_the_timeout(gateway_dsn: str, admin_url: str) -> None:
    """A lock held elsewhere stalls every enqueue and dequeue; with a one-connection pool the second
    request also waits for the connection. Both answer 503 in time, and the pool still works after."""
    settings = Settings(database_url=gateway_dsn, upstream_timeout=1, pool_size=1, **QUIET)
    with serve(settings) as client, psycopg.connect(admin_url) as locker:
        post(client, "two", {"seq": 1})
        locker.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(2) as pool:
            calls: list[Callable[[], Any]] = [
                lambda: within(6, lambda: client.get("/queue/two")),
                lambda: within(6, lambda: client.post("/message", json={"channel": "two", "message": {}})),
            ]
            answers = [future.result() for future in [pool.submit(call) for call in calls]]
        for answer in answers:
            assert_status(answer, 503, "upstream unavailable")
        locker.rollback()
        assert client.get("/queue/two").json()["message"] == {"seq": 1}
