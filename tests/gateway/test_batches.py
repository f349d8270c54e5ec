"""Batches over HTTP: POST /messages (pgq.enqueue_batch) and GET /queue/{channel}?count=N."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils.client import assert_empty_204, assert_status


def post_batch(client: TestClient, channel: str, messages: list[Any]) -> list[int]:
    response = client.post("/messages", json={"channel": channel, "messages": messages})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "Messages inserted!" and len(body["ids"]) == len(messages)
    ids: list[int] = body["ids"]
    return ids


def queued(client: TestClient, channel: str) -> list[Any]:
    response = client.get("/messages", params={"channel": channel, "limit": 300})
    return [] if response.status_code == 204 else [row["message"] for row in response.json()]


def test_a_batch_is_inserted_in_order_and_its_ids_come_back_so(client: TestClient, channel: str) -> None:
    ids = post_batch(client, channel, [{"seq": i} for i in range(5)])
    assert ids == sorted(ids) and len(set(ids)) == 5
    consumed = [client.get(f"/queue/{channel}").json() for _ in range(5)]
    assert [(m["id"], m["message"]) for m in consumed] == [(ids[i], {"seq": i}) for i in range(5)]


def test_a_thousand_messages_is_the_limit(client: TestClient, channel: str) -> None:
    assert len(set(post_batch(client, channel, [{"seq": i} for i in range(1000)]))) == 1000
    too_many = client.post("/messages", json={"channel": channel, "messages": [{"seq": 0}] * 1001})
    assert_status(too_many, 400, "messages")
    past_the_first = client.get("/messages", params={"channel": channel, "offset": 999})
    assert [row["message"] for row in past_the_first.json()] == [{"seq": 999}], "nothing of the second batch"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"channel": "c", "messages": []}, "messages"),
        ({"channel": "c"}, "messages"),
        ({"channel": "c", "messages": {"seq": 1}}, "messages"),
        ({"channel": "c", "messages": [{"seq": 1}, 2]}, "messages.1"),
        ({"channel": "c", "messages": [{"seq": 1}, None]}, "messages.1"),
        ({"channel": 7, "messages": [{"seq": 1}]}, "channel"),
        ({"channel": "no spaces", "messages": [{"seq": 1}]}, "channel must be"),
    ],
)
def test_bad_batches_are_400(client: TestClient, body: dict[str, Any], words: str) -> None:
    assert_status(client.post("/messages", json=body), 400, words)


def test_a_batch_is_all_or_nothing(client: TestClient, channel: str) -> None:
    # The database, not the gateway, refuses the third message (\u0000 cannot be stored in jsonb).
    messages = [{"a": 1}, {"b": 2}, {"c": "\u0000"}]
    response = client.post("/messages", json={"channel": channel, "messages": messages})
    assert_status(response, 400, "Unicode")
    assert queued(client, channel) == []


def test_count_answers_an_array_of_up_to_n(client: TestClient, channel: str) -> None:
    ids = post_batch(client, channel, [{"seq": i} for i in range(5)])
    three = client.get(f"/queue/{channel}", params={"count": 3})
    assert three.status_code == 200 and [m["id"] for m in three.json()] == ids[:3]
    rest = client.get(f"/queue/{channel}", params={"count": 100})
    assert [m["id"] for m in rest.json()] == ids[3:]
    assert_empty_204(client.get(f"/queue/{channel}", params={"count": 10}))


def test_without_count_the_answer_is_one_object(client: TestClient, channel: str) -> None:
    post_batch(client, channel, [{"seq": 1}, {"seq": 2}])
    assert client.get(f"/queue/{channel}").json()["message"] == {"seq": 1}
    assert client.get(f"/queue/{channel}", params={"count": 1}).json()[0]["message"] == {"seq": 2}


def test_count_combines_with_visibility(client: TestClient, channel: str) -> None:
    ids = post_batch(client, channel, [{"seq": 1}, {"seq": 2}, {"seq": 3}])
    leased = client.get(f"/queue/{channel}", params={"count": 2, "visibility": 60}).json()
    assert [m["id"] for m in leased] == ids[:2] and all(m["deliveries"] == 1 and m["receipt"] for m in leased)
    for message in leased:
        ack = client.post(f"/queue/{channel}/ack", json={"id": message["id"], "receipt": message["receipt"]})
        assert ack.status_code == 200
    assert queued(client, channel) == [{"seq": 3}]


@pytest.mark.parametrize("params", [{"count": 0}, {"count": 101}, {"count": "two"}, {"count": 1.5}])
def test_count_out_of_range_is_400(client: TestClient, channel: str, params: dict[str, Any]) -> None:
    assert_status(client.get(f"/queue/{channel}", params=params), 400, "count")
