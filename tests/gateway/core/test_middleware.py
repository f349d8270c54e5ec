"""The limits: 413 from the declared Content-Length and from the bytes actually read, 408 for a body
too slow, 503 over the concurrency limit, and a readiness probe whose cost does not grow with the data."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Scope

from gateway.core.config import Settings
from gateway.core.middleware import Guard
from gateway.db import Cut, Deadline
from support.serve import running_gateway
from tests.utils.client import QUIET, assert_empty_204, assert_status, serve
from tests.utils.fakes import StubBackend
from tests.utils.waiting import wait_for, wait_for_async, watched

LIMIT = 1000
JSON = {"content-type": "application/json"}


@pytest.fixture
def small(gateway_dsn: str) -> Iterator[TestClient]:
    with serve(Settings(database_url=gateway_dsn, max_body_bytes=LIMIT, **QUIET)) as served:
        yield served


def body_of(size: int) -> bytes:
    """A valid message body of exactly `size` bytes."""
    head, tail = b'{"channel": "big", "message": {"pad": "', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_body_at_the_limit_is_accepted(small: TestClient) -> None:
    assert small.post("/message", content=body_of(LIMIT), headers=JSON).status_code == 201


def test_content_length_over_the_limit_is_413(small: TestClient) -> None:
    response = small.post("/message", content=body_of(LIMIT + 1), headers=JSON)
    assert_status(response, 413, str(LIMIT))
    assert_empty_204(small.get("/channels"))


def test_chunked_body_over_the_limit_is_413(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        body = body_of(LIMIT * 3)
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    response = small.post("/message", content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_status(response, 413, str(LIMIT))
    assert_empty_204(small.get("/channels"))


def test_default_limit_is_one_mebibyte(direct: TestClient) -> None:
    assert direct.post("/message", content=body_of(1024 * 1024), headers=JSON).status_code == 201
    assert_status(direct.post("/message", content=body_of(1024 * 1024 + 1), headers=JSON), 413)


def test_declared_length_is_refused_before_reading() -> None:
    """Straight at the ASGI layer: the app behind it must never run, nor the body be read."""

    async def app(scope: Scope, receive: object, send: object) -> None:
        raise AssertionError("the app ran")

    async def receive() -> Message:
        raise AssertionError("the body was read")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/message",
                    "headers": [(b"content-length", str(LIMIT + 1).encode())]}
    settings = Settings(postgrest_url="http://unused.invalid", max_body_bytes=LIMIT)
    asyncio.run(Guard(app, settings)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert b'"status"' in sent[1]["body"]


SLACK = 5.0  # a shared, noisy machine


def test_a_slow_sender_gets_408_and_frees_its_slot(gateway_dsn: str) -> None:
    """A client that sends its headers and then trickles (here: stops) its body is cut off after
    PGQ_BODY_TIMEOUT; with PGQ_MAX_CONCURRENT=1 the next request is served again."""
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_BODY_TIMEOUT="1", PGQ_MAX_CONCURRENT="1",
                         PGQ_MAINTAIN_INTERVAL="0") as gateway:
        address = httpx.URL(gateway.url)
        with socket.create_connection((address.host, address.port or 80)) as slow:
            slow.sendall(b"POST /message HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"channel\": ")
            started = time.monotonic()
            slow.settimeout(1 + SLACK)
            reply = b""
            while b"}" not in reply and (chunk := slow.recv(4096)):
                reply += chunk
        assert reply.split(b"\r\n")[0].endswith(b" 408 Request Timeout"), reply
        assert b"not received within 1 s" in reply
        assert time.monotonic() - started < 1 + SLACK
        assert_empty_204(httpx.get(f"{gateway.url}/channels"))


def test_a_long_poll_over_its_limit_is_503_at_once(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    """Waiting long polls have their own cap: with two of them waiting and PGQ_MAX_WAITING=2, a third
    is refused at once, while other requests are served. /healthz still answers, and the waiting polls
    end as usual."""
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAX_WAITING="2",
                         PGQ_MAINTAIN_INTERVAL="0") as gateway, ThreadPoolExecutor(2) as pool:
        polls = [pool.submit(httpx.get, f"{gateway.url}/queue/limit{i}", params={"wait": 4}, timeout=30)
                 for i in range(2)]
        wait_for(lambda: watched(admin, "limit0", "limit1"), "both polls waiting")
        started = time.monotonic()
        over = httpx.get(f"{gateway.url}/queue/limit9", params={"wait": 1})
        assert time.monotonic() - started < SLACK
        assert_status(over, 503, "serves 2 long polls at once")
        assert_empty_204(httpx.get(f"{gateway.url}/queue/limit9", params={"wait": 0}))
        assert_empty_204(httpx.get(f"{gateway.url}/channels"))
        assert httpx.get(f"{gateway.url}/healthz").status_code == 200
        assert [poll.result().status_code for poll in polls] == [204, 204]
        assert_empty_204(httpx.get(f"{gateway.url}/channels"))


POLLS = 100


def test_waiting_polls_leave_room_for_producers(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    """1,000 long polls used to fill PGQ_MAX_CONCURRENT (1000), and every POST got 503 (issue 19): the
    same, scaled down to PGQ_MAX_CONCURRENT polls."""
    channels = [f"idle{i}" for i in range(10)]

    async def all_waiting(client: httpx.AsyncClient) -> bool:
        """Every channel watched, and then every poll admitted: one more is refused (PGQ_MAX_WAITING
        is POLLS; the polls were all sent before their channels could be watched)."""
        if not await asyncio.to_thread(watched, admin, *channels):
            return False
        return (await client.get("/queue/one-more", params={"wait": 0.1})).status_code == 503

    async def scenario(url: str) -> tuple[list[int], int]:
        limits = httpx.Limits(max_connections=POLLS + 10, max_keepalive_connections=10)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
            polls = [asyncio.create_task(client.get(f"/queue/{channels[i % 10]}", params={"wait": 20}))
                     for i in range(POLLS)]
            await wait_for_async(lambda: all_waiting(client), "every poll waiting")
            posts = [await client.post("/message", json={"channel": "busy", "message": {"seq": i}})
                     for i in range(10)]
            answered = sum(poll.done() for poll in polls)
            for poll in polls:
                poll.cancel()
            await asyncio.gather(*polls, return_exceptions=True)
            return [post.status_code for post in posts], answered

    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAINTAIN_INTERVAL="0",
                         PGQ_MAX_CONCURRENT=str(POLLS), PGQ_MAX_WAITING=str(POLLS)) as gateway:
        statuses, answered = asyncio.run(scenario(gateway.url))
    assert answered == 0, "every poll was still waiting"
    assert statuses == [201] * 10


class Recording(StubBackend):
    """A backend that records its calls and answers with no rows."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        self.calls.append((function, dict(args)))
        return []

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        self.calls.append((function, dict(args)))
        return b"[]"

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        self.calls.append((function, dict(args)))
        return None


def test_readiness_costs_one_small_call_a_second_whatever_the_data_and_the_callers() -> None:
    """/readyz used to list every channel (2.4 MB at 100,000 channels): now one row at most. And it
    took a pooled connection on every call: now it answers from a probe at most a second old."""
    backend = Recording()
    with serve(Settings(postgrest_url="http://unused.invalid", **QUIET), backend) as client:
        for _ in range(5):
            assert client.get("/readyz").json() == {"status": "ready"}
    assert backend.calls == [("peek", {"channel": "0.readyz", "skip": 0, "take": 1})]
