"""Long polling: GET /queue/{channel}?wait=N answers once a message is ready, or 204 when the wait is over.

Deadlines here are functional and generous (an answer well before the wait runs out); latency is measured
by performance/longpoll.py, not here. Tests of a wake-up by notification stretch the once-a-second re-check
to an hour (`notified_only`, NOTIFIED_ONLY_APP): it would otherwise answer within their deadlines by itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.bounds import MAX_WATCHED_CHANNELS
from gateway.core.exactjson import is_empty
from gateway.db import direct_watch
from gateway.db.direct import DirectBackend
from gateway.db.direct_watch import ListenHub
from gateway.db.longpoll import FIRST_BACKOFF, MAX_BACKOFF, poll
from gateway.db.postgrest import BackoffPoll
from support.serve import APP, running_gateway
from tests.utils.client import assert_empty_204, assert_status, post
from tests.utils.serving import NOTIFIED_ONLY_APP
from tests.utils.waiting import until_watched, wait_for, wait_for_async, waiting_on

POOL_SIZE = 4


@pytest.fixture
def notified_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a notification can wake a waiting request (direct backend) within the test's deadlines."""
    monkeypatch.setattr(direct_watch, "RECHECK_SECONDS", 3600.0)  # as serving.create_notified_only_app


def timed_get(client: TestClient, path: str, **params: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(path, params=params)
    return response, time.monotonic() - started


def post_to_a_waiting_consumer(
    client: TestClient, admin: psycopg.Connection[Any], channel: str, wait: float
) -> tuple[httpx.Response, float, int]:
    """A consumer waits; a message is posted once it does. Its answer, how long it took, the new id."""
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(timed_get, client, f"/queue/{channel}", wait=wait)
        wait_for(waiting_on(client, admin, channel), "the consumer waiting")
        assert not waiting.done(), "nothing to dequeue yet: still waiting"
        new_id = post(client, channel, {"seq": 1})
        response, elapsed = waiting.result(timeout=wait + 30)
    return response, elapsed, new_id


@pytest.mark.usefixtures("notified_only")
def test_a_waiting_consumer_gets_a_message_as_soon_as_it_is_posted(
    client: TestClient, admin: psycopg.Connection[Any], channel: str
) -> None:
    response, elapsed, new_id = post_to_a_waiting_consumer(client, admin, channel, wait=15)
    assert response.status_code == 200 and response.json()["id"] == new_id
    assert elapsed < 10, "answered on the message, long before the wait ran out"


def test_without_its_notification_a_waiting_consumer_is_not_woken(
    direct: TestClient, admin: psycopg.Connection[Any], channel: str, notified_only: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sabotage the test above must catch: with the LISTEN handler a no-op, nothing else wakes."""
    monkeypatch.setattr(ListenHub, "_notified", lambda *_: None)
    response, elapsed, _ = post_to_a_waiting_consumer(direct, admin, channel, wait=3)
    assert_empty_204(response)
    assert elapsed >= 3


def test_the_wait_runs_out_with_a_204(client: TestClient, channel: str) -> None:
    response, elapsed = timed_get(client, f"/queue/{channel}", wait=0.5)
    assert_empty_204(response)
    assert elapsed >= 0.5


def test_a_ready_message_is_answered_without_waiting(client: TestClient, channel: str) -> None:
    new_id = post(client, channel, {"seq": 1})
    response, elapsed = timed_get(client, f"/queue/{channel}", wait=20)
    assert response.json()["id"] == new_id and elapsed < 10


@pytest.mark.usefixtures("notified_only")
def test_wait_combines_with_visibility_and_count(
    client: TestClient, admin: psycopg.Connection[Any], channel: str
) -> None:
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(timed_get, client, f"/queue/{channel}", wait=15, visibility=60, count=10)
        wait_for(waiting_on(client, admin, channel), "the consumer waiting")
        messages = [{"seq": i} for i in range(3)]
        batch = client.post("/messages", json={"channel": channel, "messages": messages})
        response, elapsed = waiting.result(timeout=30)
    assert response.status_code == 200 and elapsed < 10
    leased = response.json()
    assert [m["id"] for m in leased] == batch.json()["ids"], "the whole batch, in one answer"
    assert all(m["deliveries"] == 1 and m["receipt"] for m in leased)


def test_a_message_without_a_notification_is_found_by_the_recheck(client: TestClient, channel: str) -> None:
    # A delayed message wakes nobody when it is enqueued; it must still be served once it is due.
    delayed = {"channel": channel, "message": {"seq": 1}, "delay": 1}
    assert client.post("/message", json=delayed).status_code == 201
    response, elapsed = timed_get(client, f"/queue/{channel}", wait=15)
    assert response.status_code == 200 and response.json()["message"] == {"seq": 1}
    assert 0.5 <= elapsed < 10


@pytest.mark.parametrize("wait", ["-1", "20.5", "21", "nan", "inf", "soon"])
def test_wait_out_of_range_is_400(client: TestClient, channel: str, wait: str) -> None:
    assert_status(client.get(f"/queue/{channel}", params={"wait": wait}), 400, "wait")


def test_a_bad_channel_is_400_at_once(client: TestClient) -> None:
    response, elapsed = timed_get(client, "/queue/-bad", wait=10)
    assert_status(response, 400, "channel must be")
    assert elapsed < 5


def test_the_postgrest_backend_polls_backing_off_to_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pauses it asks for, not the time they took: a busy machine stretches those."""
    calls = 0
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def attempt() -> bytes:
        nonlocal calls
        calls += 1
        return b'[{"id":1}]' if calls == 8 else b"[]"

    async def connected() -> bool:
        return False

    async def recorded(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", recorded)
    rows = asyncio.run(poll(BackoffPoll(), "c", attempt, 10, connected))
    assert rows == b'[{"id":1}]' and calls == 8
    expected = [min(FIRST_BACKOFF * 2**i, MAX_BACKOFF) for i in range(calls - 1)]  # 0.05 0.1 ... 1 1
    assert pauses == pytest.approx(expected)


# ---------------------------------------------------------------- over a real socket, direct backend


@contextmanager
def serving(gateway_dsn: str, app: str = APP) -> Iterator[str]:
    """The gateway under uvicorn, one worker, a small pool."""
    with running_gateway(app=app, PGQ_DATABASE_URL=gateway_dsn, PGQ_POOL_SIZE=str(POOL_SIZE),
                         PGQ_MAINTAIN_INTERVAL="0", PGQ_METRICS_CACHE_SECONDS="0") as gateway:
        yield gateway.url


@pytest.fixture
def served(gateway_dsn: str) -> Iterator[str]:
    with serving(gateway_dsn) as url:
        yield url


@pytest.fixture
def served_notified_only(gateway_dsn: str) -> Iterator[str]:
    with serving(gateway_dsn, NOTIFIED_ONLY_APP) as url:
        yield url


def rechecked_since(admin: psycopg.Connection[Any], since: object) -> bool:
    """Whether the gateway's LISTEN connection has run pgq.watch (its re-check) since `since`."""
    row = admin.execute("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE usename = 'pgq_gateway'"
                        " AND datname = current_database() AND query LIKE '%%pgq.watch%%'"
                        " AND state = 'idle' AND state_change > %s)", [since]).fetchone()
    return row == (True,)


def gateway_connections(admin: psycopg.Connection[Any]) -> tuple[int, int]:
    """The gateway's sessions on this database: all of them, and those that LISTEN."""
    row = admin.execute("SELECT count(*), count(*) FILTER (WHERE query LIKE '%pgq.watch%') "
                        "FROM pg_stat_activity WHERE usename = 'pgq_gateway' AND datname = current_database()"
                        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def wait_all(url: str, paths: list[str], wait: float) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(paths))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=wait + 30) as http:
        return await asyncio.gather(*(http.get(path, params={"wait": wait}) for path in paths))


def test_many_waiters_get_distinct_messages_or_204(
    served_notified_only: str, admin: psycopg.Connection[Any]
) -> None:
    """One notification for the batch; each waiter that gets a message wakes the next."""
    async def scenario() -> list[httpx.Response]:
        waiters = asyncio.ensure_future(wait_all(served_notified_only, ["/queue/many"] * 20, wait=6))
        await until_watched(admin, "many")
        async with httpx.AsyncClient(base_url=served_notified_only) as http:
            messages = [{"seq": i} for i in range(10)]
            batch = await http.post("/messages", json={"channel": "many", "messages": messages})
            assert batch.status_code == 201
        return await waiters

    responses = asyncio.run(scenario())
    served_ids = [r.json()["id"] for r in responses if r.status_code == 200]
    assert sorted(served_ids) == sorted(set(served_ids)), "no message twice"
    assert len(served_ids) == 10, "every message served while they waited"
    assert sum(r.status_code == 204 for r in responses) == 10


def test_idle_waiters_hold_no_connections(served: str, admin: psycopg.Connection[Any]) -> None:
    async def scenario() -> tuple[list[httpx.Response], tuple[int, int]]:
        channels = [f"idle{i}" for i in range(20)]
        waiters = asyncio.ensure_future(wait_all(served, [f"/queue/{channels[i % 20]}" for i in range(200)],
                                                 wait=6))
        await until_watched(admin, *channels)
        counted = await asyncio.to_thread(gateway_connections, admin)  # while they wait
        return await waiters, counted

    responses, (connections, listening) = asyncio.run(scenario())
    assert all(r.status_code == 204 for r in responses)
    assert listening == 1, "one LISTEN connection for 20 channels and 200 waiters"
    assert connections <= POOL_SIZE + 1, "the pool and the one LISTEN connection, not one per waiter"


def test_a_client_that_disconnects_mid_wait_dequeues_nothing(
    served: str, admin: psycopg.Connection[Any]
) -> None:
    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=served, timeout=30) as http:
            gone = asyncio.ensure_future(http.get("/queue/gone", params={"wait": 15}))
            await until_watched(admin, "gone")
            gone.cancel()  # closes its connection
            await asyncio.gather(gone, return_exceptions=True)
            # uvicorn shows nothing outside when it has seen the socket close: a pause, not a state.
            await asyncio.sleep(0.5)
            sent = await http.post("/message", json={"channel": "gone", "message": {"seq": 1}})
            assert sent.status_code == 201
            since = admin.execute("SELECT clock_timestamp()").fetchone()
            assert since is not None
            await wait_for_async(lambda: asyncio.to_thread(rechecked_since, admin, since[0]),
                                 "the notification, and a re-check, come and gone")
            left = await http.get("/messages", params={"channel": "gone"})
            assert left.status_code == 200 and [m["message"] for m in left.json()] == [{"seq": 1}]
            taken = await http.get("/queue/gone", params={"wait": 5})
            assert taken.status_code == 200 and taken.json()["message"] == {"seq": 1}

    asyncio.run(scenario())


def test_channels_past_the_watch_capacity_poll_for_their_own_waiters(
    gateway_dsn: str, admin: psycopg.Connection[Any]
) -> None:
    """The issue's reproduction: more decoy waits on distinct channels than pgq.watch takes. A waiter
    registered before them is still woken by its notification, and one that comes after them polls;
    both get their message long before their wait runs out."""
    wait = 15.0
    decoys: list[asyncio.Task[None]] = []

    async def scenario() -> list[float]:
        hub = ListenHub(gateway_dsn, 5.0)
        backend = await DirectBackend.open(gateway_dsn, 5.0, pool_size=2)

        async def decoy(channel: str) -> None:
            async with hub.waiting(channel) as waiter:
                await waiter.sleep(time.monotonic() + wait)

        async def dequeue(channel: str) -> float:
            async def gone() -> bool:
                return False

            attempt = partial(backend.json_rows, "dequeue", {"channel": channel})
            rows = await poll(hub, channel, attempt, wait, gone)
            assert not is_empty(rows), f"{channel}: no message within the wait"
            return time.monotonic() - enqueued_at

        try:
            first = asyncio.create_task(dequeue("real-first"))
            await until_watched(admin, "real-first")
            decoys.extend(asyncio.create_task(decoy(f"decoy-{i}")) for i in range(MAX_WATCHED_CHANNELS + 1))
            last = asyncio.create_task(dequeue("real-last"))
            # pgq.watch has run with the decoys: all but the two past its capacity are registered
            await until_watched(admin, *(f"decoy-{i}" for i in range(MAX_WATCHED_CHANNELS - 1)))
            enqueued_at = time.monotonic()
            admin.execute("SELECT pgq.enqueue('real-first', '{}'), pgq.enqueue('real-last', '{}')")
            return list(await asyncio.gather(first, last))
        finally:
            for task in decoys:
                task.cancel()
            await asyncio.gather(*decoys, return_exceptions=True)
            await hub.close()
            await backend.close()

    took = asyncio.run(scenario())
    assert max(took) < wait / 3, f"answered {took} s after the enqueues"
