"""JSON in and out of the gateway without rounding a number.

jsonb stores numbers as `numeric`: any size, any precision, its scale kept
(`0.10` stays `0.10`). A 64-bit integer or a double would change them, so
numbers travel as Python ints (exact at any size) or Decimals (any fraction
or exponent, digit for digit as written), and are written back as that same
value, positionally as jsonb writes them. The parse holds
to RFC 8259 as orjson does: NaN, Infinity and unpaired surrogates are
malformed.

Routes take their bodies through StrictJsonRoute and answer rows with stored().
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from gateway import bounds

# A message nests at most this deep (the object itself is level 1): pgq.limits()'s
# max_message_depth, checked before any call, for both backends. It leaves room under orjson's
# 254 levels for the call's own wrapping (arguments, a coalesced batch's list).
MAX_DEPTH = bounds.MAX_MESSAGE_DEPTH


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _exact(value: object) -> orjson.Fragment:
    if isinstance(value, Decimal):
        # Positional, as jsonb writes numbers: str() would write 0.000000000000000000000000000001 as 1E-30.
        return orjson.Fragment(format(value, "f"))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def loads(text: bytes | str) -> Any:
    """JSON text as Python values, numbers exact; ValueError if it is not JSON."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_not_json)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer longer than Python converts by default (4300 digits)
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=_not_json)


def loads_strictly(text: bytes | str) -> Any:
    """loads() for a request body, every refusal a JSONDecodeError (FastAPI's malformed JSON). An
    unpaired surrogate such as "\\ud800" parses, but cannot be written back: malformed too."""
    document = text if isinstance(text, str) else text.decode(errors="replace")
    try:
        value = loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", document, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), document, 0) from None
    try:
        orjson.dumps(value, default=_exact)
    except orjson.JSONEncodeError as exc:
        # Past orjson's 254 levels nothing was checked: MAX_DEPTH refuses such a message anyway.
        if "surrogates" in str(exc):
            raise json.JSONDecodeError(str(exc), document, 0) from None
    return value


def dumps(value: object) -> bytes:
    """Python values as JSON, Decimals and ints of any size written digit for digit."""
    try:
        return orjson.dumps(value, default=_exact)
    except orjson.JSONEncodeError as exc:
        if "64-bit" not in str(exc):
            raise ValueError(str(exc)) from None
    try:  # rare: orjson writes ints of up to 64 bits only
        return orjson.dumps(_wide_ints_as_decimals(value), default=_exact)
    except orjson.JSONEncodeError as exc:
        raise ValueError(str(exc)) from None


def _wide_ints_as_decimals(value: object) -> object:
    if isinstance(value, dict):
        return {key: _wide_ints_as_decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wide_ints_as_decimals(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return Decimal(value)
    return value


def depth(value: object) -> int:
    """How deep containers nest in value: 0 for a scalar, 1 for a flat object or array."""
    deepest, level, stack = 0, 0, [(value, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level + 1)
        stack.extend((item, level + 1) for item in value if isinstance(item, dict | list))
    return deepest


class StrictJsonRequest(Request):
    """Request bodies parsed to RFC 8259 (NaN, Infinity and unpaired surrogates such as "\\ud800"
    are malformed JSON: 400, not values to store), every number kept exactly as written."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strictly(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


def stored(rows: object) -> Response:
    """Rows as the database sent them, numbers digit for digit: not through the response model's
    serializer, which would write a Decimal as a string (the model still documents the shape)."""
    return Response(dumps(rows), media_type="application/json")
