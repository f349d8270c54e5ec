"""The optional shared tokens. PGQ_API_TOKEN: `Authorization: Bearer <token>` on every route but
the probes and the scrape, which orchestrators and Prometheus call without credentials.
PGQ_ADMIN_TOKEN: the admin routes (configure, redrive) want it (gateway.deps.AdminOnly); it opens
the others too. Unset, the admin routes are off (403): PGQ_API_TOKEN never opens them."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import status_response

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class BearerToken:
    """Refuse before routing or reading the body, so unknown paths and oversized bodies are 401s too."""

    def __init__(self, app: ASGIApp, tokens: Iterable[str]) -> None:
        self.app = app
        self.tokens = tuple(tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        response = status_response(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        return any([presents(headers, token) for token in self.tokens])  # a list: every token compared


def presents(headers: Headers, token: str) -> bool:
    """`Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110); the token is compared
    in constant time, as bytes: compare_digest refuses non-ASCII str, and a header may hold anything."""
    scheme, _, given = headers.get("authorization", "").encode("latin-1").partition(b" ")
    return hmac.compare_digest(scheme.lower() + b" " + given.strip(), b"bearer " + token.encode())
