"""The direct backend follows the primary: given a URL with target_session_attrs=read-write, its pool and
its LISTEN connection find a writable server again by themselves, with no restart.

Here a "failover" is played on one server: every gateway session is cut and, for a while, the gateway's
role gets default_transaction_read_only (what a standby reports), so no host accepts writes. The real
thing, with pg_auto_failover and SIGKILL, is tests/reliability/test_failover.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.api.routes.health import PROBE_MAX_AGE
from gateway.core.config import Settings
from tests.utils.client import QUIET, post, serve
from tests.utils.waiting import wait_for, watched


@pytest.fixture
def follower(gateway_dsn: str) -> Iterator[TestClient]:
    with serve(Settings(database_url=f"{gateway_dsn}?target_session_attrs=read-write", **QUIET)) as served:
        yield served


def lose_the_primary(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """From now on every host the gateway reaches is read-only, and its sessions are gone."""
    database = admin.info.dbname
    admin.execute(f'ALTER ROLE pgq_gateway IN DATABASE "{database}" SET default_transaction_read_only = on')
    admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                  " WHERE usename = 'pgq_gateway' AND datname = current_database()")
    # A request racing the termination message on an idle pooled session meets asyncpg's "cannot switch
    # to state" (issue 12's crash 500s, not this test's subject): let the gateway see its sessions close.
    time.sleep(0.5)


def promote(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    database = admin.info.dbname
    admin.execute(f'ALTER ROLE pgq_gateway IN DATABASE "{database}" RESET default_transaction_read_only')


def test_no_writable_host_is_503_and_the_same_gateway_serves_once_there_is_one(
    follower: TestClient, admin: psycopg.Connection[tuple[object, ...]], channel: str
) -> None:
    post(follower, channel, {"seq": 1})
    lose_the_primary(admin)
    for path in ("/readyz", f"/queue/{channel}"):
        answer = follower.get(path)
        assert answer.status_code == 503, (path, answer.status_code, answer.text)
    promote(admin)
    # /readyz answers from a probe up to PROBE_MAX_AGE old: ready again within that, not at once.
    wait_for(lambda: follower.get("/readyz").status_code == 200, "ready again", timeout=PROBE_MAX_AGE + 30)
    assert follower.get(f"/queue/{channel}").json()["message"] == {"seq": 1}


def test_a_long_poll_waiter_keeps_waiting_across_the_switch_and_gets_its_message(
    follower: TestClient, admin: psycopg.Connection[tuple[object, ...]], channel: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def reconnects_failed() -> int:
        return sum("pgq.watch failed" in record.getMessage() for record in caplog.records)

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(follower.get, f"/queue/{channel}", params={"wait": 20})
        wait_for(lambda: watched(admin, channel), "the waiter registered")
        lose_the_primary(admin)
        wait_for(lambda: reconnects_failed() >= 2, "the listener finding no writable host, twice")
        assert not waiting.done(), "the waiter keeps waiting while there is no primary"
        promote(admin)
        admin.execute("SELECT pgq.enqueue(%s, '{\"seq\": 2}')", (channel,))
        answer = waiting.result(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == {"seq": 2}
