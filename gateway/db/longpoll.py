"""Long polling: `GET /queue/{channel}?wait=N` answers as soon as a message is ready.

The loop in `poll` is the same for both backends; what differs is how a waiting
request learns that trying again is worth it. Each backend brings its watcher
(`Backend.watcher()`):

- the direct backend's `ListenHub` (gateway.db.direct_watch): one LISTEN
  connection per gateway process, woken by a notification when a message is enqueued
  on a watched channel, and a re-check once a second;
- the PostgREST backend's `BackoffPoll` (gateway.db.postgrest): PostgREST cannot
  LISTEN, so each waiting request polls, backing off (`Backoff`).

Concurrent requests never get the same message: that is the SQL's SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from gateway.core.exactjson import is_empty

FIRST_BACKOFF, MAX_BACKOFF = 0.05, 1.0


class Waiter(Protocol):
    async def sleep(self, deadline: float) -> bool:
        """Wait for a reason to try again, until deadline (time.monotonic()); False if none came."""

    def found_nothing(self) -> None:
        """The last try came back empty: the wake-up was used up."""


class Watcher(Protocol):
    def waiting(self, channel: str) -> AbstractAsyncContextManager[Waiter]: ...

    async def close(self) -> None: ...


Rows = bytes  # PostgreSQL's JSON text of the rows (Backend.json_rows)
NONE: Rows = b"[]"


async def poll(
    watcher: Watcher,
    channel: str,
    attempt: Callable[[], Awaitable[Rows]],
    wait: float,
    disconnected: Callable[[], Awaitable[bool]],
) -> Rows:
    """Try at once; then, for up to `wait` seconds, again whenever the watcher says so."""
    rows = await attempt()
    if not is_empty(rows) or wait <= 0:
        return rows
    deadline = time.monotonic() + wait
    async with watcher.waiting(channel) as waiter:
        while await waiter.sleep(deadline):
            # Nobody is there to receive a message, so take none. A client that goes away
            # during the attempt itself (one round trip) is not noticed: a dequeued message
            # is then lost, as with any client that dies right after a plain GET, and a
            # leased one comes back when its lease runs out.
            if await disconnected():
                return NONE
            rows = await attempt()
            if not is_empty(rows):
                return rows
            waiter.found_nothing()
    return NONE


class Backoff:
    """A waiter that polls on its own: 50 ms after the first try, then twice as long each time
    up to once a second, until the wait runs out."""

    def __init__(self) -> None:
        self._delay = FIRST_BACKOFF

    async def sleep(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(self._delay, remaining))
        self._delay = min(self._delay * 2, MAX_BACKOFF)
        return True

    def found_nothing(self) -> None:
        pass
