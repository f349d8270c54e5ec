"""The optional shared token (PGQ_API_TOKEN): `Authorization: Bearer <token>` on every route
but the probes and the scrape, which orchestrators and Prometheus call without credentials."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
SCHEME = {"type": "http", "scheme": "bearer", "description": "The gateway's PGQ_API_TOKEN"}


class BearerToken:
    """Refuse before routing or reading the body, so unknown paths and oversized bodies are 401s too."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        # Bytes on both sides: compare_digest refuses non-ASCII str, and a header may hold anything.
        self.expected = b"bearer " + token.encode()

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
        given = Headers(scope=scope).get("authorization", "").encode("latin-1")
        scheme, _, token = given.partition(b" ")
        # The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
        return hmac.compare_digest(scheme.lower() + b" " + token.strip(), self.expected)


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
