"""Ordered groups over HTTP, on both backends: an order's events, grouped by order id, are leased one at a
time and in order, while other orders and ungrouped messages go on in parallel."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils.client import assert_empty_204, assert_status


def enqueue(client: TestClient, channel: str, event: str, group_key: str | None = None) -> int:
    body: dict[str, Any] = {"channel": channel, "message": {"event": event}}
    if group_key is not None:
        body["group_key"] = group_key
    response = client.post("/message", json=body)
    assert response.status_code == 201, response.text
    new_id: int = response.json()["id"]
    return new_id


def lease(client: TestClient, channel: str) -> dict[str, Any] | None:
    response = client.get(f"/queue/{channel}", params={"visibility": 60})
    if response.status_code == 204:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ack(client: TestClient, channel: str, leased: dict[str, Any]) -> None:
    response = client.post(f"/queue/{channel}/ack", json={"id": leased["id"], "receipt": leased["receipt"]})
    assert response.status_code == 200, response.text


def test_an_orders_events_are_delivered_one_at_a_time_in_order(client: TestClient, channel: str) -> None:
    enqueue(client, channel, "created", "order-17")
    events = [{"event": "paid"}, {"event": "shipped"}]
    body = {"channel": channel, "messages": events, "group_key": "order-17"}
    response = client.post("/messages", json=body)
    assert response.status_code == 201, response.text
    enqueue(client, channel, "created", "order-18")
    enqueue(client, channel, "newsletter")

    listed = client.get("/messages", params={"channel": channel}).json()
    assert [(m["message"]["event"], m["group_key"]) for m in listed] == [
        ("created", "order-17"), ("paid", "order-17"), ("shipped", "order-17"), ("created", "order-18"),
        ("newsletter", None)]

    first = lease(client, channel)
    assert first is not None and (first["message"]["event"], first["group_key"]) == ("created", "order-17")
    others = [lease(client, channel), lease(client, channel)]
    assert [(m["group_key"], m["message"]["event"]) for m in others if m] == [
        ("order-18", "created"), (None, "newsletter")], "other orders and ungrouped ones are not held back"
    assert lease(client, channel) is None, "order-17's next event waits for the first"
    assert_empty_204(client.get(f"/queue/{channel}"))

    ack(client, channel, first)
    second = lease(client, channel)
    assert second is not None and second["message"]["event"] == "paid"
    ack(client, channel, second)
    third = lease(client, channel)
    assert third is not None and third["message"]["event"] == "shipped"


@pytest.mark.parametrize(("group_key", "route"),
                         [("", "/message"), ("k" * 129, "/message"), ("", "/messages"), (17, "/message")])
def test_a_bad_group_key_is_400(client: TestClient, channel: str, group_key: object, route: str) -> None:
    body: dict[str, Any] = {"channel": channel, "group_key": group_key}
    body.update({"message": {"n": 1}} if route == "/message" else {"messages": [{"n": 1}]})
    assert_status(client.post(route, json=body), 400, "group_key")
    assert_empty_204(client.get("/messages", params={"channel": channel}))
