"""The app's two pure-ASGI layers, outermost first, and the paths that pass without credentials:

- HttpMetrics (added by `instrument`) counts and times every answer, refusals before routing too;
- Guard is what every request passes before routing: the number of requests served at once, the
  bearer token (gateway.core.security), and the request body's size and the time it may take to
  arrive, enforced before anything parses it: limits that keep one client from degrading the
  others."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qsl

from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.config import Settings
from gateway.core.errors import status_response
from gateway.core.security import presents


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class BodyTooSlow(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"request body not received within {seconds:g} s")


# The paths orchestrators and Prometheus call: open without a token. /healthz and /metrics are not
# counted against PGQ_MAX_CONCURRENT either, so an overloaded gateway still shows itself; /readyz,
# which calls the database, is.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
UNCOUNTED_PATHS = OPEN_PATHS - {"/readyz"}


class Guard:
    """The one layer between the metrics and the app, each check before anything reads the body:

    - at most PGQ_MAX_CONCURRENT requests served at once, slow senders included, and apart from
      them at most PGQ_MAX_WAITING long polls (GET /queue/...?wait= more than 0), so that waiting
      consumers never take the producers' places; one more of either gets 503 at once;
    - with PGQ_API_TOKEN, `Authorization: Bearer <token>` (that one or PGQ_ADMIN_TOKEN) on every
      path but the open ones, or 401, before routing, so unknown paths are 401s too;
    - a body declared larger than PGQ_MAX_BODY_BYTES is 413 unread; otherwise its bytes are counted
      as they arrive, chunked bodies too, and it must arrive whole within PGQ_BODY_TIMEOUT of the
      app's first read, or 408: a slow sender holds a request slot no longer than that."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limits = {False: settings.max_concurrent, True: settings.max_waiting}
        self.active = {False: 0, True: 0}
        tokens = [settings.api_token, settings.admin_token] if settings.api_token else []
        self.tokens = tuple(token for token in tokens if token)
        self.max_bytes = settings.max_body_bytes
        self.seconds = settings.body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in UNCOUNTED_PATHS:
            await self._guarded(scope, receive, send)
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
            await self._guarded(scope, receive, send)
        finally:
            self.active[polls] -= 1

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if self.tokens and scope["path"] not in OPEN_PATHS and not self._allowed(headers):
            response = status_response(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(413, BodyTooLarge(self.max_bytes).detail, scope, receive, send)
            return
        if declared in ("", "0") and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body (RFC 9112 6.3): nothing to count or time
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

    def _allowed(self, headers: Headers) -> bool:
        return any([presents(headers, token) for token in self.tokens])  # a list: every token compared


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


# A broker answers in milliseconds: prometheus_client's default buckets (from 5 ms, then
# 10 ms, 25 ms...) would put most requests in the first one.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def instrument(app: FastAPI, registry: CollectorRegistry = REGISTRY) -> None:
    """Count and time every request (`make bench`'s baseline app is instrumented the same way)."""
    app.add_middleware(HttpMetrics, routes=app.router.routes, families=(
        Counter("http_requests_total", "Total number of requests by method, status and handler.",
                ("method", "status", "handler"), registry=registry),
        Histogram("http_request_duration_seconds", "Duration of HTTP requests in seconds, by handler.",
                  ("method", "handler"), buckets=LATENCY_BUCKETS, registry=registry),
    ))


class HttpMetrics:
    """Pure ASGI, outermost: every answer is counted, refusals before routing too. The families and
    labels the dashboards read (monitoring/), as prometheus-fastapi-instrumentator names them, from
    what a request passes by anyway: the route the router put in the scope, the status sent, with
    none of the instrumentator's per-request routing again, Request and Response objects, or size
    and second latency families. The handler is the route's path template; a request refused before
    routing is matched against the routes afterwards; a path no route has is "none", so the label
    set stays bounded."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute], families: tuple[Counter, Histogram]) -> None:
        self.app = app
        self.routes = routes
        self.total, self.latency = families
        # Each label set's series, looked up once: labels() checks and locks on every call. As
        # bounded as the labels: methods, statuses, route templates.
        self.series: dict[tuple[str, int, str], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            key = (scope["method"], status, self._handler(scope))
            if (series := self.series.get(key)) is None:
                method, _, handler = key
                series = self.series[key] = (self.total.labels(method, str(status), handler),
                                             self.latency.labels(method, handler))
            total, latency = series
            total.inc()
            latency.observe(time.perf_counter() - started)

    def _handler(self, scope: Scope) -> str:
        route = scope.get("route") or self._match(scope)
        return getattr(route, "path", None) or "none"

    def _match(self, scope: Scope) -> BaseRoute | None:
        """A full match, else the first partial one (the path's route, another method)."""
        partial = None
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return route
            partial = partial or (route if match == Match.PARTIAL else None)
        return partial
