"""The documented routes, over a real database (and a real PostgREST when one is named)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.utils.client import ISO_WITH_OFFSET, assert_empty_204, assert_status, post

# --- the suite: direct backend and, when named, a real PostgREST ---------------------------


def test_post_then_dequeue_then_204(client: TestClient, channel: str) -> None:
    message = {"seq": 1, "nested": {"list": [1, "two", None, 2.5, True]}}
    new_id = post(client, channel, message)

    first = client.get(f"/queue/{channel}")
    assert first.status_code == 200
    body = first.json()
    assert body == {"id": new_id, "channel": channel, "message": message, "created_at": body["created_at"]}
    assert ISO_WITH_OFFSET.match(body["created_at"]), body["created_at"]
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None

    assert_empty_204(client.get(f"/queue/{channel}"))


def test_dequeue_is_fifo(client: TestClient, channel: str) -> None:
    ids = [post(client, channel, {"seq": seq}) for seq in range(3)]
    assert ids == sorted(ids)
    dequeued = [client.get(f"/queue/{channel}").json() for _ in ids]
    assert [(m["id"], m["message"]["seq"]) for m in dequeued] == list(zip(ids, range(3), strict=True))


def test_messages_lists_without_dequeuing(client: TestClient, channel: str) -> None:
    ids = [post(client, channel, {"seq": seq}) for seq in range(5)]

    listed = client.get("/messages", params={"channel": channel})
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()] == ids
    assert all(m["channel"] == channel and ISO_WITH_OFFSET.match(m["created_at"]) for m in listed.json())

    window = client.get("/messages", params={"channel": channel, "offset": 2, "limit": 2})
    assert [m["message"]["seq"] for m in window.json()] == [2, 3]

    assert_empty_204(client.get("/messages", params={"channel": channel, "offset": 5}))
    assert [m["id"] for m in client.get("/messages", params={"channel": channel}).json()] == ids


def test_messages_of_an_unknown_channel_is_204(client: TestClient, channel: str) -> None:
    assert_empty_204(client.get("/messages", params={"channel": channel}))


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, ["channel", "required"]),
        ({"channel": "x", "limit": 0}, ["limit"]),
        ({"channel": "x", "limit": -1}, ["limit"]),
        ({"channel": "x", "limit": "many"}, ["limit"]),
        ({"channel": "x", "offset": -1}, ["offset"]),
        ({"channel": "x", "offset": 2**31}, ["offset"]),
        ({"channel": "-x"}, ["channel must be"]),
        ({"channel": "a" * 65}, ["channel must be"]),
    ],
)
def test_messages_bad_query_is_400(client: TestClient, params: dict[str, Any], words: list[str]) -> None:
    assert_status(client.get("/messages", params=params), 400, *words)


def test_channels_lists_sorted(client: TestClient, channel: str) -> None:
    for suffix in ("b", "a", "c"):
        post(client, channel + suffix, {"seq": 1})
    response = client.get("/channels")
    assert response.status_code == 200
    names = [row["channel"] for row in response.json()]
    assert all(list(row) == ["channel"] for row in response.json())
    assert names == sorted(names)
    assert [n for n in names if n.startswith(channel)] == [channel + "a", channel + "b", channel + "c"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"channel": "x", "message": {"seq": 1}', ["malformed JSON"]),
        (b'{"channel": "x", "message": {"seq": NaN}}', ["malformed JSON"]),
        (b'{"channel": "x", "message": {"seq": Infinity}}', ["malformed JSON"]),
        (b"[1, 2]", ["dictionary"]),
        (b'"text"', ["dictionary"]),
        (b'{"message": {"seq": 1}}', ["channel", "required"]),
        (b'{"channel": "x"}', ["message", "required"]),
        (b'{"channel": 7, "message": {"seq": 1}}', ["channel", "string"]),
        (b'{"channel": null, "message": {"seq": 1}}', ["channel", "string"]),
        (b'{"channel": "x", "message": [1]}', ["message", "dictionary"]),
        (b'{"channel": "x", "message": "text"}', ["message", "dictionary"]),
        (b'{"channel": "x", "message": null}', ["message", "dictionary"]),
        (b'{"channel": "x", "message": {"a": "\\ud800"}}', ["malformed JSON"]),
        (b'{"channel": "\\udfff", "message": {"a": 1}}', ["malformed JSON"]),
        (b'{"channel": "x", "message": {"a": "\xff"}}', ["malformed JSON"]),
        (b'{"channel": "", "message": {"seq": 1}}', ["channel must be"]),
        (b'{"channel": "-x", "message": {"seq": 1}}', ["channel must be"]),
        (b'{"channel": "two words", "message": {"seq": 1}}', ["channel must be"]),
        (b'{"channel": "' + b"a" * 65 + b'", "message": {"seq": 1}}', ["channel must be"]),
        (b'{"channel": "a\\u0000b", "message": {"seq": 1}}', []),
        (b'{"channel": "x", "message": {"a": "\\u0000"}}', []),
        (b'{"channel": "x", "message": ' + b'{"a": ' * 300 + b"1" + b"}" * 301, ["nested deeper than 200"]),
        (b'{"channel": "x", "message": ' + b'{"a": ' * 2000 + b"1" + b"}" * 2001, ["malformed JSON"]),
        (b"{" * 100_000, []),
    ],
)
def test_post_bad_input_is_400(client: TestClient, body: bytes, words: list[str]) -> None:
    response = client.post("/message", content=body, headers={"content-type": "application/json"})
    assert_status(response, 400, *words)


def test_post_without_json_content_type_is_400(client: TestClient, channel: str) -> None:
    body = b'{"channel": "x", "message": {"seq": 1}}'
    assert_status(client.post("/message", content=body, headers={"content-type": "text/plain"}), 400)
    assert_status(client.post("/message"), 400, "required")


@pytest.mark.parametrize("path", ["/queue/-x", "/queue/two%20words", "/queue/" + "a" * 65, "/queue/a%00b"])
def test_dequeue_bad_channel_is_400(client: TestClient, path: str) -> None:
    assert_status(client.get(path), 400)


def test_unknown_route_and_method_answer_json(client: TestClient) -> None:
    assert_status(client.get("/nowhere"), 404)
    assert_status(client.get("/queue"), 404)
    response = client.delete("/message")
    assert_status(response, 405)
    assert "POST" in response.headers["allow"]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


# --- the spec's own examples, on a fresh database of the test's own --------------------------


def test_spec_example_post_message(direct: TestClient) -> None:
    response = direct.post("/message", json={"channel": "abcd", "message": {"seq": 7}})
    assert response.status_code == 201
    assert response.json() == {"status": "Message inserted!", "id": 1}
    assert direct.get("/queue/abcd").json()["message"] == {"seq": 7}


def test_spec_example_get_queue_two(direct: TestClient) -> None:
    new_id = post(direct, "two", {"seq": 1})
    response = direct.get("/queue/two")
    assert response.status_code == 200
    assert response.json()["id"] == new_id
    assert {k: v for k, v in response.json().items() if k != "created_at"} == {
        "id": new_id, "channel": "two", "message": {"seq": 1},
    }
    assert_empty_204(direct.get("/queue/two"))


def test_spec_example_messages_one(direct: TestClient) -> None:
    ids = [post(direct, "one", {"seq": seq}) for seq in range(1, 8)]
    response = direct.get("/messages?channel=one&offset=0&limit=5")
    assert response.status_code == 200
    assert [(m["id"], m["channel"], m["message"]) for m in response.json()] == [
        (new_id, "one", {"seq": seq}) for new_id, seq in zip(ids[:5], range(1, 6), strict=True)
    ]


def test_spec_example_channels(direct: TestClient) -> None:
    for name in ("two", "abcd", "one"):
        post(direct, name, {"seq": 1})
    assert direct.get("/channels").json() == [{"channel": "abcd"}, {"channel": "one"}, {"channel": "two"}]


def test_channels_of_an_empty_database_is_204(direct: TestClient) -> None:
    assert_empty_204(direct.get("/channels"))
    post(direct, "two", {"seq": 1})
    direct.get("/queue/two")
    assert_empty_204(direct.get("/channels"))


def test_messages_limit_is_capped_at_300(direct: TestClient, admin: psycopg.Connection[Any]) -> None:
    admin.execute("SELECT pgq.enqueue_batch('many', jsonb_agg(jsonb_build_object('seq', i))) "
                  "FROM generate_series(1, 301) AS i")
    listed = direct.get("/messages", params={"channel": "many", "limit": 1000})
    assert [m["message"]["seq"] for m in listed.json()] == list(range(1, 301))
    assert len(direct.get("/messages", params={"channel": "many"}).json()) == 25
