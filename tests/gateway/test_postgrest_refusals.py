"""PostgREST's own refusals, served by the stand-in, reach the client as the gateway's 503: a pool with
no free connection (PGRST003), a database it cannot reach (PGRST000), and the anonymous role's
statement_timeout (57014), which PostgREST applies on every request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.core.config import Settings
from support.localpg import free_port
from tests.utils.client import QUIET, assert_status, serve
from tests.utils.standin import StandInPostgrest

UPSTREAM_TIMEOUT = 30.0  # longer than anything below, so the answers are PostgREST's own


@pytest.fixture
def stand_in(admin_url: str) -> Iterator[StandInPostgrest]:
    served = StandInPostgrest(admin_url, pool_size=1, acquisition_timeout=0.5)
    served.start()
    yield served
    served.stop()


def gateway_over(url: str) -> AbstractContextManager[TestClient]:
    return serve(Settings(postgrest_url=url, upstream_timeout=UPSTREAM_TIMEOUT, **QUIET))


def test_a_pool_with_no_free_connection_is_503(stand_in: StandInPostgrest) -> None:
    with gateway_over(stand_in.url) as client, stand_in._pool.connection():
        assert_status(client.get("/channels"), 503, "upstream unavailable")


def test_an_unreachable_database_is_503() -> None:
    nowhere = StandInPostgrest(f"postgresql://postgres@127.0.0.1:{free_port()}/pgq")
    nowhere.start()
    try:
        with gateway_over(nowhere.url) as client:
            assert_status(client.post("/message", json={"channel": "c", "message": {}}), 503)
    finally:
        nowhere.stop()


def test_the_anonymous_roles_statement_timeout_holds(
    stand_in: StandInPostgrest, admin_url: str
) -> None:
    """pgq_client's statement_timeout (5 s) cancels a call stuck behind a lock, long before the
    gateway's own timeout; with a bare SET ROLE it would wait for the lock."""
    with gateway_over(stand_in.url) as client, psycopg.connect(admin_url) as locker:
        locker.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.post("/message", json={"channel": "c", "message": {}})
        took = time.monotonic() - started
        locker.rollback()
    assert_status(response, 503, "(57014)")  # the role's statement_timeout, not the gateway's own
    assert took < UPSTREAM_TIMEOUT, "cancelled by the role's timeout, not the gateway's"
