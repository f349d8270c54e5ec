"""At-least-once delivery over HTTP: leases, ack and nack, delayed messages, dedup keys and dead
letters, on a real database (and a real PostgREST when one is named)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.utils.client import ISO_WITH_OFFSET, assert_empty_204, assert_status, post
from tests.utils.waiting import make_due

DEFAULT_MAX_DELIVERIES = 5
JSON = {"content-type": "application/json"}
DEQUEUED = ["id", "channel", "message", "created_at"]


def lease(client: TestClient, channel: str, visibility: int = 30) -> dict[str, Any]:
    response = client.get(f"/queue/{channel}", params={"visibility": visibility})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def settle(
    client: TestClient, channel: str, verb: str, leased: dict[str, Any], **delay: int
) -> httpx.Response:
    body = {"id": leased["id"], "receipt": leased["receipt"], **delay}
    response: httpx.Response = client.post(f"/queue/{channel}/{verb}", json=body)
    return response


def assert_settled(response: httpx.Response, status: str) -> None:
    assert (response.status_code, response.json()) == (200, {"status": status}), response.text


def assert_stale(response: httpx.Response) -> None:
    assert_status(response, 409, "stale or unknown receipt")


def first_lease_after(
    client: TestClient, channel: str, started: float, seconds: float
) -> tuple[float, dict[str, Any]]:
    """Poll for a lease until one comes (generous deadline); seconds since `started`, and the lease."""
    deadline = started + seconds + 30
    while time.monotonic() < deadline:
        response = client.get(f"/queue/{channel}", params={"visibility": 30})
        if response.status_code == 200:
            return time.monotonic() - started, response.json()
        assert response.status_code == 204, response.text
        time.sleep(0.05)
    raise AssertionError(f"nothing leasable {seconds + 30:.0f} s after")


def visible_at(admin: psycopg.Connection[Any], message_id: int) -> datetime:
    row = admin.execute("SELECT visible_at FROM pgq.queue WHERE id = %s", [message_id]).fetchone()
    assert row is not None and isinstance(row[0], datetime)
    return row[0]


# --- leases and receipts -------------------------------------------------------------------------


def test_lease_answers_the_message_with_its_receipt(client: TestClient, channel: str) -> None:
    message = {"seq": 1, "nested": [1, "two", None]}
    new_id = post(client, channel, message)
    before = datetime.now().astimezone()
    leased = lease(client, channel, visibility=120)

    assert list(leased) == [*DEQUEUED, "deliveries", "receipt", "lease_expires_at", "group_key"]
    assert (leased["id"], leased["channel"], leased["message"]) == (new_id, channel, message)
    assert leased["deliveries"] == 1
    assert str(uuid.UUID(leased["receipt"])) == leased["receipt"]
    assert ISO_WITH_OFFSET.match(leased["created_at"]) and ISO_WITH_OFFSET.match(leased["lease_expires_at"])
    expires = datetime.fromisoformat(leased["lease_expires_at"])
    assert before + timedelta(seconds=110) < expires < before + timedelta(seconds=130)

    # Leased, it is hidden from both kinds of consumer, but still queued.
    assert_empty_204(client.get(f"/queue/{channel}", params={"visibility": 30}))
    assert_empty_204(client.get(f"/queue/{channel}"))
    assert [m["id"] for m in client.get("/messages", params={"channel": channel}).json()] == [new_id]


def test_lease_of_an_empty_or_unknown_channel_is_204(client: TestClient, channel: str) -> None:
    assert_empty_204(client.get(f"/queue/{channel}", params={"visibility": 30}))


def test_leases_are_fifo_and_dequeue_is_unchanged(client: TestClient, channel: str) -> None:
    ids = [post(client, channel, {"seq": seq}) for seq in range(3)]
    assert lease(client, channel)["id"] == ids[0]
    dequeued = client.get(f"/queue/{channel}")
    assert (dequeued.status_code, list(dequeued.json())) == (200, DEQUEUED)
    assert dequeued.json()["id"] == ids[1]
    assert lease(client, channel)["id"] == ids[2]


def test_ack_archives_the_message(client: TestClient, channel: str) -> None:
    post(client, channel, {"seq": 1})
    leased = lease(client, channel)
    assert_settled(settle(client, channel, "ack", leased), "Message acknowledged")
    assert_stale(settle(client, channel, "ack", leased))
    assert_empty_204(client.get("/messages", params={"channel": channel}))


def test_ack_checks_channel_id_and_receipt(client: TestClient, channel: str) -> None:
    post(client, channel, {"seq": 1})
    leased = lease(client, channel)
    assert_stale(settle(client, channel + "x", "ack", leased))
    assert_stale(settle(client, channel, "ack", {**leased, "id": leased["id"] + 10_000}))
    assert_stale(settle(client, channel, "ack", {**leased, "receipt": str(uuid.uuid4())}))
    assert_stale(settle(client, channel, "nack", {**leased, "receipt": str(uuid.uuid4())}))
    # None of those touched the lease.
    assert_empty_204(client.get(f"/queue/{channel}"))
    assert_settled(settle(client, channel, "ack", leased), "Message acknowledged")


def test_a_receipt_is_stale_once_the_message_is_leased_again(client: TestClient, channel: str) -> None:
    new_id = post(client, channel, {"seq": 1})
    first = lease(client, channel)
    assert_settled(settle(client, channel, "nack", first), "Message returned to the queue")
    assert_stale(settle(client, channel, "nack", first))
    second = lease(client, channel)
    assert (second["id"], second["deliveries"]) == (new_id, 2)
    assert second["receipt"] != first["receipt"]
    assert_stale(settle(client, channel, "ack", first))
    assert_settled(settle(client, channel, "ack", second), "Message acknowledged")


def test_an_expired_lease_is_ready_again_at_its_own_id(client: TestClient, channel: str) -> None:
    """The real clock, on each backend; the other tests of time move visible_at (make_due)."""
    ids = [post(client, channel, {"seq": seq}) for seq in range(2)]
    started = time.monotonic()
    first = lease(client, channel, visibility=1)
    assert first["id"] == ids[0]
    assert lease(client, channel)["id"] == ids[1]
    # Not before the lease's second is up; then it comes back, delivered twice, with a new receipt.
    took, again = first_lease_after(client, channel, started, 1)
    assert took >= 0.9
    assert (again["id"], again["deliveries"]) == (ids[0], 2)
    assert again["receipt"] != first["receipt"]
    assert_stale(settle(client, channel, "ack", first))
    assert_settled(settle(client, channel, "ack", again), "Message acknowledged")


def test_nack_with_a_delay_is_not_redelivered_early(
    client: TestClient, admin: psycopg.Connection[Any], channel: str
) -> None:
    new_id = post(client, channel, {"seq": 1})
    leased = lease(client, channel)
    before = datetime.now(UTC)
    assert_settled(settle(client, channel, "nack", leased, delay=2), "Message returned to the queue")
    after = datetime.now(UTC)
    assert_empty_204(client.get(f"/queue/{channel}"))
    assert before + timedelta(seconds=2) <= visible_at(admin, new_id) <= after + timedelta(seconds=2)
    assert make_due(admin, channel) == 1
    again = lease(client, channel)
    assert (again["id"], again["deliveries"]) == (new_id, 2)


# --- delayed and deduplicated messages -------------------------------------------------------------


def test_delayed_message_is_not_delivered_early(
    client: TestClient, admin: psycopg.Connection[Any], channel: str
) -> None:
    before = datetime.now(UTC)
    response = client.post("/message", json={"channel": channel, "message": {"seq": 1}, "delay": 2})
    after = datetime.now(UTC)
    assert (response.status_code, response.json()["status"]) == (201, "Message inserted!")
    assert_empty_204(client.get(f"/queue/{channel}"))
    assert_empty_204(client.get(f"/queue/{channel}", params={"visibility": 30}))
    queued = client.get("/messages", params={"channel": channel}).json()
    new_id = response.json()["id"]
    assert [m["id"] for m in queued] == [new_id]
    assert before + timedelta(seconds=2) <= visible_at(admin, new_id) <= after + timedelta(seconds=2)
    assert make_due(admin, channel) == 1
    assert client.get(f"/queue/{channel}").json()["id"] == new_id


def test_delay_zero_is_the_plain_enqueue(client: TestClient, channel: str) -> None:
    response = client.post("/message", json={"channel": channel, "message": {"seq": 1}, "delay": 0})
    assert response.status_code == 201
    assert client.get(f"/queue/{channel}").json()["id"] == response.json()["id"]


def test_dedup_key_enqueues_once(client: TestClient, channel: str) -> None:
    def send(key: str, seq: int, to: str = channel) -> httpx.Response:
        response: httpx.Response = client.post(
            "/message", json={"channel": to, "message": {"seq": seq}, "dedup_key": key})
        return response

    first = send("order-17", 1)
    assert first.status_code == 201, first.text
    original = first.json()["id"]
    assert first.json() == {"status": "Message inserted!", "id": original}

    repeat = send("order-17", 2)
    assert (repeat.status_code, repeat.json()) == (200, {"status": "Duplicate message", "id": original})
    assert send("order-18", 3).status_code == 201
    assert send("order-17", 4, to=channel + "x").status_code == 201
    queued = client.get("/messages", params={"channel": channel}).json()
    assert [m["message"]["seq"] for m in queued] == [1, 3]

    # The key outlives its message.
    assert client.get(f"/queue/{channel}").json()["id"] == original
    assert send("order-17", 5).json() == {"status": "Duplicate message", "id": original}


def test_dedup_key_with_a_delay(client: TestClient, channel: str) -> None:
    body = {"channel": channel, "message": {"seq": 1}, "dedup_key": "k", "delay": 600}
    assert client.post("/message", json=body).status_code == 201
    assert client.post("/message", json=body).status_code == 200
    assert_empty_204(client.get(f"/queue/{channel}"))


# --- dead letters ----------------------------------------------------------------------------------


def test_dead_letters_then_redrive(client: TestClient, channel: str) -> None:
    new_id = post(client, channel, {"seq": 1})
    later = post(client, channel, {"seq": 2})
    assert_empty_204(client.get("/dead-letters", params={"channel": channel}))
    for delivery in range(1, DEFAULT_MAX_DELIVERIES + 1):
        leased = lease(client, channel)
        assert (leased["id"], leased["deliveries"]) == (new_id, delivery)
        assert_settled(settle(client, channel, "nack", leased), "Message returned to the queue")
    # The next lease dead-letters the spent message and serves the next one.
    assert lease(client, channel)["id"] == later

    listed = client.get("/dead-letters", params={"channel": channel})
    assert listed.status_code == 200
    [dead] = listed.json()
    assert list(dead) == [*DEQUEUED, "deliveries", "reason", "dead_at", "group_key"]
    assert (dead["id"], dead["channel"], dead["message"]) == (new_id, channel, {"seq": 1})
    assert dead["deliveries"] == DEFAULT_MAX_DELIVERIES and str(DEFAULT_MAX_DELIVERIES) in dead["reason"]
    assert ISO_WITH_OFFSET.match(dead["dead_at"])
    assert_empty_204(client.get("/dead-letters", params={"channel": channel, "offset": 1}))

    redriven = client.post(f"/dead-letters/{channel}/redrive")
    assert (redriven.status_code, redriven.json()) == (
        200, {"status": "Dead letters moved back to the queue", "count": 1})
    assert_empty_204(client.get("/dead-letters", params={"channel": channel}))
    again = lease(client, channel)
    assert (again["id"], again["deliveries"]) == (new_id, 1)
    assert client.post(f"/dead-letters/{channel}/redrive").json()["count"] == 0


def test_dead_letters_are_paged_oldest_first(direct: TestClient, admin: psycopg.Connection[Any]) -> None:
    admin.execute("SELECT pgq.configure('poison', max_deliveries => 1)")
    ids = [post(direct, "poison", {"seq": seq}) for seq in range(4)]
    for _ in ids:
        lease(direct, "poison", visibility=1)
    assert make_due(admin, "poison") == len(ids)  # the leases end now rather than in a second
    assert_empty_204(direct.get("/queue/poison", params={"visibility": 30}))

    page = direct.get("/dead-letters", params={"channel": "poison", "offset": 1, "limit": 2})
    assert [m["id"] for m in page.json()] == ids[1:3]
    capped = direct.get("/dead-letters", params={"channel": "poison", "limit": 1000})
    assert [m["id"] for m in capped.json()] == ids


# --- bad values: 400 with the database's words where it is the one to judge ----------------------------


@pytest.mark.parametrize(
    ("visibility", "words"),
    [
        ("0", ["visibility must"]), ("-1", ["visibility must"]),
        ("43201", ["visibility must", "43200"]),
        (str(2**31), ["visibility"]), ("soon", ["visibility"]), ("1.5", ["visibility"]), ("", ["visibility"]),
    ],
)
def test_bad_visibility_is_400(client: TestClient, channel: str, visibility: str, words: list[str]) -> None:
    post(client, channel, {"seq": 1})
    assert_status(client.get(f"/queue/{channel}?visibility={visibility}"), 400, *words)
    assert client.get(f"/queue/{channel}").status_code == 200  # nothing was leased


def test_lease_of_a_bad_channel_is_400(client: TestClient) -> None:
    assert_status(client.get("/queue/-x", params={"visibility": 30}), 400, "channel must be")


RECEIPT = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("verb", "body", "words"),
    [
        ("ack", {"id": 1, "receipt": "not-a-uuid"}, ["receipt", "UUID"]),
        ("ack", {"id": 1, "receipt": ""}, ["receipt"]),
        ("ack", {"id": 1, "receipt": None}, ["receipt"]),
        ("ack", {"id": 1}, ["receipt", "required"]),
        ("ack", {"receipt": RECEIPT}, ["id", "required"]),
        ("ack", {"id": "one", "receipt": RECEIPT}, ["id"]),
        ("ack", {"id": 2**63, "receipt": RECEIPT}, ["id"]),
        ("ack", {"id": 2**80, "receipt": RECEIPT}, ["id"]),
        ("ack", [1, RECEIPT], ["dictionary"]),
        ("nack", {"id": 1, "receipt": "not-a-uuid"}, ["receipt", "UUID"]),
        ("nack", {"id": 1, "receipt": RECEIPT, "delay": -1}, ["delay must"]),
        ("nack", {"id": 1, "receipt": RECEIPT, "delay": 43201}, ["delay must", "43200"]),
        ("nack", {"id": 1, "receipt": RECEIPT, "delay": 2**31}, ["delay"]),
        ("nack", {"id": 1, "receipt": RECEIPT, "delay": "later"}, ["delay"]),
    ],
)
def test_bad_settle_body_is_400(
    client: TestClient, channel: str, verb: str, body: Any, words: list[str]
) -> None:
    assert_status(client.post(f"/queue/{channel}/{verb}", json=body), 400, *words)


@pytest.mark.parametrize("verb", ["ack", "nack"])
def test_settle_in_a_bad_channel_is_400(client: TestClient, verb: str) -> None:
    response = client.post(f"/queue/-x/{verb}", json={"id": 1, "receipt": RECEIPT})
    assert_status(response, 400, "channel must be")


def test_malformed_settle_json_is_400(client: TestClient, channel: str) -> None:
    response = client.post(f"/queue/{channel}/ack", content=b'{"id": 1, "receipt": ', headers=JSON)
    assert_status(response, 400, "malformed JSON")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"delay": -1}, ["delay must"]),
        ({"delay": 604801}, ["delay must", "604800"]),
        ({"delay": 2**40}, ["delay"]),
        ({"delay": "soon"}, ["delay"]),
        ({"dedup_key": ""}, ["dedup_key"]),
        ({"dedup_key": "k" * 129}, ["dedup_key", "128"]),
        ({"dedup_key": 17}, ["dedup_key"]),
        ({"dedup_key": "k", "delay": -1}, ["delay must"]),
        ({"dedup_key": "a\u0000b"}, []),
    ],
)
def test_bad_delay_or_dedup_key_is_400(client: TestClient, channel: str, extra: dict[str, Any],
                                       words: list[str]) -> None:
    response = client.post("/message", json={"channel": channel, "message": {"seq": 1}, **extra})
    assert_status(response, 400, *words)
    assert_empty_204(client.get("/messages", params={"channel": channel}))


def test_longest_dedup_key_is_accepted(client: TestClient, channel: str) -> None:
    body = {"channel": channel, "message": {"seq": 1}, "dedup_key": "k" * 128}
    assert client.post("/message", json=body).status_code == 201


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        (lambda c: c.get("/dead-letters"), ["channel", "required"]),
        (lambda c: c.get("/dead-letters", params={"channel": "-x"}), ["channel must be"]),
        (lambda c: c.get("/dead-letters", params={"channel": "x", "limit": 0}), ["limit"]),
        (lambda c: c.get("/dead-letters", params={"channel": "x", "offset": -1}), ["offset"]),
        (lambda c: c.get("/dead-letters", params={"channel": "x", "offset": 2**31}), ["offset"]),
        (lambda c: c.post("/dead-letters/-x/redrive"), ["channel must be"]),
    ],
)
def test_bad_dead_letter_requests_are_400(
    client: TestClient, request_: Callable[[TestClient], httpx.Response], words: list[str]
) -> None:
    assert_status(request_(client), 400, *words)


def test_settle_body_over_the_limit_is_413(client: TestClient, channel: str) -> None:
    body = b'{"id": 1, "receipt": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(f"/queue/{channel}/ack", content=body, headers=JSON)
    assert_status(response, 413)


def test_unknown_verbs_are_404_or_405(client: TestClient, channel: str) -> None:
    assert_status(client.post(f"/queue/{channel}/touch", json={}), 404)
    assert_status(client.get(f"/queue/{channel}/ack"), 405)
    assert_status(client.get(f"/dead-letters/{channel}/redrive"), 405)


# --- /openapi.json ---------------------------------------------------------------------------------


def test_openapi_documents_the_delivery_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]

    def statuses(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    def body(path: str, method: str, status: str) -> Any:
        return paths[path][method]["responses"][status]["content"]["application/json"]["schema"]

    assert statuses("/queue/{channel}/ack", "post") == {"200", "400", "408", "409", "413", "503", "504"}
    assert statuses("/queue/{channel}/nack", "post") == {"200", "400", "408", "409", "413", "503", "504"}
    assert statuses("/dead-letters", "get") == {"200", "204", "400", "503"}
    # 401: an admin route
    assert statuses("/dead-letters/{channel}/redrive", "post") == {"200", "400", "401", "403", "503", "504"}

    dequeued = body("/queue/{channel}", "get", "200")["anyOf"]
    assert {"$ref": "#/components/schemas/LeasedMessage"} in dequeued
    assert {"$ref": "#/components/schemas/Message"} in dequeued
    assert "visibility" in [p["name"] for p in paths["/queue/{channel}"]["get"]["parameters"]]
    leased = components["LeasedMessage"]
    assert set(leased["required"]) == {*DEQUEUED, "deliveries", "receipt", "lease_expires_at", "group_key"}
    assert leased["properties"]["receipt"]["format"] == "uuid"
    assert leased["properties"]["lease_expires_at"]["format"] == "date-time"

    assert body("/message", "post", "200") == {"$ref": "#/components/schemas/Duplicate"}
    assert body("/message", "post", "201") == {"$ref": "#/components/schemas/Inserted"}
    assert {"delay", "dedup_key", "group_key"} <= set(components["NewMessage"]["properties"])
    assert body("/queue/{channel}/ack", "post", "409") == {"$ref": "#/components/schemas/Status"}
    ack_body = paths["/queue/{channel}/ack"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(components[ack_body["$ref"].rsplit("/", 1)[1]]["required"]) == {"id", "receipt"}
    assert body("/dead-letters", "get", "200")["items"] == {"$ref": "#/components/schemas/DeadLetter"}
    dead_required = {*DEQUEUED, "deliveries", "reason", "dead_at", "group_key"}
    assert set(components["DeadLetter"]["required"]) == dead_required
    assert body("/dead-letters/{channel}/redrive", "post", "200") == {"$ref": "#/components/schemas/Redriven"}
    assert components["Redriven"]["required"] == ["count"]
