"""JSON into the gateway without rounding a number, and out of it without parsing it again.

jsonb stores numbers as `numeric`: any size, any precision, its scale kept
(`0.10` stays `0.10`). A 64-bit integer or a double would change them, so the
numbers of a request body travel as Python ints (exact at any size) or Decimals
(any fraction or exponent, digit for digit as written), and are written to the
backend as that same value. A number `numeric` cannot hold is refused from its
text, before anything builds it (`bounded`). The parse holds to RFC 8259 as
orjson does: NaN, Infinity and unpaired surrogates are malformed.

The way out does not parse at all: the backends hand over PostgreSQL's own JSON
text of the rows (`Backend.json_rows`), and `rows_response` and `first_row`
splice it into the answer, so a message reaches its client byte for byte as
jsonb wrote it, whatever its depth or size.

Routes take their bodies through StrictJsonRoute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

# PostgreSQL's numeric: at most this many digits before the decimal point, and after it.
NUMERIC_INTEGER_DIGITS = 131_072
NUMERIC_FRACTION_DIGITS = 16_383
_NUMBER = re.compile(r"-?(\d+)(?:\.(\d+))?(?:[eE]([-+]?)(\d+))?")
# int() of more digits than this is slow (and refused by default past 4300): a Decimal is not.
_INT_DIGITS = 4_000


class NumberOutOfRange(ValueError):
    """A JSON number PostgreSQL's numeric cannot hold: a 400, not a value to build."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 40 else f"{text[:20]}...{text[-12:]}"
        super().__init__(
            f"number out of range: PostgreSQL's numeric holds at most {NUMERIC_INTEGER_DIGITS} digits"
            f" before the decimal point and {NUMERIC_FRACTION_DIGITS} after it, got {shown}"
        )


def bounded(text: str) -> str:
    """The text of a JSON number, refused (NumberOutOfRange) if numeric cannot hold its value. Judged
    from the digits and the exponent as written, so a `1e999999999` costs nothing to refuse."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise ValueError(f"{text} is not a JSON number")
    whole, fraction, sign, exponent = match.groups()
    fraction = fraction or ""
    exponent = (exponent or "0").lstrip("0") or "0"
    if len(exponent) > 9:
        raise NumberOutOfRange(text)
    shift = -int(exponent) if sign == "-" else int(exponent)
    digits = whole + fraction
    significant = digits.lstrip("0")
    before_point = len(whole) - (len(digits) - len(significant)) + shift if significant else 0
    if before_point > NUMERIC_INTEGER_DIGITS or len(fraction) - shift > NUMERIC_FRACTION_DIGITS:
        raise NumberOutOfRange(text)
    return text


def _integer(text: str) -> int | Decimal:
    bounded(text)
    return int(text) if len(text) <= _INT_DIGITS else Decimal(text)


def _fraction(text: str) -> Decimal:
    return Decimal(bounded(text))


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _exact(value: object) -> orjson.Fragment:
    if isinstance(value, Decimal):
        # As written (1E+2, 0.10): PostgreSQL reads the same value and scale from it. Never
        # positionally: format(value, "f") of a 1e131072 writes 131,073 characters.
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def loads(text: bytes | str) -> Any:
    """JSON text as Python values, numbers exact and bounded; ValueError if it is not JSON,
    NumberOutOfRange if a number is beyond numeric."""
    return json.loads(text, parse_float=_fraction, parse_int=_integer, parse_constant=_not_json)


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
    except NumberOutOfRange as exc:  # FastAPI passes an HTTPException raised here on as it is
        raise HTTPException(400, str(exc)) from None
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), document, 0) from None
    try:
        orjson.dumps(value, default=_exact)
    except orjson.JSONEncodeError as exc:
        # Past orjson's 254 levels nothing was checked: MAX_MESSAGE_DEPTH refuses such a message anyway.
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


def _is_json(content_type: str) -> bool:
    """application/json or application/<anything>+json, as FastAPI reads it (a missing type too)."""
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        takes_body = self.body_field is not None

        async def strict(request: Request) -> Response:
            kind = request.headers.get("content-type", "")
            if takes_body and kind and not _is_json(kind):
                wanted = "want application/json"
                raise HTTPException(400, f"the body must be JSON: Content-Type is {kind!r}, {wanted}")
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


def is_empty(rows: bytes) -> bool:
    """Whether PostgreSQL's JSON text of a set of rows is the empty array."""
    return rows.strip() == b"[]"


def rows_response(rows: bytes) -> Response:
    """PostgreSQL's JSON array of rows as the answer, as it is: 204 when empty."""
    if is_empty(rows):
        return Response(status_code=204)
    return Response(rows, media_type="application/json")


def first_row(rows: bytes) -> Response:
    """The one row of a one-row JSON array as the answer: the array's brackets cut off, nothing parsed."""
    if is_empty(rows):
        return Response(status_code=204)
    text = rows.strip()
    assert text[:1] == b"[" and text[-1:] == b"]", "not a JSON array"
    return Response(text[1:-1].strip(), media_type="application/json")
