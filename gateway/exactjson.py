"""JSON in and out of the gateway without rounding a number.

jsonb stores numbers as `numeric`: any size, any precision, its scale kept
(`0.10` stays `0.10`). A 64-bit integer or a double would change them, so
numbers travel as Python ints (exact at any size, kept as such up to 18
digits) or as Decimals (any fraction, exponent or longer integer, digit for
digit as written), and are written back as that same text. The parse holds
to RFC 8259 as orjson does: NaN, Infinity and unpaired surrogates are
malformed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

# A message nests at most this deep (the object itself is level 1): one limit, checked before
# any call, for both backends. It leaves room under orjson's 254 levels for the call's own
# wrapping (arguments, a coalesced batch's list).
MAX_DEPTH = 200


def _number(text: str) -> int | Decimal:
    return int(text) if len(text) <= 18 else Decimal(text)


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
        value = json.loads(text, parse_float=Decimal, parse_int=_number, parse_constant=_not_json)
        dumps(value)  # an unpaired surrogate parses, but cannot be written back: malformed
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # as a JSONDecodeError, which FastAPI reports as malformed JSON
        document = text if isinstance(text, str) else text.decode(errors="replace")
        raise json.JSONDecodeError(str(exc), document, 0) from None
    return value


def dumps(value: object) -> bytes:
    """Python values as JSON, Decimals and large ints written digit for digit."""
    try:
        return orjson.dumps(value, default=_exact)
    except orjson.JSONEncodeError as exc:
        raise ValueError(str(exc)) from None


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
