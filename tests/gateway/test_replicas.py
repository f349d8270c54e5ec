"""Stateless replicas: several gateway processes serve one database, and long polling spans them.

Each gateway process has its own LISTEN connection; an enqueue through any of
them NOTIFYs every listener that registered the channel, so a consumer waiting
on one replica is woken by a producer posting to another.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg

from support.serve import running_gateway
from tests.utils.serving import NOTIFIED_ONLY_APP
from tests.utils.waiting import wait_for, watched

WAIT = 10  # seconds: without the notification, the wait runs out with a 204


def test_a_waiter_on_one_replica_is_woken_by_an_enqueue_through_another(
    gateway_dsn: str, admin: psycopg.Connection[Any], channel: str
) -> None:
    # Both replicas re-check once an hour instead of once a second: only the notification can wake.
    settings = {"PGQ_DATABASE_URL": gateway_dsn, "PGQ_MAINTAIN_INTERVAL": "0"}
    with (running_gateway(app=NOTIFIED_ONLY_APP, **settings) as consumer_side,
          running_gateway(app=NOTIFIED_ONLY_APP, **settings) as producer_side,
          ThreadPoolExecutor(1) as pool):
        waiting = pool.submit(httpx.get, f"{consumer_side.url}/queue/{channel}",
                              params={"wait": WAIT}, timeout=WAIT + 30)
        wait_for(lambda: watched(admin, channel), "the waiter past its first try", timeout=WAIT / 2)
        assert not waiting.done()
        sent = httpx.post(f"{producer_side.url}/message", json={"channel": channel, "message": {"seq": 1}})
        assert sent.status_code == 201
        response = waiting.result(timeout=WAIT + 30)
    assert response.status_code == 200, "woken by the other replica's enqueue, before the wait ran out"
    assert response.json()["id"] == sent.json()["id"]
