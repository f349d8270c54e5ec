"""The delivery routes over the PostgREST backend, against scripted PostgREST answers: each route is
one POST /rpc/<function> with named JSON arguments, and each answer maps as the direct backend's does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.core.config import Settings
from gateway.db.postgrest import PostgrestBackend
from tests.utils.client import ADMIN_TOKEN, AS_ADMIN, assert_empty_204, assert_status, bearer, serve
from tests.utils.fakes import BASE, ROW, PostgREST
from tests.utils.jwt import SECRET, claims

RECEIPT = "3945cf6c-d470-45a5-aa61-eb61ee2c50c5"
LEASED = {**ROW, "deliveries": 2, "receipt": RECEIPT, "lease_expires_at": "2025-01-24T21:33:47.988107+00:00"}
DEAD = {**ROW, "deliveries": 5, "reason": "not acknowledged after 5 deliveries (max_deliveries 5)",
        "dead_at": "2025-01-24T21:40:00.5+00:00"}


@pytest.fixture
def rpc() -> Iterator[tuple[TestClient, PostgREST]]:
    postgrest = PostgREST()
    backend = PostgrestBackend(BASE, 5, 4, transport=httpx.MockTransport(postgrest.handle), jwt_secret=SECRET)
    with serve(Settings(postgrest_url=BASE, **AS_ADMIN), backend, headers=bearer(ADMIN_TOKEN)) as client:
        yield client, postgrest


def test_visibility_calls_lease(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.reply(200, [LEASED])
    response = client.get("/queue/two", params={"visibility": 30})
    assert (response.status_code, response.json()) == (200, LEASED)
    assert postgrest.called() == ("POST", "/rpc/lease", {"channel": "two", "visibility_seconds": 30})

    postgrest.reply(200, [])
    assert_empty_204(client.get("/queue/two", params={"visibility": 30}))


def test_without_visibility_it_still_dequeues(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.reply(200, [ROW])
    assert client.get("/queue/two").json() == ROW
    assert postgrest.called() == ("POST", "/rpc/dequeue", {"channel": "two"})


@pytest.mark.parametrize(
    ("verb", "body", "args", "status"),
    [
        ("ack", {"id": 10000, "receipt": RECEIPT}, {}, "Message acknowledged"),
        ("nack", {"id": 10000, "receipt": RECEIPT}, {}, "Message returned to the queue"),
        ("nack", {"id": 10000, "receipt": RECEIPT, "delay": 10}, {"delay_seconds": 10},
         "Message returned to the queue"),
    ],
)
def test_settle_calls_the_function_and_maps_false_to_409(
    rpc: tuple[TestClient, PostgREST], verb: str, body: dict[str, Any], args: dict[str, Any], status: str
) -> None:
    client, postgrest = rpc
    postgrest.reply(200, True)
    response = client.post(f"/queue/two/{verb}", json=body)
    assert (response.status_code, response.json()) == (200, {"status": status})
    sent = {"channel": "two", "id": 10000, "receipt": RECEIPT, **args}
    assert postgrest.called() == ("POST", f"/rpc/{verb}", sent)

    postgrest.reply(200, False)
    assert_status(client.post(f"/queue/two/{verb}", json=body), 409, "stale or unknown receipt", "10000")


def test_a_malformed_receipt_never_reaches_postgrest(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    assert_status(client.post("/queue/two/ack", json={"id": 1, "receipt": "nope"}), 400, "receipt")
    assert_status(client.post("/queue/two/ack", json={"id": 2**80, "receipt": RECEIPT}), 400, "id")
    assert postgrest.requests == []


def test_database_range_errors_are_400(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.error(400, "22023", "visibility_seconds must be between 1 and 43200, got 0")
    response = client.get("/queue/two", params={"visibility": 0})
    # PostgREST relays the database's words; the client reads them with HTTP's names.
    assert assert_status(response, 400) == "visibility must be between 1 and 43200, got 0"
    postgrest.error(400, "22023", "delay_seconds must be between 0 and 43200, got -1")
    response = client.post("/queue/two/nack", json={"id": 1, "receipt": RECEIPT, "delay": -1})
    assert assert_status(response, 400) == "delay must be between 0 and 43200, got -1"


def test_post_message_with_delay_calls_enqueue(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.reply(200, 7)
    response = client.post("/message", json={"channel": "two", "message": {"seq": 1}, "delay": 60})
    assert (response.status_code, response.json()) == (201, {"status": "Message inserted!", "id": 7})
    assert postgrest.called() == ("POST", "/rpc/enqueue",
                                  {"channel": "two", "message": {"seq": 1}, "delay_seconds": 60})


def test_post_message_with_dedup_key_calls_enqueue_once(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    body = {"channel": "two", "message": {"seq": 1}, "dedup_key": "order-17"}
    # A function returning one composite value answers with a single JSON object.
    postgrest.reply(200, {"id": 7, "duplicate": False})
    response = client.post("/message", json=body)
    assert (response.status_code, response.json()) == (201, {"status": "Message inserted!", "id": 7})
    assert postgrest.called() == ("POST", "/rpc/enqueue_once", body)

    postgrest.reply(200, {"id": 7, "duplicate": True})
    response = client.post("/message", json={**body, "delay": 5})
    assert (response.status_code, response.json()) == (200, {"status": "Duplicate message", "id": 7})
    assert postgrest.called() == ("POST", "/rpc/enqueue_once", {**body, "delay_seconds": 5})


def test_dead_letters_calls_dead_letters_with_skip_and_take(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.reply(200, [DEAD])
    response = client.get("/dead-letters", params={"channel": "two", "offset": 3, "limit": 1000})
    assert (response.status_code, response.json()) == (200, [DEAD])
    assert postgrest.called() == ("POST", "/rpc/dead_letters", {"channel": "two", "skip": 3, "take": 300})

    postgrest.reply(200, [])
    assert_empty_204(client.get("/dead-letters", params={"channel": "two"}))
    assert postgrest.called() == ("POST", "/rpc/dead_letters", {"channel": "two", "skip": 0, "take": 25})


def test_redrive_calls_redrive(rpc: tuple[TestClient, PostgREST]) -> None:
    client, postgrest = rpc
    postgrest.reply(200, 3)
    response = client.post("/dead-letters/two/redrive")
    assert (response.status_code, response.json()) == (200, {"status": "Dead letters moved back to the queue",
                                                              "count": 3})
    assert postgrest.called() == ("POST", "/rpc/redrive", {"channel": "two"})
    token = claims(postgrest.requests[-1], SECRET)
    assert (token["role"], token["aud"]) == ("pgq_admin", "pgqueue"), "for PostgREST's PGRST_JWT_AUD"


@pytest.mark.parametrize(
    ("method", "path", "body", "function", "reply"),
    [
        ("POST", "/dead-letters/two/redrive", None, "redrive", 3),
        ("PATCH", "/channels/two/settings", {"max_deliveries": 3}, "configure",
         {"channel": "two", "max_deliveries": 3, "dedup_window": "1 day"}),
    ],
)
def test_admin_calls_carry_the_admin_jwt_and_data_calls_none(
    rpc: tuple[TestClient, PostgREST], method: str, path: str, body: Any, function: str, reply: Any
) -> None:
    client, postgrest = rpc
    postgrest.reply(200, reply)
    assert client.request(method, path, json=body).status_code == 200
    assert postgrest.called()[1] == f"/rpc/{function}"
    assert claims(postgrest.requests[-1], SECRET)["role"] == "pgq_admin"

    postgrest.reply(200, [])
    client.get("/queue/two")
    assert "authorization" not in postgrest.requests[-1].headers


def test_without_the_jwt_secret_admin_calls_are_503_and_never_sent() -> None:
    postgrest = PostgREST()
    backend = PostgrestBackend(BASE, 5, 4, transport=httpx.MockTransport(postgrest.handle))
    with serve(Settings(postgrest_url=BASE, **AS_ADMIN), backend, headers=bearer(ADMIN_TOKEN)) as client:
        assert_status(client.post("/dead-letters/two/redrive"), 503, "PGQ_POSTGREST_JWT_SECRET")
        assert_status(client.patch("/channels/two/settings", json={}), 503, "PGQ_POSTGREST_JWT_SECRET")
    assert postgrest.requests == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/queue/two?visibility=30", None),
        ("POST", "/queue/two/ack", {"id": 1, "receipt": RECEIPT}),
        ("POST", "/dead-letters/two/redrive", None),
    ],
)
def test_an_unavailable_database_is_503(
    rpc: tuple[TestClient, PostgREST], method: str, path: str, body: dict[str, Any] | None
) -> None:
    client, postgrest = rpc
    postgrest.error(503, "PGRST000", "Could not connect with the database")
    assert_status(client.request(method, path, json=body), 503, "upstream unavailable")
    postgrest.error(503, "PGRST001", "Database client error. Retrying the connection.")
    assert_status(client.request(method, path, json=body), 504, "outcome unknown")  # lost mid-call


def test_maintenance_through_postgrest_runs_as_the_admin() -> None:
    """PostgREST's anonymous role may not maintain: the gateway's maintenance loop needs the JWT too."""
    postgrest = PostgREST()
    postgrest.reply(200, {"archive_purged": 0, "dedup_keys_expired": 0})
    backend = PostgrestBackend(BASE, 5, 4, transport=httpx.MockTransport(postgrest.handle), jwt_secret=SECRET)

    async def maintain() -> None:
        await backend.value("maintain", {})
        await backend.close()

    asyncio.run(maintain())
    assert claims(postgrest.requests[-1], SECRET)["role"] == "pgq_admin"
