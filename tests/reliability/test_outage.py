"""Outages seen through a served gateway: every route answers 503 in time while the upstream is
down, service resumes within RECOVERY seconds of its return without restarting the gateway, and
an exhausted connection pool sheds requests with 503 rather than piling them up.

The timings are functional deadlines with generous slack, not performance figures.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from gateway.api.routes.health import PROBE_MAX_AGE
from support.localpg import Cluster, create_database, free_port, gateway_url, scratch_cluster, sqitch
from support.serve import running_gateway
from tests.reliability.faults import children_of, wait_accepting
from tests.utils.standin import StandInPostgrest
from tests.utils.threads import Worker, start_all

TIMEOUT = 2.0  # PGQ_UPSTREAM_TIMEOUT
SLACK = 5.0  # on top of the timeout, for a shared and noisy machine
RECOVERY = 5.0 + SLACK  # seconds from the upstream's return to a POST and a GET served again
CHANNEL = "outage"
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/message", {"channel": CHANNEL, "message": {"seq": 0}}),
    ("GET", f"/queue/{CHANNEL}", None),
    ("GET", f"/messages?channel={CHANNEL}", None),
    ("GET", "/channels", None),
    ("GET", "/readyz", None),
]


@pytest.fixture(scope="module")
def outage_cluster() -> Iterator[Cluster]:
    """A cluster of this module's own, to stop, freeze and restart."""
    owned = scratch_cluster("outage")
    owned.start()
    try:
        yield owned
    finally:
        owned.remove()


@pytest.fixture
def admin_url(outage_cluster: Cluster) -> str:
    wait_accepting(outage_cluster)
    url = create_database(outage_cluster, f"pgq_outage_{os.getpid()}")
    sqitch("deploy", url, quiet=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE pgq.queue, pgq.archive")
    return url


WRITES = {"/message", f"/queue/{CHANNEL}"}


def assert_every_route_503(base: str) -> None:
    """A read is 503. A write is 503 when it was never sent or its rollback is confirmed; sent to a
    frozen server, its outcome is unknown: 504."""
    with httpx.Client(base_url=base, timeout=TIMEOUT + SLACK + 10) as client:
        for method, path, body in ROUTES:
            started = time.monotonic()
            answer = client.request(method, path, json=body)
            stale = path == "/readyz" and answer.status_code == 200  # its probe may be up to 1 s old
            while stale and time.monotonic() - started < PROBE_MAX_AGE + 1:
                answer = client.request(method, path, json=body)
                stale = answer.status_code == 200
            took = time.monotonic() - started
            allowed = {503, 504} if path in WRITES else {503}
            assert answer.status_code in allowed, f"{method} {path}: {answer.status_code} {answer.text}"
            assert isinstance(answer.json()["status"], str)
            assert took < TIMEOUT + SLACK, f"{method} {path} answered after {took:.1f} s"
        assert client.get("/healthz").status_code == 200


def seconds_until_served(base: str) -> float:
    """Until a POST is acknowledged and a dequeue answers 200 again."""
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=TIMEOUT + SLACK) as client:
        for method, path, body, want in [
            ("POST", "/message", {"channel": CHANNEL, "message": {"seq": 1}}, 201),
            ("GET", f"/queue/{CHANNEL}", None, 200),
        ]:
            while True:
                try:
                    if client.request(method, path, json=body).status_code == want:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() - started < 30, f"{method} {path} never answered {want}"
                time.sleep(0.05)
    return time.monotonic() - started


def freeze(cluster: Cluster, resume: bool = False) -> None:
    """SIGSTOP the postmaster and every backend: connections hang instead of failing."""
    postmaster = cluster.postmaster_pid()
    assert postmaster
    for pid in [postmaster, *children_of(postmaster)]:
        os.kill(pid, signal.SIGCONT if resume else signal.SIGSTOP)


