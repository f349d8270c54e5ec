"""A status says what happened (direct backend): 503 only when nothing was done, the result even when
late, 504 when the outcome is unknown, and never later than the timeout plus GRACE_SECONDS."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from gateway.core.config import Settings
from gateway.core.errors import GRACE_SECONDS
from support.localpg import Cluster, create_database, gateway_url, scratch_cluster, sqitch
from tests.utils.client import GATEWAY_SESSIONS, QUIET, assert_status, post, serve
from tests.utils.waiting import wait_for

TIMEOUT = 1.0
SLACK = 3.0  # a shared, noisy machine


def waiting_on_lock(admin: psycopg.Connection[Any], function: str) -> int:
    """The pid of the gateway session whose pgq.<function> call waits on a lock."""
    for _ in range(200):
        row = admin.execute(
            f"SELECT pid {GATEWAY_SESSIONS} AND wait_event_type = 'Lock' AND query LIKE %s",
            (f"%pgq.{function}(%",),
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.02)
    raise AssertionError(f"no pgq.{function} call waited on the lock")


def queued(admin: psycopg.Connection[Any], channel: str) -> list[Any]:
    return [row[0] for row in admin.execute(
        "SELECT message FROM pgq.queue WHERE channel = %s ORDER BY id", (channel,)
    )]


def test_a_dequeue_answered_503_consumed_nothing(gateway_dsn: str, admin_url: str,
                                             admin: psycopg.Connection[Any]) -> None:
    """The issue's reproduction: pgq.archive locked, a dequeue of three times out, and the lock goes
    around the moment of the timeout. A 503 must mean the three messages are still queued, a 200
    that they are gone."""
    settings = Settings(database_url=gateway_dsn, upstream_timeout=TIMEOUT, **QUIET)
    with serve(settings) as client:
        for round_, offset in enumerate((-0.02, -0.01, 0.0, 0.0, 0.005, 0.01, 0.02, 0.05)):
            channel = f"dequeue{round_}"
            for seq in range(3):
                post(client, channel, {"seq": seq})
            with psycopg.connect(admin_url) as locker:
                locker.execute("LOCK TABLE pgq.archive IN ACCESS EXCLUSIVE MODE")
                unlock = threading.Timer(TIMEOUT + offset, locker.rollback)
                unlock.start()
                answer = client.get(f"/queue/{channel}", params={"count": 3})
                unlock.join()
            assert answer.status_code in (200, 503), answer.text
            if answer.status_code == 503:
                assert len(queued(admin, channel)) == 3, f"round {round_}: a 503 consumed messages"
            else:  # the cancel came too late: committed, and said so
                assert len(answer.json()) == 3 and queued(admin, channel) == [], answer.text


def test_a_read_only_server_is_503_and_its_session_dropped(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    """SQLSTATE 25006: a standby, e.g. the old primary after a failover. Its sessions are dropped, so
    that the pool connects afresh (to the new primary) rather than failing on the same session."""
    database = admin_url.rsplit("/", 1)[1]
    settings = Settings(database_url=gateway_dsn, upstream_timeout=TIMEOUT, pool_size=1, **QUIET)
    with serve(settings) as client:
        admin.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
        admin.execute(f"SELECT pg_terminate_backend(pid) {GATEWAY_SESSIONS}")
        time.sleep(0.5)  # for the gateway to read the termination: nothing outside shows when it has
        assert_status(client.post("/message", json={"channel": "ro", "message": {}}), 503, "(25006)")
        admin.execute(f"ALTER DATABASE {database} RESET default_transaction_read_only")
        post(client, "ro", {"seq": 1})  # on a new session: the read-only one was dropped
    assert queued(admin, "ro") == [{"seq": 1}]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("POST", "/message", 504),  # sent, and neither commit nor rollback confirmed
    ("GET", "/queue/frozen", 504),  # a dequeue writes too
    ("GET", "/messages?channel=frozen", 503),  # a read: nothing happened either way
])
def test_a_frozen_session_answers_within_the_grace(
    method: str, path: str, status: int, gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    """The server process of the call is stopped (SIGSTOP): the cancel gets no answer either. The
    session is dropped, and the answer comes by the timeout plus the grace."""
    settings = Settings(database_url=gateway_dsn, upstream_timeout=TIMEOUT, pool_size=1, **QUIET)
    function = {"/message": "enqueue", "/queue/frozen": "dequeue"}.get(path, "peek")
    with serve(settings) as client:
        post(client, "frozen", {"seq": 0})
        with ThreadPoolExecutor(1) as pool, psycopg.connect(admin_url) as locker:
            locker.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            body = {"channel": "frozen", "message": {"seq": 1}}
            answer = pool.submit(client.request, method, path, json=body)
            frozen = waiting_on_lock(admin, function)
            os.kill(frozen, signal.SIGSTOP)
            try:
                text = assert_status(answer.result(), status)
                took = time.monotonic() - started
            finally:
                os.kill(frozen, signal.SIGCONT)
                locker.rollback()
        assert took < TIMEOUT + GRACE_SECONDS + SLACK, f"answered after {took:.1f} s"
        assert text.startswith("outcome unknown" if status == 504 else "upstream unavailable"), text
        assert client.get("/messages", params={"channel": "frozen"}).status_code == 200  # a new session


@pytest.fixture
def sync_cluster() -> Iterator[Cluster]:
    cluster = scratch_cluster("syncrep")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()


def test_a_cancelled_synchronous_replication_wait_is_504(sync_cluster: Cluster) -> None:
    """With a synchronous standby that never confirms, every commit waits; the cancel at the timeout
    ends the wait with PostgreSQL's WARNING that the transaction committed locally. Neither 201 nor
    503 would be true: the message is stored here and perhaps not on the standby."""
    admin_url = create_database(sync_cluster, "pgqueue")
    sqitch("deploy", admin_url, quiet=True)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("INSERT INTO pgq.queue (channel, message) VALUES ('sync', '{\"seq\": 0}')")
        admin.execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
        admin.execute("SELECT pg_reload_conf()")
        wait_for(lambda: admin.execute("SHOW synchronous_standby_names").fetchone() == ("nobody",),
                 "the setting reloaded")
        settings = Settings(database_url=gateway_url(admin_url), upstream_timeout=TIMEOUT, **QUIET)
        with serve(settings) as client:
            started = time.monotonic()
            body = {"channel": "sync", "message": {"seq": 1}}
            text = assert_status(client.post("/message", json=body), 504)
            assert time.monotonic() - started < TIMEOUT + GRACE_SECONDS + SLACK
            assert text.startswith("outcome unknown"), text
            assert_status(client.get("/queue/sync"), 504)
            assert client.get("/messages", params={"channel": "sync"}).status_code == 200  # commits nothing
        assert queued(admin, "sync") == [{"seq": 1}], "the dequeue committed locally, the enqueue too"
