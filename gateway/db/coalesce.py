"""Group commit for `POST /message`: concurrent enqueues on a channel share one call.

While a call for a channel is in flight, the messages that arrive for it wait,
and go together, in arrival order, as one `pgq.enqueue_batch` when it returns:
one statement, one transaction, one commit for all of them, over either
backend. The first message for a channel with no call in flight goes at once
as a plain `pgq.enqueue`, from its own request (no task, no future to wait
on), so a gateway with one connection, or one POST at a time per channel,
sends and pays what it would without coalescing. Every request is answered after
its message's commit. Only plain messages are coalesced: a `delay` or a
`dedup_key` takes its own call.

Failures stay per request, as without coalescing. A batch refused as bad
input (400) is all or nothing in SQL, so none of it was stored: its messages
are sent again one by one, and only the bad one is refused. Any other
failure is every message's answer: 503 when the backend knows nothing was
stored, 504 when it cannot tell. Dequeues are never coalesced: a batch dequeued
for several requests would be lost whole if the gateway died before
answering them.

Time is per request too: each has PGQ_UPSTREAM_TIMEOUT from its arrival. A
message still waiting for its call when that runs out is answered 503 and
never sent; a call runs to the earliest deadline of its messages, so no
request waits longer than the timeout plus the backend's GRACE_SECONDS.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from gateway.core.errors import TIMEOUT, UNKNOWN, GatewayError, upstream_error
from gateway.db import Backend

MAX_COALESCED = 100  # messages per call; the rest wait for the next one
STOPPING = GatewayError(503, "upstream unavailable: the gateway is stopping, nothing was done")


@dataclass(slots=True)
class _Pending:
    message: dict[str, Any]
    deadline: float  # on the event loop's clock
    sent: bool = False  # in a call that may have stored it
    answer: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Uncoalesced:
    """PGQ_COALESCE=false: every message its own pgq.enqueue, from its own request."""

    def __init__(self, backend: Backend, timeout: float) -> None:
        self._backend = backend

    async def enqueue(self, channel: str, message: dict[str, Any]) -> int:
        id_: int = await self._backend.value("enqueue", {"channel": channel, "message": message})
        return id_

    async def close(self) -> None:
        pass


class EnqueueCoalescer:
    def __init__(self, backend: Backend, timeout: float) -> None:
        self._backend = backend
        self._timeout = timeout
        self._queued: dict[str, list[_Pending]] = {}  # a channel is here while a call for it runs
        self._senders: set[asyncio.Task[None]] = set()

    async def enqueue(self, channel: str, message: dict[str, Any]) -> int:
        """pgq.enqueue(channel, message)'s id, once committed."""
        pending = _Pending(message, asyncio.get_running_loop().time() + self._timeout)
        queued = self._queued.get(channel)
        if queued is None:
            return await self._lead(channel, pending)
        queued.append(pending)
        try:
            async with asyncio.timeout_at(pending.deadline):
                return await asyncio.shield(pending.answer)
        except TimeoutError:
            if not pending.sent:
                _answer(pending, error=upstream_error(TIMEOUT, f"not sent within {self._timeout:g} s"))
            return await pending.answer  # once sent, the backend answers within its grace
        except asyncio.CancelledError:
            # A request cancelled before its message is sent cancels the message too, as
            # it would without coalescing; once sent, the message is stored all the same.
            if not pending.sent:
                pending.answer.cancel()
            raise

    async def _lead(self, channel: str, pending: _Pending) -> int:
        """The first message for an idle channel goes at once, from its own request: no task, no wait,
        what the gateway would send without coalescing. Those that arrive meanwhile go together after."""
        self._queued[channel] = []
        try:
            await self._one(channel, pending)
        finally:
            if any(not waiting.answer.done() for waiting in self._queued[channel]):
                sender = asyncio.create_task(self._send(channel))
                self._senders.add(sender)
                sender.add_done_callback(self._senders.discard)
            else:
                del self._queued[channel]
        return pending.answer.result()

    async def _send(self, channel: str) -> None:
        queued = self._queued[channel]
        batch: list[_Pending] = []
        try:
            while queued:
                batch = [pending for pending in queued[:MAX_COALESCED] if not pending.answer.done()]
                del queued[:MAX_COALESCED]
                for pending in batch:
                    pending.sent = True
                try:
                    await self._call(channel, batch)
                except Exception as error:  # unexpected: a 500 for each, as without coalescing
                    for pending in batch:
                        _answer(pending, error=error)
        finally:
            del self._queued[channel]
            for pending in batch + queued:
                if not pending.answer.done():  # only if cancelled
                    lost = upstream_error(UNKNOWN, "cancelled during the call") if pending.sent else STOPPING
                    _answer(pending, error=lost)

    async def _call(self, channel: str, batch: list[_Pending]) -> None:
        if len(batch) <= 1:
            for pending in batch:
                await self._one(channel, pending)
            return
        try:
            ids = await self._backend.rows(
                "enqueue_batch", {"channel": channel, "messages": [pending.message for pending in batch]},
                deadline=min(pending.deadline for pending in batch),
            )
        except GatewayError as error:
            if error.status != 400:
                for pending in batch:
                    _answer(pending, error=error)
                return
            for pending in batch:  # the batch was refused whole and nothing stored: find the bad ones
                pending.sent = False
            for pending in batch:
                await self._one(channel, pending)
            return
        for pending, id_ in zip(batch, ids, strict=True):
            _answer(pending, id_)

    async def _one(self, channel: str, pending: _Pending) -> None:
        if pending.answer.done():
            return
        if asyncio.get_running_loop().time() >= pending.deadline:
            _answer(pending, error=upstream_error(TIMEOUT, f"not sent within {self._timeout:g} s"))
            return
        pending.sent = True
        try:
            id_ = await self._backend.value(
                "enqueue", {"channel": channel, "message": pending.message}, deadline=pending.deadline
            )
        except GatewayError as error:
            _answer(pending, error=error)
        else:
            _answer(pending, id_)

    async def close(self) -> None:
        """Refuse the messages not sent yet, and let the calls in flight end: their deadlines bound them."""
        for queued in self._queued.values():
            for pending in queued:
                _answer(pending, error=STOPPING)
        await asyncio.gather(*self._senders, return_exceptions=True)


def _answer(pending: _Pending, id_: int = 0, error: Exception | None = None) -> None:
    if pending.answer.done():  # answered already, or its request was cancelled
        return
    if error is None:
        pending.answer.set_result(id_)
    else:
        pending.answer.set_exception(error)
