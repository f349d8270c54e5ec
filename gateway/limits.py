"""Limits that keep one client from degrading the others: the request body's size and the time it
may take to arrive, enforced before anything parses it, and the number of requests served at once."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import status_response


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class BodyTooSlow(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"request body not received within {seconds:g} s")


class BodyLimit:
    """Answer 413 when the declared Content-Length is over the limit, without reading the
    body; otherwise count the bytes as they arrive, which also covers chunked bodies. A body
    must arrive whole within `seconds` of the app's first read, or 408: a slow sender holds a
    request slot (ConcurrencyLimit) no longer than that."""

    def __init__(self, app: ASGIApp, max_bytes: int, seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False
        deadline: float | None = None
        complete = False

        async def counting_receive() -> Message:
            nonlocal received, deadline, complete
            if complete:  # what follows the body: a disconnect, which a long poll waits for
                return await receive()
            deadline = deadline or asyncio.get_running_loop().time() + self.seconds
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow(self.seconds) from None
            complete = not message.get("more_body", False)
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # FastAPI re-raises HTTPExceptions met while reading the body, so this
                # reaches the app's handler as a 413 instead of "error parsing the body".
                raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except (BodyTooLarge, BodyTooSlow) as refused:
            if started:
                raise
            await _refuse(refused.status_code, refused.detail, scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _refuse(413, BodyTooLarge(self.max_bytes).detail, scope, receive, send)


class ConcurrencyLimit:
    """At most `limit` requests served at once, slow senders included, and apart from them at most
    `waiting` long polls (GET /queue/...?wait= more than 0), so that waiting consumers never take
    the producers' places. One more of either gets 503 at once, without reading its body. /healthz
    and /metrics are not counted, so the orchestrator and Prometheus still see an overloaded gateway."""

    EXEMPT = frozenset({"/healthz", "/metrics"})

    def __init__(self, app: ASGIApp, limit: int, waiting: int) -> None:
        self.app = app
        self.limits = {False: limit, True: waiting}
        self.active = {False: 0, True: 0}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.EXEMPT:
            await self.app(scope, receive, send)
            return
        polls = _long_poll(scope)
        if self.active[polls] >= self.limits[polls]:
            what = "long polls" if polls else "requests"
            detail = (f"upstream unavailable: the gateway serves {self.limits[polls]} {what} at once,"
                      " try again")
            await _refuse(503, detail, scope, receive, send)
            return
        self.active[polls] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active[polls] -= 1


def _long_poll(scope: Scope) -> bool:
    """GET /queue/{channel} with a `wait` other than 0 (an invalid one is a 400 soon enough either way)."""
    if scope["method"] != "GET" or not scope["path"].startswith("/queue/"):
        return False
    if b"wait=" not in scope["query_string"]:
        return False
    waits = [value for name, value in parse_qsl(scope["query_string"].decode("latin-1")) if name == "wait"]
    return any(value.strip() not in ("", "0", "0.0") for value in waits)


async def _refuse(status: int, detail: str, scope: Scope, receive: Receive, send: Send) -> None:
    await status_response(status, detail)(scope, receive, send)
