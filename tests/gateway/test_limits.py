"""The body limit: 413 from the declared Content-Length, and from the bytes actually read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Scope

from gateway.limits import BodyLimit
from gateway.settings import Settings
from tests.gateway.conftest import QUIET, serve
from tests.gateway.test_routes import assert_empty_204, assert_status

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
    """Straight at the ASGI middleware: the app behind it must never run, nor the body be read."""

    async def app(scope: Scope, receive: object, send: object) -> None:
        raise AssertionError("the app ran")

    async def receive() -> Message:
        raise AssertionError("the body was read")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/message",
                    "headers": [(b"content-length", str(LIMIT + 1).encode())]}
    asyncio.run(BodyLimit(app, max_bytes=LIMIT)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert b'"status"' in sent[1]["body"]
