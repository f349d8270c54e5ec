"""The JWT the PostgREST backend presents for admin calls: HS256, signed with PostgREST's own
secret (PGRST_JWT_SECRET), whose role claim makes PostgREST run the call as that role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import orjson

LIFETIME = 60  # seconds: a token is minted per call, so a leaked one soon expires


def _part(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def role_token(secret: str, role: str, lifetime: int = LIFETIME) -> str:
    """A compact JWS (RFC 7515) with the claims PostgREST reads: `role`, and `exp` to bound it."""
    header = _part(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    claims = _part(orjson.dumps({"role": role, "exp": int(time.time()) + lifetime}))
    signed = header + b"." + claims
    signature = _part(hmac.new(secret.encode(), signed, hashlib.sha256).digest())
    return (signed + b"." + signature).decode()
