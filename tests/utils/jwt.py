"""Reading the gateway's JWTs back, with the standard library: the check PostgREST makes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from typing import Any

import httpx
import orjson

SECRET = "a-test-secret-of-at-least-32-characters"


def _decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def claims(request: httpx.Request, secret: str) -> dict[str, Any]:
    """The claims of the request's bearer JWT, after checking its HS256 signature and expiry."""
    scheme, _, token = request.headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    header, payload, signature = token.split(".")
    assert orjson.loads(_decode(header))["alg"] == "HS256"
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(_decode(signature), expected)
    decoded: dict[str, Any] = orjson.loads(_decode(payload))
    assert time.time() < decoded["exp"] <= time.time() + 300
    return decoded


def compose_secret() -> str:
    """The JWT key of the compose stack under test (PGRST_JWT_SECRET, which has no default), else
    the stand-in's."""
    return os.environ.get("PGRST_JWT_SECRET") or SECRET
