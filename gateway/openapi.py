"""What /openapi.json says beyond the routes' own declarations: the answers other than the success
model, and (document) the one customisation of the generated schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from gateway.limits import OPEN_PATHS
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
    " within PGQ_UPSTREAM_TIMEOUT plus 2 s",
}

ADMIN_401: Responses = {
    401: {"model": Status, "description": "PGQ_ADMIN_TOKEN is set and the request does not carry it"}
}
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "The gateway's PGQ_API_TOKEN"}
BEARER_401 = {
    "description": "No `Authorization: Bearer` header, or the wrong token",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}},
}


def errors(*statuses: int) -> Responses:
    return {status: {"model": Status, "description": _WHY[status]} for status in statuses}


def empty(description: str) -> Responses:
    return {204: {"description": f"{description} (empty body)"}}


def document(app: FastAPI, bearer: bool) -> None:
    """FastAPI documents a 422 for every route with parameters; the gateway answers those with 400.
    With `bearer` (PGQ_API_TOKEN set), declare the scheme, and a 401 on every operation that needs it."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
                if bearer and path not in OPEN_PATHS:
                    operation["security"] = [{"bearer": []}]
                    operation.setdefault("responses", {})["401"] = BEARER_401
        components = schema.setdefault("components", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.get("schemas", {}).pop(name, None)
        if bearer:
            components.setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
