"""What an SQS user reaches for over HTTP: extend a lease, a channel's counts and everyone's, read and
reset its settings, purge it. Both backends; admin routes with PGQ_ADMIN_TOKEN set and presented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.bounds import MAX_VISIBILITY_SECONDS
from tests.utils.client import ADMIN_TOKEN, ISO_WITH_OFFSET, assert_empty_204, assert_status, post

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WRONG = {"Authorization": "Bearer not-the-admin-token"}


def lease(client: TestClient, channel: str, visibility: int) -> dict[str, Any]:
    response = client.get(f"/queue/{channel}", params={"visibility": visibility})
    assert response.status_code == 200, response.text
    leased: dict[str, Any] = response.json()
    return leased


def test_extend_keeps_a_lease_past_its_first_end(
    client: TestClient, admin: psycopg.Connection[Any], channel: str
) -> None:
    post(client, channel, {"seq": 1})
    held = lease(client, channel, 1)
    body = {"id": held["id"], "receipt": held["receipt"], "visibility": 600}
    response = client.post(f"/queue/{channel}/extend", json=body)
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["status", "lease_expires_at"]
    ends = response.json()["lease_expires_at"]
    assert ISO_WITH_OFFSET.match(ends)
    assert datetime.fromisoformat(ends) > datetime.now(UTC) + timedelta(seconds=500)
    row = admin.execute("SELECT visible_at FROM pgq.queue WHERE id = %s", [held["id"]]).fetchone()
    assert row == (datetime.fromisoformat(ends),), "the lease in the table ends when the answer says"
    assert_empty_204(client.get(f"/queue/{channel}", params={"visibility": 30}))
    ack = client.post(f"/queue/{channel}/ack", json={"id": held["id"], "receipt": held["receipt"]})
    assert ack.status_code == 200, "the receipt is kept"


def test_extend_with_a_stale_receipt_is_409(client: TestClient, channel: str) -> None:
    post(client, channel, {"seq": 1})
    held = lease(client, channel, 30)
    body = {"id": held["id"], "receipt": "00000000-0000-0000-0000-000000000000", "visibility": 60}
    assert_status(client.post(f"/queue/{channel}/extend", json=body), 409, "stale or unknown receipt")


@pytest.mark.parametrize(
    ("body", "query", "words"),
    [
        ({"visibility": 0}, {}, f"visibility must be between 1 and {MAX_VISIBILITY_SECONDS}, got 0"),
        ({"visibility": True}, {}, "visibility"),
        ({"visibility": "60"}, {}, "visibility"),
        ({"visibility": 60, "seconds": 60}, {}, "seconds: unknown field: the HTTP name is visibility"),
        ({"visibility": 60}, {"wait": 1}, "wait: unknown query parameter, got '1'"),
    ],
)
def test_bad_extends_are_400(
    client: TestClient, channel: str, body: dict[str, Any], query: dict[str, Any], words: str
) -> None:
    post(client, channel, {"seq": 1})
    held = lease(client, channel, 30)
    sent = {"id": held["id"], "receipt": held["receipt"], **body}
    assert_status(client.post(f"/queue/{channel}/extend", json=sent, params=query), 400, words)


def test_a_channels_counts(client: TestClient, channel: str) -> None:
    for seq in range(3):
        post(client, channel, {"seq": seq})
    client.post("/message", json={"channel": channel, "message": {}, "delay": 3600})
    lease(client, channel, 30)
    assert client.get(f"/queue/{channel}").status_code == 200
    response = client.get(f"/channels/{channel}")
    assert response.status_code == 200, response.text
    counts = response.json()
    assert counts["oldest_age_seconds"] >= 0
    del counts["oldest_age_seconds"]
    assert counts == {"channel": channel, "depth": 1, "delayed": 1, "leased": 1, "dead": 0,
                      "enqueued": 4, "consumed": 1}


def test_a_channel_never_seen_is_404(client: TestClient, channel: str) -> None:
    assert_status(client.get(f"/channels/{channel}"), 404, f"no channel {channel}")


def test_channel_routes_refuse_unknown_query_parameters(client: TestClient, channel: str) -> None:
    post(client, channel, {"seq": 1})
    assert_status(client.get(f"/channels/{channel}", params={"stats": "true"}), 400, "stats")
    assert_status(client.get(f"/channels/{channel}/settings", params={"x": 1}), 400, "x")
    assert_status(client.get("/stats", params={"channel": channel}), 400, "channel")


def test_every_channels_counts_paged_by_name(client: TestClient, channel: str) -> None:
    mine = [f"{channel}-{n}" for n in "abc"]
    for name in reversed(mine):
        post(client, name, {"seq": 1})
    seen: list[str] = []
    offset = 0
    while (page := client.get("/stats", params={"offset": offset, "limit": 2})).status_code == 200:
        assert len(page.json()) <= 2
        seen += [row["channel"] for row in page.json()]
        offset += 2
    assert_empty_204(page)
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert [name for name in seen if name.startswith(channel)] == mine
    first = client.get("/stats", params={"offset": seen.index(mine[0]), "limit": 1}).json()
    assert [row["depth"] for row in first] == [1]
    assert_status(client.get("/stats", params={"limit": 0}), 400, "limit")


def test_settings_read_and_reset(client: TestClient, channel: str) -> None:
    defaults = {"channel": channel, "max_deliveries": 5, "dedup_window": "24:00:00"}
    assert client.get(f"/channels/{channel}/settings").json() == defaults
    patched = client.patch(f"/channels/{channel}/settings", json={"max_deliveries": 2}, headers=ADMIN)
    assert patched.status_code == 200, patched.text
    assert client.get(f"/channels/{channel}/settings").json() == {**defaults, "max_deliveries": 2}
    assert_status(client.delete(f"/channels/{channel}/settings", headers=WRONG), 401)
    reset = client.delete(f"/channels/{channel}/settings", headers=ADMIN)
    assert (reset.status_code, reset.json()) == (200, defaults)
    assert client.get(f"/channels/{channel}/settings").json() == defaults
    assert_status(client.get("/channels/-x/settings"), 400, "channel must be")


def test_purge_deletes_a_channels_queued_messages(client: TestClient, channel: str) -> None:
    for seq in range(3):
        post(client, channel, {"seq": seq})
    post(client, f"{channel}-other", {"seq": 1})
    held = lease(client, channel, 30)
    assert_status(client.delete(f"/channels/{channel}/messages", headers=WRONG), 401)
    purged = client.delete(f"/channels/{channel}/messages", headers=ADMIN)
    assert (purged.status_code, purged.json()) == (200, {"status": "Messages deleted", "count": 3})
    again = client.delete(f"/channels/{channel}/messages", headers=ADMIN)
    assert again.json()["count"] == 0
    assert_empty_204(client.get(f"/queue/{channel}"))
    assert_status(client.get(f"/channels/{channel}"), 404)  # nothing on record: stats() forgets it
    settle = {"id": held["id"], "receipt": held["receipt"]}
    assert_status(client.post(f"/queue/{channel}/ack", json=settle), 409)
    assert client.get(f"/queue/{channel}-other").status_code == 200
    assert_status(client.delete("/channels/-x/messages", headers=ADMIN), 400, "channel must be")
