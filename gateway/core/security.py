"""Tokens, both ways.

In: the optional shared tokens clients present (`presents`). PGQ_API_TOKEN: `Authorization: Bearer
<token>` on every route but the open paths (gateway.core.middleware.OPEN_PATHS), checked by its
Guard before routing. PGQ_ADMIN_TOKEN: the admin routes want it (gateway.api.deps.AdminOnly); it
opens the others too. Unset, the admin routes are off (403): PGQ_API_TOKEN never opens them.

Out: the JWT the PostgREST backend presents for admin calls (`role_token`): HS256, signed with
PostgREST's own secret (PGRST_JWT_SECRET), whose role claim makes PostgREST run the call as that
role, for the audience PostgREST checks (PGRST_JWT_AUD)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import orjson
from starlette.datastructures import Headers

LIFETIME = 60  # seconds: a token is minted per call, so a leaked one soon expires
AUDIENCE = "pgqueue"  # the compose stack's PGRST_JWT_AUD unless .env says otherwise


def presents(headers: Headers, token: str) -> bool:
    """`Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110); the token is compared
    in constant time, as bytes: compare_digest refuses non-ASCII str, and a header may hold anything."""
    scheme, _, given = headers.get("authorization", "").encode("latin-1").partition(b" ")
    return hmac.compare_digest(scheme.lower() + b" " + given.strip(), b"bearer " + token.encode())


def _part(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def role_token(secret: str, role: str, audience: str = AUDIENCE, lifetime: int = LIFETIME) -> str:
    """A compact JWS (RFC 7515) with the claims PostgREST reads: `role`, `aud` for PGRST_JWT_AUD,
    and `exp` to bound it."""
    header = _part(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    claims = _part(orjson.dumps({"role": role, "aud": audience, "exp": int(time.time()) + lifetime}))
    signed = header + b"." + claims
    signature = _part(hmac.new(secret.encode(), signed, hashlib.sha256).digest())
    return (signed + b"." + signature).decode()
