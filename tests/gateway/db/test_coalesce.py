"""Group commit of POST /message over a real database: concurrent enqueues share calls, yet each
request gets its own message's id, its own 400, or the 503 of the call it was in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.core.config import Settings
from gateway.core.errors import GRACE_SECONDS, GatewayError
from gateway.db import Cut, Deadline
from gateway.db.coalesce import EnqueueCoalescer, Uncoalesced
from gateway.db.direct import DirectBackend
from gateway.db.direct_watch import ListenHub
from tests.utils.client import GATEWAY_SESSIONS

Outcome = int | GatewayError | BaseException
Calls = list[tuple[str, int]]


class Recording:
    """The real direct backend, recording which pgq function each call ran and with how many messages,
    and from which task each plain call came."""

    def __init__(self, backend: DirectBackend) -> None:
        self.backend = backend
        self.calls: Calls = []
        self.tasks: list[asyncio.Task[Any] | None] = []

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        messages = args.get("messages")
        self.calls.append((function, len(messages) if isinstance(messages, list) else 1))
        return await self.backend.rows(function, args, deadline)

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        self.calls.append((function, 1))
        return await self.backend.json_rows(function, args, deadline)

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        self.calls.append((function, 1))
        self.tasks.append(asyncio.current_task())
        return await self.backend.value(function, args, deadline)

    def watcher(self) -> ListenHub:
        return self.backend.watcher()

    async def close(self) -> None:
        await self.backend.close()


def run(gateway_dsn: str, scenario: Callable[[EnqueueCoalescer, Recording], Awaitable[Any]],
        timeout: float = 5.0) -> Any:
    async def main() -> Any:
        recording = Recording(await DirectBackend.open(gateway_dsn, timeout, pool_size=4))
        coalescer = EnqueueCoalescer(recording, timeout)
        try:
            return await scenario(coalescer, recording)
        finally:
            await coalescer.close()
            await recording.close()

    return asyncio.run(main())


def stored(admin: psycopg.Connection[Any], channel: str) -> dict[int, Any]:
    return dict(admin.execute("SELECT id, message FROM pgq.queue WHERE channel = %s", (channel,)).fetchall())


@contextmanager
def queue_locked(admin_url: str) -> Iterator[None]:
    """Enqueues block until the block ends: a transaction holds pgq.queue locked."""
    with psycopg.connect(admin_url) as holder:
        holder.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
        yield
        holder.rollback()


async def blocked_call(admin: psycopg.Connection[Any], function: str) -> None:
    """Until a gateway session waits on the lock in pgq.<function>."""
    for _ in range(200):
        row = admin.execute(
            f"SELECT count(*) {GATEWAY_SESSIONS} AND wait_event_type = 'Lock' AND query LIKE %s",
            (f"%pgq.{function}(%",),
        ).fetchone()
        if row and row[0]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no pgq.{function} call waited on the lock")


async def idle(admin: psycopg.Connection[Any]) -> None:
    for _ in range(200):
        row = admin.execute(f"SELECT count(*) {GATEWAY_SESSIONS} AND state = 'active'").fetchone()
        if row and not row[0]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a gateway session is still running a call")


def test_concurrent_enqueues_get_their_own_ids(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    messages = [{"seq": i} for i in range(50)]

    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> list[int]:
        return await asyncio.gather(*(coalescer.enqueue("many", m) for m in messages))

    ids = run(gateway_dsn, scenario)
    assert stored(admin, "many") == dict(zip(ids, messages, strict=True)), "each id is its own message's"
    assert ids == sorted(ids), "ids follow arrival order"


def test_a_lone_message_goes_alone_and_those_arriving_meanwhile_together(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> tuple[list[int], Calls]:
        with queue_locked(admin_url):
            first = asyncio.ensure_future(coalescer.enqueue("c", {"seq": 0}))
            await blocked_call(admin, "enqueue")
            rest = [asyncio.ensure_future(coalescer.enqueue("c", {"seq": i})) for i in range(1, 8)]
            await asyncio.sleep(0.2)
            assert recording.calls == [("enqueue", 1)], "one call at a time per channel"
        return await asyncio.gather(first, *rest), recording.calls

    ids, calls = run(gateway_dsn, scenario)
    assert calls == [("enqueue", 1), ("enqueue_batch", 7)]
    assert stored(admin, "c") == {id_: {"seq": i} for i, id_ in enumerate(ids)}


def test_a_lone_message_is_sent_by_its_own_request(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    """No task in between when nothing else is in flight on the channel: what it costs without coalescing."""

    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> bool:
        ids = [await coalescer.enqueue("lone", {"seq": seq}) for seq in range(3)]
        assert stored(admin, "lone") == {id_: {"seq": seq} for seq, id_ in enumerate(ids)}
        return recording.tasks == [asyncio.current_task()] * 3 and recording.calls == [("enqueue", 1)] * 3

    assert run(gateway_dsn, scenario)


def test_a_bad_message_is_refused_alone(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    # JSON that the database refuses (22P05), so the batch finds it, not the gateway.
    messages: list[dict[str, Any]] = [{"seq": i} for i in range(20)]
    messages[7] = {"text": "nul \u0000 here"}

    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> tuple[list[Outcome], Calls]:
        enqueues = (coalescer.enqueue("mixed", m) for m in messages)
        outcomes = await asyncio.gather(*enqueues, return_exceptions=True)
        return outcomes, recording.calls

    outcomes, calls = run(gateway_dsn, scenario)
    assert calls[:2] == [("enqueue", 1), ("enqueue_batch", 19)], "the first alone, then a batch, refused"
    refused = outcomes.pop(7)
    assert isinstance(refused, GatewayError) and refused.status == 400, refused
    assert "\\u0000" in refused.detail, refused.detail
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    good = messages[:7] + messages[8:]
    assert stored(admin, "mixed") == dict(zip(outcomes, good, strict=True)), "each good message stored once"


@pytest.mark.parametrize(("failure", "status"), [("terminated", 504), ("timed out", 503)])
def test_a_failed_call_is_every_request_s_answer(
    failure: str, status: int, gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    """A lost connection leaves the outcome unknown (504); a cancel at the timeout confirms rollback (503)."""

    def fail() -> None:
        if failure == "terminated":
            admin.execute(f"SELECT pg_terminate_backend(pid) {GATEWAY_SESSIONS}")
        # else the call runs into the backend's timeout

    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> tuple[list[Outcome], Calls]:
        with queue_locked(admin_url):
            first = asyncio.ensure_future(coalescer.enqueue("down", {"seq": 0}))
            await blocked_call(admin, "enqueue")
            rest = [asyncio.ensure_future(coalescer.enqueue("down", {"seq": i})) for i in range(1, 6)]
            await asyncio.sleep(0.1)
            fail()
            await blocked_call(admin, "enqueue_batch")
            fail()
            outcomes = await asyncio.gather(first, *rest, return_exceptions=True)
            await idle(admin)  # a timed-out statement is cancelled before anything could store it
        return outcomes, recording.calls

    outcomes, calls = run(gateway_dsn, scenario, timeout=1.0)
    assert calls == [("enqueue", 1), ("enqueue_batch", 5)]
    assert all(isinstance(o, GatewayError) and o.status == status for o in outcomes), outcomes
    assert stored(admin, "down") == {}


def test_a_request_gone_before_its_call_enqueues_nothing(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> tuple[tuple[int, int], Calls]:
        with queue_locked(admin_url):
            first = asyncio.ensure_future(coalescer.enqueue("gone", {"seq": 0}))
            await blocked_call(admin, "enqueue")
            cancelled = asyncio.ensure_future(coalescer.enqueue("gone", {"seq": 1}))
            kept = asyncio.ensure_future(coalescer.enqueue("gone", {"seq": 2}))
            await asyncio.sleep(0.1)
            cancelled.cancel()
        return await asyncio.gather(first, kept), recording.calls

    (first, kept), calls = run(gateway_dsn, scenario)
    assert stored(admin, "gone") == {first: {"seq": 0}, kept: {"seq": 2}}
    assert calls == [("enqueue", 1), ("enqueue", 1)]


def test_closing_answers_the_waiting_requests(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> list[Outcome]:
        with queue_locked(admin_url):
            waiting = [asyncio.ensure_future(coalescer.enqueue("closing", {"seq": i})) for i in range(3)]
            await blocked_call(admin, "enqueue")  # the first; the others wait for it
            async with asyncio.timeout(1 + GRACE_SECONDS + 2):  # the call in flight ends by its deadline
                await coalescer.close()
                return await asyncio.gather(*waiting, return_exceptions=True)

    outcomes = run(gateway_dsn, scenario, timeout=1.0)
    assert all(isinstance(o, GatewayError) and o.status == 503 for o in outcomes), outcomes


def test_concurrent_posts_one_of_them_bad(direct: TestClient, admin_url: str) -> None:
    """The route's side: POST /message requests that pile up while the queue is locked, one of them bad."""
    bodies = [{"channel": "http", "message": {"seq": i}} for i in range(30)]
    bodies[11]["message"] = {"text": "nul \u0000 here"}
    with ThreadPoolExecutor(len(bodies)) as pool:
        with queue_locked(admin_url):
            posted = [pool.submit(direct.post, "/message", json=body) for body in bodies]
            time.sleep(1)
        answers = [future.result() for future in posted]
    assert [a.status_code for a in answers] == [201] * 11 + [400] + [201] * 18
    ids = {answer.json()["id"]: body["message"] for answer, body in zip(answers, bodies, strict=True)
           if answer.status_code == 201}
    listed = direct.get("/messages", params={"channel": "http", "limit": 100})
    assert {row["id"]: row["message"] for row in listed.json()} == ids


