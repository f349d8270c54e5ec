"""What /openapi.json says beyond the routes' own declarations: the answers other than the success
model, and (document) the one customisation of the generated schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from gateway.api.deps import ADMIN_OFF
from gateway.core.errors import GRACE_SECONDS
from gateway.core.middleware import OPEN_PATHS
from gateway.models import Status

Responses = dict[int | str, dict[str, Any]]

_WHY = {
    400: "Bad input: malformed JSON, a missing or wrong-typed field, a value the database rejects",
    408: "The request body did not arrive whole within PGQ_BODY_TIMEOUT",
    404: "No such channel on record: pgq.stats() lists none of that name",
    409: "The receipt is not the message's current one: leased again since, settled, or an unknown id",
    413: "The request body is over the configured limit (PGQ_MAX_BODY_BYTES)",
    503: "Nothing was done: the database or PostgREST is unreachable, overloaded or too slow, or the"
    " gateway serves PGQ_MAX_CONCURRENT requests already. Try again",
    504: "Outcome unknown: the call was sent, and neither its commit nor its rollback was confirmed"
    f" within PGQ_UPSTREAM_TIMEOUT plus {GRACE_SECONDS:g} s",
}

# What an admin route (dependencies=[AdminOnly]) declares; its 403 marks it as one in document().
ADMIN_ERRORS: Responses = {
    401: {"model": Status, "description": "The request does not carry PGQ_ADMIN_TOKEN"},
    403: {"model": Status, "description": f"PGQ_ADMIN_TOKEN is not set: `{ADMIN_OFF}`"},
}
BEARER_SCHEME = {
    "type": "http", "scheme": "bearer",
    "description": "PGQ_API_TOKEN for the data routes; PGQ_ADMIN_TOKEN for the admin routes"
                   " (it opens the data routes too)",
}
BEARER_401 = {
    "description": "No `Authorization: Bearer` header, or the wrong token",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}},
}


def errors(*statuses: int) -> Responses:
    return {status: {"model": Status, "description": _WHY[status]} for status in statuses}


def empty(description: str) -> Responses:
    return {204: {"description": f"{description} (empty body)"}}


def document(app: FastAPI, api_token: bool, admin_token: bool) -> None:
    """FastAPI documents a 422 for every route with parameters; the gateway answers those with 400.
    With any token set, declare the bearer scheme, and a 401 on every operation that wants one: all
    but the probes with PGQ_API_TOKEN, the admin routes with PGQ_ADMIN_TOKEN."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
                admin = "403" in operation.get("responses", {})  # an admin route's ADMIN_ERRORS
                if (api_token and path not in OPEN_PATHS) or (admin_token and admin):
                    operation["security"] = [{"bearer": []}]
                    operation.setdefault("responses", {})["401"] = BEARER_401
        components = schema.setdefault("components", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.get("schemas", {}).pop(name, None)
        if api_token or admin_token:
            components.setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