FAULTS: dict[str, tuple[Callable[[Cluster], None], Callable[[Cluster], None]]] = {
    "stopped": (lambda c: c.stop("fast"), lambda c: c.start()),
    "crashed": (lambda c: c.stop("immediate"), lambda c: c.start()),
    "frozen": (freeze, lambda c: freeze(c, resume=True)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_direct_backend_outage(outage_cluster: Cluster, admin_url: str, fault: str) -> None:
    down, up = FAULTS[fault]
    with running_gateway(PGQ_DATABASE_URL=gateway_url(admin_url), PGQ_UPSTREAM_TIMEOUT=str(TIMEOUT),
                         PGQ_POOL_SIZE="4", PGQ_MAINTAIN_INTERVAL="0") as gateway:
        seconds_until_served(gateway.url)  # warm: pooled connections exist
        down(outage_cluster)
        try:
            assert_every_route_503(gateway.url)
        finally:
            up(outage_cluster)
        wait_accepting(outage_cluster)
        took = seconds_until_served(gateway.url)
        assert took < RECOVERY, f"served again only {took:.1f} s after the database came back"


def test_postgrest_backend_outage(admin_url: str) -> None:
    postgrest = StandInPostgrest(admin_url, free_port())
    postgrest.start()
    with running_gateway(PGQ_POSTGREST_URL=postgrest.url, PGQ_UPSTREAM_TIMEOUT=str(TIMEOUT),
                         PGQ_MAINTAIN_INTERVAL="0") as gateway:
        try:
            seconds_until_served(gateway.url)  # keep-alive connections are open
            postgrest.stop()
            assert_every_route_503(gateway.url)
        finally:
            postgrest.start()
        took = seconds_until_served(gateway.url)
        assert took < RECOVERY, f"served again only {took:.1f} s after PostgREST came back"
    postgrest.stop()


def test_exhausted_pool_sheds_with_503(admin_url: str) -> None:
    """Twelve requests for two pooled connections while a lock stalls every pgq call: each gets its
    503 within the timeout, the database never sees more than two gateway sessions, and nothing
    keeps running behind the lock once the answers are out."""
    pool, requests = 2, 12
    sessions = "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity " \
               "WHERE usename = 'pgq_gateway'"
    with running_gateway(PGQ_DATABASE_URL=gateway_url(admin_url), PGQ_UPSTREAM_TIMEOUT=str(TIMEOUT),
                         PGQ_POOL_SIZE=str(pool), PGQ_MAINTAIN_INTERVAL="0") as gateway, \
            psycopg.connect(admin_url) as locker, psycopg.connect(admin_url, autocommit=True) as watcher:
        locker.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
        most = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal most
            while not done.is_set():
                row = watcher.execute(sessions).fetchone()
                most = max(most, row[0] if row else 0)
                time.sleep(0.05)

        def call(index: int) -> tuple[int, float]:
            started = time.monotonic()
            with httpx.Client(base_url=gateway.url, timeout=TIMEOUT + SLACK + 10) as client:
                if index % 2:
                    answer = client.post("/message", json={"channel": CHANNEL, "message": {"n": index}})
                else:
                    answer = client.get(f"/queue/{CHANNEL}")
            assert answer.status_code == 503 and isinstance(answer.json()["status"], str), answer.text
            return answer.status_code, time.monotonic() - started

        [watching] = start_all([Worker(watch)])
        try:
            with ThreadPoolExecutor(requests) as executor:
                answers = list(executor.map(call, range(requests)))
        finally:
            done.set()
            watching.join()
        slowest = max(took for _, took in answers)
        assert slowest < TIMEOUT + SLACK, f"the slowest 503 took {slowest:.1f} s"
        assert most == pool, f"{most} gateway sessions for a pool of {pool}: it fills up, and no further"

        # The timed-out calls were cancelled in the database, not left waiting on the lock.
        deadline = time.monotonic() + SLACK
        while (row := watcher.execute(sessions).fetchone()) and row[1] > 0:
            assert time.monotonic() < deadline, f"{row[1]} gateway queries still running after their 503"
            time.sleep(0.1)
        locker.rollback()
        assert seconds_until_served(gateway.url) < RECOVERY
        queued = watcher.execute("SELECT message FROM pgq.queue UNION ALL SELECT message FROM pgq.archive")
        assert [row[0] for row in queued] == [{"seq": 1}], "a request answered 503 was stored after all"
