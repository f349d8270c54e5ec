"""What /openapi.json says about answers other than the success model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from gateway.models import Status

_WHY = {
    400: "Bad input: malformed JSON, a missing or wrong-typed field, a value the database rejects",
    408: "The request body did not arrive whole within PGQ_BODY_TIMEOUT",
    409: "The receipt is not the message's current one: leased again since, settled, or an unknown id",
    413: "The request body is over the configured limit (PGQ_MAX_BODY_BYTES)",
    503: "Nothing was done: the database or PostgREST is unreachable, overloaded or too slow, or the"
    " gateway serves PGQ_MAX_CONCURRENT requests already. Try again",
    504: "Outcome unknown: the call was sent, and neither its commit nor its rollback was confirmed"
    " within PGQ_UPSTREAM_TIMEOUT plus 2 s",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Status, "description": _WHY[status]} for status in statuses}


def empty(description: str) -> dict[int | str, dict[str, Any]]:
    return {204: {"description": f"{description} (empty body)"}}


def document_400_not_422(app: FastAPI) -> None:
    """FastAPI documents a 422 for every route with parameters; the gateway answers those with 400."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