def test_a_herd_is_answered_in_time_and_a_503_stored_nothing(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    """The issue's reproduction: pgq.queue locked, then hundreds of concurrent enqueues on one channel,
    coalesced into batches of 100 that used to run one after another, each to its own timeout.
    Each answer comes by the timeout plus the grace, a message answered 503 was not stored, and
    one answered with its id was."""
    timeout, total = 1.0, 650
    took: dict[int, float] = {}

    async def enqueue(coalescer: EnqueueCoalescer, seq: int) -> Outcome:
        started = time.monotonic()
        try:
            return await coalescer.enqueue("herd", {"seq": seq})
        except GatewayError as error:
            return error
        finally:
            took[seq] = time.monotonic() - started

    async def scenario(coalescer: EnqueueCoalescer, recording: Recording) -> list[Outcome]:
        with psycopg.connect(admin_url) as locker:
            locker.execute("LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE")
            outcomes = await asyncio.gather(*(enqueue(coalescer, seq) for seq in range(total)))
            locker.rollback()
            await idle(admin)
            return outcomes

    outcomes = run(gateway_dsn, scenario, timeout=timeout)
    slowest = max(took.values())
    assert slowest < timeout + GRACE_SECONDS + 1.5, f"the slowest answer took {slowest:.1f} s"
    rows = admin.execute("SELECT message FROM pgq.queue WHERE channel = 'herd'")
    stored_seqs = {row[0]["seq"] for row in rows}
    refused = {seq for seq, o in enumerate(outcomes) if isinstance(o, GatewayError) and o.status == 503}
    assert not refused & stored_seqs, f"{len(refused & stored_seqs)} messages answered 503 were stored"
    assert {seq for seq, o in enumerate(outcomes) if isinstance(o, int)} <= stored_seqs
    assert all(isinstance(o, int) or o.status in (503, 504) for o in outcomes), outcomes


def test_without_coalescing_each_message_takes_its_own_call(
    gateway_dsn: str, admin_url: str, admin: psycopg.Connection[Any]
) -> None:
    """PGQ_COALESCE=false: messages arriving while a call is in flight go alone, each from its request."""

    async def scenario(_: EnqueueCoalescer, recording: Recording) -> tuple[list[int], Calls]:
        plain = Uncoalesced(recording, 5.0)
        with queue_locked(admin_url):
            first = asyncio.ensure_future(plain.enqueue("alone", {"seq": 0}))
            await blocked_call(admin, "enqueue")
            rest = [asyncio.ensure_future(plain.enqueue("alone", {"seq": i})) for i in range(1, 4)]
            await asyncio.sleep(0.2)
        return await asyncio.gather(first, *rest), recording.calls

    ids, calls = run(gateway_dsn, scenario)
    assert calls == [("enqueue", 1)] * 4
    assert stored(admin, "alone") == {id_: {"seq": i} for i, id_ in enumerate(ids)}


def test_the_setting_chooses_the_enqueuer(gateway_dsn: str) -> None:
    for coalesce, kind in ((True, EnqueueCoalescer), (False, Uncoalesced)):
        app = create_app(Settings(database_url=gateway_dsn, coalesce=coalesce, maintain_interval=0))
        with TestClient(app):
            assert type(app.state.enqueuer) is kind
