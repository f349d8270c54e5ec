"""A message PostgreSQL returns reaches the client who consumed it, byte for byte as jsonb wrote it,
whatever its depth: the gateway passes the rows' JSON text through without parsing it again. The
messages here are written straight into the tables, as a release without a message limit could have
stored them (issue 19, reproduction 1: such a message was consumed and answered 500)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

DEPTHS = [300, 900]


def deep(levels: int) -> str:
    return '{"x":' * levels + "1" + "}" * levels


def store(admin: psycopg.Connection[Any], table: str, channel: str, message: str, **more: object) -> int:
    """A row written as an old release could have: no function, no limit. Its new id."""
    columns = ", ".join(["channel", "message", *more])
    values = ", ".join(["%s", "%s::jsonb", *["%s"] * len(more)])
    row = admin.execute(f"INSERT INTO pgq.{table} ({columns}) VALUES ({values}) RETURNING id",
                        [channel, message, *more.values()]).fetchone()
    assert row is not None
    return int(row[0])


def jsonb_text(admin: psycopg.Connection[Any], message: str) -> bytes:
    row = admin.execute("SELECT %s::jsonb::text", [message]).fetchone()
    assert row is not None
    return str(row[0]).encode()


def sql_rows(admin: psycopg.Connection[Any], call: str, *args: object) -> bytes:
    """PostgreSQL's JSON text of a pgq function's rows, as either backend gets it."""
    row = admin.execute(f"SELECT coalesce(json_agg(r), '[]')::text FROM (SELECT * FROM {call}) AS r",
                        args).fetchone()
    assert row is not None
    return str(row[0]).encode()


@pytest.mark.parametrize("levels", DEPTHS)
def test_a_deep_message_is_dequeued_leased_and_peeked_whole(
    client: TestClient, admin: psycopg.Connection[Any], channel: str, levels: int
) -> None:
    message = deep(levels)
    text = jsonb_text(admin, message)
    ids = [store(admin, "queue", channel, message) for _ in range(4)]
    innocent = store(admin, "queue", channel, '{"seq": 1}')

    listed = client.get("/messages", params={"channel": channel, "limit": 10})
    assert listed.status_code == 200
    assert listed.content == sql_rows(admin, "pgq.peek(%s, 0, 10)", channel), "peeked byte for byte"

    one = client.get(f"/queue/{channel}")
    assert one.status_code == 200, one.text
    assert one.content.startswith(b'{"id":%d,"channel":"%s","message":' % (ids[0], channel.encode()))
    assert b'"message":' + text + b',"created_at":' in one.content

    leased = client.get(f"/queue/{channel}", params={"visibility": 30})
    assert leased.status_code == 200, leased.text
    assert b'"message":' + text + b"," in leased.content and b'"receipt":' in leased.content

    many = client.get(f"/queue/{channel}", params={"count": 10})
    assert many.status_code == 200, many.text
    assert many.content.count(text) == 2 and b'"message":{"seq": 1}' in many.content
    assert many.content.startswith(b"[") and many.content.endswith(b"]")

    gone = admin.execute("SELECT count(*) FROM pgq.queue WHERE channel = %s AND receipt IS NULL",
                         [channel]).fetchone()
    archived = admin.execute("SELECT array_agg(id ORDER BY id) FROM pgq.archive WHERE channel = %s",
                             [channel]).fetchone()
    assert gone == (0,) and archived == ([ids[0], ids[2], ids[3], innocent],), "each delivered, none lost"


@pytest.mark.parametrize("levels", DEPTHS)
def test_a_deep_dead_letter_is_listed_whole(
    client: TestClient, admin: psycopg.Connection[Any], channel: str, levels: int
) -> None:
    store(admin, "dead_letter", channel, deep(levels), id=10**12 + levels,
          created_at="2026-01-01T00:00:00Z", deliveries=3, reason="max_deliveries")
    listed = client.get("/dead-letters", params={"channel": channel})
    assert listed.status_code == 200, listed.text
    assert listed.content == sql_rows(admin, "pgq.dead_letters(%s, 0, 25)", channel)
    assert jsonb_text(admin, deep(levels)) in listed.content
