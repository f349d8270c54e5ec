"""Waiting on what a test means: a state it can observe, polled until it holds (generous deadline),
never a guessed pause. And the one way a test moves a lease's or a delay's time instead of waiting
for the clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from gateway.db.postgrest import BackoffPoll

DEADLINE = 60.0  # functional: long enough for a loaded machine, never a measure of speed
EVERY = 0.05


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    """Return as soon as `condition()` is true; fail naming `what` once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:g} s: {what}"
        time.sleep(EVERY)


async def wait_for_async(condition: Callable[[], Awaitable[object]], what: str) -> None:
    """wait_for, from inside an event loop, on an awaitable condition (a blocking one: asyncio.to_thread)."""
    deadline = time.monotonic() + DEADLINE
    while not await condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE:g} s: {what}"
        await asyncio.sleep(EVERY)


def watched(admin: psycopg.Connection[Any], *channels: str) -> bool:
    """Whether a gateway's LISTEN connection has registered every one of `channels` (pgq.watch's rows
    in pgq.waiting): its long polls on them are past their first try, and a NOTIFY wakes them."""
    row = admin.execute("SELECT count(DISTINCT channel) FROM pgq.waiting WHERE channel = ANY(%s)",
                        [list(channels)]).fetchone()
    return row is not None and row[0] == len(channels)


async def until_watched(admin: psycopg.Connection[Any], *channels: str) -> None:
    """From inside an event loop: wait until a gateway's long polls on `channels` are registered."""
    await wait_for_async(lambda: asyncio.to_thread(watched, admin, *channels), "the channels watched")


def tried(admin: psycopg.Connection[Any], channel: str) -> bool:
    """Whether a consumer has looked at the channel: its first dequeue or lease made the channel's head."""
    return admin.execute("SELECT FROM pgq.head WHERE channel = %s", [channel]).fetchone() is not None


def waiting_on(client: TestClient, admin: psycopg.Connection[Any], channel: str) -> Callable[[], bool]:
    """Whether a long poll served by `client`'s gateway on `channel` is past its first try and waiting:
    registered for its notification over the direct backend; over PostgREST, which polls, once it tried."""
    if isinstance(client.app.state.watcher, BackoffPoll):  # type: ignore[attr-defined]
        return lambda: tried(admin, channel)
    return lambda: watched(admin, channel)


def make_due(admin: psycopg.Connection[Any], channel: str) -> int:
    """Time forged, as sql/tests/lease.sql does: every leased or delayed message of the channel is due
    now, as if its time had run out; the channel's head starts over (docs/sql.md, "The head of a
    channel"). How many messages it moved."""
    moved = admin.execute("UPDATE pgq.queue SET visible_at = now() - interval '1 second'"
                          " WHERE channel = %s AND visible_at > now()", [channel]).rowcount
    admin.execute("DELETE FROM pgq.head WHERE channel = %s", [channel])
    return moved
