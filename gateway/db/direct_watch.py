"""The direct backend's watcher for long polling (gateway.db.longpoll): `ListenHub`.

One LISTEN connection per gateway process. `pgq.watch()` registers the channels
that have waiting requests, so that enqueues on them (and only them) NOTIFY
`pgq_ready`; the notification wakes one waiting request. Once a second, while
anyone waits, the same call renews the registration and returns the channels
that have a ready message anyway, which bounds what a missed notification (a
delay running out, a nack, a lease expiring, a commit racing the registration)
can cost. Waiting requests hold no database connection and run no timer of their
own: a thousand of them cost one query a second. `pgq.watch()` takes at most
bounds.MAX_WATCHED_CHANNELS channels: a channel that arrives when they are all taken is not
registered, and its waiters poll as with PostgREST (gateway.db.longpoll.Backoff),
so a client waiting on many channels slows only its own waits.

A woken request that takes a message wakes the next waiting one (there may be
more ready: a batch sends one notification), and so does one that was woken but
leaves without trying (its client went away), so that a wake-up is never
swallowed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import asyncpg

from gateway import bounds
from gateway.db.longpoll import Backoff, Waiter

log = logging.getLogger("gateway")

RECHECK_SECONDS = 1.0  # what a missed notification costs at most
LINGER_SECONDS = 5.0  # a channel stays registered this long after its last waiter leaves
TTL_SECONDS = 30  # a registration outlives a crashed gateway by this much
NOTIFY_CHANNEL = "pgq_ready"  # pgq._wake's NOTIFY channel; the payload is the queue channel


class _Woken:
    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.baton = False  # woken, and the wake-up not used up by an empty try

    async def sleep(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(self.event.wait(), remaining)
        except TimeoutError:
            return False
        self.event.clear()
        self.baton = True
        return True

    def found_nothing(self) -> None:
        self.baton = False


class ListenHub:
    """The process's one LISTEN connection, and its waiting requests."""

    def __init__(self, dsn: str, timeout: float) -> None:
        self._dsn = dsn
        self._timeout = timeout
        self._listener = uuid.uuid4().hex  # this process, in pgq.waiting
        self._waiters: dict[str, dict[_Woken, None]] = {}  # insertion order: the longest waiting first
        self._left: dict[str, float] = {}  # channel -> when its last waiter left
        self._registered: frozenset[str] = frozenset()
        self._changed = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def waiting(self, channel: str) -> AsyncIterator[Waiter]:
        if not self._has_room(channel):
            yield Backoff()
            return
        woken = _Woken()
        self._waiters.setdefault(channel, {})[woken] = None
        self._left.pop(channel, None)
        if channel not in self._registered:
            # No need to wait for the registration: the pgq.watch() call that makes it also
            # reports the channel if a message got ready in the meantime, and wakes us.
            self._changed.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield woken
        finally:
            waiters = self._waiters[channel]
            del waiters[woken]
            if not waiters:
                del self._waiters[channel]
                self._left[channel] = time.monotonic()
            if woken.baton or woken.event.is_set():
                self._wake_one(channel)

    def _has_room(self, channel: str) -> bool:
        """Whether the channel is, or can be, one of the watched: a lingering channel nobody waits
        on gives up its place."""
        if channel in self._waiters or channel in self._left:
            return True
        if len(self._waiters) + len(self._left) < bounds.MAX_WATCHED_CHANNELS:
            return True
        if self._left:
            del self._left[next(iter(self._left))]  # the one that has lingered longest
            return True
        return False

    def _wake_one(self, channel: str) -> None:
        for woken in self._waiters.get(channel, ()):
            if not woken.event.is_set():
                woken.event.set()
                return

    def _wanted(self) -> frozenset[str]:
        now = time.monotonic()
        for channel, left in list(self._left.items()):
            if now - left > LINGER_SECONDS:
                del self._left[channel]
        return frozenset(self._waiters) | frozenset(self._left)

    async def _run(self) -> None:
        """Re-check once a second while there is anything to watch; then unregister and stop
        (a waiter arriving later starts it again), so an idle gateway runs no timer at all."""
        while True:
            self._changed.clear()
            wanted = self._wanted()
            try:
                ready = await self._watch(wanted)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError,
                    asyncpg.TargetServerAttributeNotMatched) as exc:
                # Retried every second, so the waiters survive a failover: with a multi-host URL
                # the next connect finds whichever node is primary by then.
                log.warning("long polling: pgq.watch failed, retrying: %s", exc)
                await self._disconnect()
                ready = []
            for channel in ready:
                self._wake_one(channel)
            if not wanted and not self._changed.is_set():
                return
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), RECHECK_SECONDS)

    async def _watch(self, channels: frozenset[str]) -> list[str]:
        async with asyncio.timeout(self._timeout):
            if self._conn is None or self._conn.is_closed():
                if not channels:
                    return []
                self._conn = await asyncpg.connect(self._dsn)
                await self._conn.add_listener(NOTIFY_CHANNEL, self._notified)
            ready = await self._conn.fetchval(
                "SELECT coalesce(array_agg(c), '{}') FROM pgq.watch(listener => $1, channels => $2,"
                " ttl_seconds => $3) AS c",
                self._listener, sorted(channels), TTL_SECONDS,
            )
        self._registered = channels
        return list(ready)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._wake_one(payload)

    async def _disconnect(self) -> None:
        self._registered = frozenset()
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            with suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                await self._watch(frozenset())  # the registrations would expire anyway; this is sooner
            await self._conn.close()
        self._conn = None
