"""How every failure becomes an HTTP answer: one JSON shape, {"status": "..."}, and
one table from upstream error codes to statuses, shared by both backends."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("gateway")

# Failures the backends detect themselves rather than read from an error body.
UNREACHABLE = "unreachable"  # refused, reset or closed connections
TIMEOUT = "timeout"  # no answer within PGQ_UPSTREAM_TIMEOUT, waiting for a pooled connection included
UNKNOWN = "unknown"  # a call that writes was sent, and neither its commit nor its rollback is confirmed
GRACE_SECONDS = 2.0  # past the timeout, how long a call that writes may take to confirm either

# SQLSTATEs (or their prefixes), PostgREST codes and the two codes above. The
# longest matching prefix wins; a code that matches nothing is unexpected (500).
STATUS_BY_CODE: dict[str, int] = {
    "22": 400,  # data exceptions: 22023 invalid value, 22004 null, 22P05 \u0000, 22003 out of range...
    "54": 400,  # program limits, such as JSON nested too deeply for the server
    "57014": 503,  # statement timeout
    "57P": 503,  # server shutting down, crashed or starting up
    "08": 503,  # connection exceptions
    "53": 503,  # insufficient resources: too many connections, out of memory, disk full
    "40": 503,  # serialization failure or deadlock: the same request may succeed again
    "25006": 503,  # read-only transaction: a standby, such as a demoted primary (the session is dropped)
    "PGRST000": 503,  # PostgREST could not connect to the database
    "PGRST001": 503,  # PostgREST lost its connection
    "PGRST002": 503,  # PostgREST's schema cache is not loaded yet
    "PGRST003": 503,  # PostgREST's pool acquisition timed out
    UNREACHABLE: 503,
    TIMEOUT: 503,
    UNKNOWN: 504,
}

# What a client reads for each status the upstream decides: our words only. The upstream's
# own text may name hosts and addresses, so it goes to the log.
_PUBLIC = {
    503: "upstream unavailable: nothing was done, try again",
    504: "outcome unknown: the call was sent and neither its commit nor its rollback is confirmed",
}


# pgq's parameter names that the HTTP API spells otherwise, SQL name -> HTTP name: the one table that
# translates the database's messages before a client reads them, and names the HTTP spelling when a
# client sends the SQL one. (`take` and `skip` of peek and dead_letters are `limit` and `offset`, which
# the gateway bounds itself: the database never refuses those.)
SQL_SPELLINGS = {
    "delay_seconds": "delay", "visibility_seconds": "visibility", "take": "count", "skip": "offset",
    "seconds": "visibility",  # extend_lease's, behind POST /queue/{channel}/extend
}
_SQL_NAME = re.compile(r"\b(" + "|".join(SQL_SPELLINGS) + r")\b")


def http_names(text: str) -> str:
    """The database's words with each parameter named as HTTP names it."""
    return _SQL_NAME.sub(lambda match: SQL_SPELLINGS[match[1]], text)


def status_for(code: str) -> int:
    matches = [prefix for prefix in STATUS_BY_CODE if code.startswith(prefix)]
    return STATUS_BY_CODE[max(matches, key=len)] if matches else 500


class GatewayError(Exception):
    """An answer other than success, already decided: HTTP status and the client's message."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def upstream_error(code: str, message: str, detail: str | None = None) -> GatewayError:
    """Translate an upstream failure through the table. Only bad input shows the database's words;
    a 503 or 504 names the code and says what is known, and logs the rest."""
    status = status_for(code)
    message = f"{message} ({detail})" if detail else message
    if status < 500:
        return GatewayError(status, http_names(message))
    if status in _PUBLIC:
        log.warning("%s (%s): %s", _PUBLIC[status], code, message)
        return GatewayError(status, f"{_PUBLIC[status]} ({code})")
    log.error("unexpected upstream error (%s): %s", code, message)
    return GatewayError(500, "internal error")


def status_response(status: int, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one shape of every answer but success: {"status": detail}."""
    return JSONResponse({"status": detail}, status_code=status, headers=headers)


def _shown(value: Any) -> str:
    """A refused value, echoed: a scalar as JSON (cut short), a container by its kind only."""
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "an array"
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:40] + "..." + text[-12:]


def _describe(exc: RequestValidationError) -> str:
    """FastAPI's error list as one readable line: each parameter by its HTTP name, the rule, and
    the value refused, e.g. `visibility: Input should be a valid integer..., got "30s"`."""
    parts = []
    for error in exc.errors():
        loc = [str(item) for item in error.get("loc", ())]
        if error.get("type") == "json_invalid":
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            parts.append(f"malformed JSON{at}: {error.get('ctx', {}).get('error', error['msg'])}")
            continue
        rule = str(error["msg"]).removeprefix("Value error, ")
        name = ".".join(loc[1:])
        if error.get("type") == "extra_forbidden":
            if name in SQL_SPELLINGS:
                parts.append(f"{name}: unknown field: the HTTP name is {SQL_SPELLINGS[name]}")
                continue
            rule = "unknown field"
        if not name:  # the body as a whole: its rule names the field
            parts.append(rule)
        elif error.get("type") == "missing":
            parts.append(f"{name}: {rule}")
        else:
            parts.append(f"{name}: {rule}, got {_shown(error.get('input'))}")
    text = "; ".join(parts) or "invalid request"
    return text if len(text) <= 500 else text[:497] + "..."


def install_handlers(app: FastAPI) -> None:
    async def on_gateway_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GatewayError)
        return status_response(exc.status, exc.detail)

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return status_response(400, _describe(exc))

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return status_response(exc.status_code, str(exc.detail), exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return status_response(500, "internal error")

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
