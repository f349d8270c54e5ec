"""The PostgREST backend against responders that behave as PostgREST documents: what the gateway
sends (method, path, headers, JSON arguments) and how each answer maps to an HTTP status."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.core.config import Settings
from gateway.core.errors import GRACE_SECONDS, GatewayError
from gateway.db.postgrest import PostgrestBackend
from support.localpg import free_port
from tests.utils.client import QUIET, assert_empty_204, assert_status, serve
from tests.utils.fakes import BASE, ROW, PostgREST


@pytest.fixture
def postgrest() -> PostgREST:
    return PostgREST()

@pytest.fixture
def client(postgrest: PostgREST) -> Iterator[TestClient]:
    backend = PostgrestBackend(BASE, 5, 4, transport=httpx.MockTransport(postgrest.handle))
    with serve(Settings(postgrest_url=BASE, **QUIET), backend) as served:
        yield served

def test_post_message_calls_enqueue(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.reply(200, 15472)  # a scalar function's answer is the bare JSON value
    response = client.post("/message", json={"channel": "abcd", "message": {"seq": 7}})
    assert (response.status_code, response.json()) == (201, {"status": "Message inserted!", "id": 15472})
    assert postgrest.called() == ("POST", "/rpc/enqueue", {"channel": "abcd", "message": {"seq": 7}})

def test_queue_calls_dequeue(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.reply(200, [ROW])
    postgrest.reply(200, [])
    first = client.get("/queue/two")
    assert (first.status_code, first.json()) == (200, ROW)
    assert postgrest.called() == ("POST", "/rpc/dequeue", {"channel": "two"})
    assert_empty_204(client.get("/queue/two"))

def test_messages_calls_peek_with_skip_and_take(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.reply(200, [ROW, {**ROW, "id": 10001}])
    response = client.get("/messages?channel=one&offset=0&limit=5")
    assert [m["id"] for m in response.json()] == [10000, 10001]
    assert postgrest.called() == ("POST", "/rpc/peek", {"channel": "one", "skip": 0, "take": 5})

    postgrest.reply(200, [])
    assert_empty_204(client.get("/messages?channel=one&offset=7&limit=1000"))
    assert postgrest.called() == ("POST", "/rpc/peek", {"channel": "one", "skip": 7, "take": 300})
    assert postgrest.requests[-1].url.query == b""  # limit and offset are PostgREST's own query parameters

def test_channels(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.reply(200, [{"channel": "abcd"}, {"channel": "one"}])
    assert client.get("/channels").json() == [{"channel": "abcd"}, {"channel": "one"}]
    assert postgrest.called() == ("POST", "/rpc/channels", {})
    postgrest.reply(200, [])
    assert_empty_204(client.get("/channels"))

def test_invalid_value_is_400_with_the_database_message(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.error(400, "22023", "channel must be 1-64 characters", "got 0 characters: ")
    response = client.post("/message", json={"channel": "", "message": {"seq": 1}})
    assert assert_status(response, 400) == "channel must be 1-64 characters (got 0 characters: )"

@pytest.mark.parametrize(
    ("status", "code"),
    [
        (503, "PGRST000"), (503, "PGRST001"), (503, "PGRST002"), (504, "PGRST003"),
        (500, "57014"), (503, "08006"),
    ],
)
def test_unavailable_database_is_503(
    client: TestClient, postgrest: PostgREST, status: int, code: str
) -> None:
    """A read is 503 whatever broke; a pop whose database connection was lost mid-call (PGRST001,
    class 08) may have committed: 504."""
    postgrest.error(status, code, "Database client error. Retrying the connection.")
    lost_mid_call = code == "PGRST001" or code.startswith("08")
    words = "outcome unknown" if lost_mid_call else "upstream unavailable"
    assert_status(client.get("/queue/two"), 504 if lost_mid_call else 503, words)
    postgrest.error(status, code, "Could not query the database for the schema cache. Retrying.")
    assert_status(client.get("/readyz"), 503)

def test_unknown_function_is_a_500_not_the_clients_fault(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.error(404, "PGRST202", "Could not find the function pgq.dequeue(channel) in the schema cache")
    assert assert_status(client.get("/queue/two"), 500) == "internal error"

def test_proxy_error_page_is_503(client: TestClient, postgrest: PostgREST) -> None:
    postgrest.replies.append(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert_status(client.get("/channels"), 503)

@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("Connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_transport_failures_are_503(client: TestClient, postgrest: PostgREST, failure: Exception) -> None:
    postgrest.replies.append(failure)
    assert_status(client.post("/message", json={"channel": "two", "message": {}}), 503)

def test_connection_refused_for_real_is_503() -> None:
    with serve(Settings(postgrest_url=f"http://127.0.0.1:{free_port()}", **QUIET)) as client:
        assert_status(client.get("/queue/two"), 503, "upstream unavailable")
        assert_status(client.get("/readyz"), 503)
        assert client.get("/healthz").status_code == 200

def test_a_slow_postgrest_is_503_at_the_timeout(postgrest: PostgREST) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json=[])

    backend = PostgrestBackend(BASE, 0.5, 4, transport=httpx.MockTransport(slow))
    with serve(Settings(postgrest_url=BASE, upstream_timeout=0.5, **QUIET), backend) as client:
        response = client.get("/queue/two")
    # A mock transport reports no trace events: as far as the gateway knows, nothing was sent (503).
    assert_status(response, 503, "upstream unavailable", "(timeout)")
    assert response.elapsed.total_seconds() < 5



@contextmanager
def silent_postgrest() -> Iterator[str]:
    """A server that reads every request and never answers: PostgREST stuck on a frozen database."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        with suppress(OSError):
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


def test_a_call_sent_without_an_answer_is_504_for_a_write_503_for_a_read() -> None:
    """PostgREST cannot be asked to cancel: a write fully sent and never answered may have committed
    (504, by the timeout plus the grace); a read changed nothing (503); a call never sent is 503."""

    async def outcomes(base: str) -> list[tuple[int, str, float]]:
        backend = PostgrestBackend(base, 0.5, 4)
        results = []
        calls: list[tuple[str, dict[str, object]]] = [
            ("enqueue", {"channel": "two", "message": {}}), ("peek", {"channel": "two"})
        ]
        try:
            for function, args in calls:
                started = time.monotonic()
                with pytest.raises(GatewayError) as refused:
                    await backend.value(function, args)
                results.append((refused.value.status, refused.value.detail, time.monotonic() - started))
        finally:
            await backend.close()
        return results

    with silent_postgrest() as base:
        (write, write_text, write_took), (read, _, read_took) = asyncio.run(outcomes(base))
    assert (write, read) == (504, 503) and write_text.startswith("outcome unknown")
    assert write_took < 0.5 + GRACE_SECONDS + 3 and read_took < 0.5 + 3
    closed = f"http://127.0.0.1:{free_port()}"
    (refused, _, _), (read, _, _) = asyncio.run(outcomes(closed))
    assert (refused, read) == (503, 503), "never sent: nothing was done"
