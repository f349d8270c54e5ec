"""The optional shared tokens. PGQ_API_TOKEN: `Authorization: Bearer <token>` on every route but
the probes and the scrape, which orchestrators and Prometheus call without credentials.
PGQ_ADMIN_TOKEN: the admin routes (configure, redrive) want it instead; it opens the others too.
Unset, the admin routes accept what the data routes accept."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.models import Status

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
SCHEME = {"type": "http", "scheme": "bearer", "description": "The gateway's PGQ_API_TOKEN"}


class BearerToken:
    """Refuse before routing or reading the body, so unknown paths and oversized bodies are 401s too."""

    def __init__(self, app: ASGIApp, tokens: Iterable[str]) -> None:
        self.app = app
        self.tokens = tuple(tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"status": "missing or wrong bearer token"}, status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
        await response(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        return any([presents(headers, token) for token in self.tokens])  # a list: every token compared


def presents(headers: Headers, token: str) -> bool:
    """`Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110); the token is compared
    in constant time, as bytes: compare_digest refuses non-ASCII str, and a header may hold anything."""
    scheme, _, given = headers.get("authorization", "").encode("latin-1").partition(b" ")
    return hmac.compare_digest(scheme.lower() + b" " + given.strip(), b"bearer " + token.encode())


async def _require_admin(request: Request) -> None:
    token: str | None = request.app.state.admin_token
    if token and not presents(request.headers, token):
        raise HTTPException(401, "missing or wrong admin token", headers={"WWW-Authenticate": "Bearer"})


AdminOnly = Depends(_require_admin)
ADMIN_401: dict[int | str, dict[str, Any]] = {
    401: {"model": Status, "description": "PGQ_ADMIN_TOKEN is set and the request does not carry it"}
}


def document_bearer(app: FastAPI) -> None:
    """Declare the scheme in /openapi.json, and a 401 on every operation that needs the token."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = SCHEME
        for path, operations in schema.get("paths", {}).items():
            if path in OPEN_PATHS:
                continue
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
                operation.setdefault("responses", {})["401"] = {
                    "description": "No `Authorization: Bearer` header, or the wrong token",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}},
                }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
