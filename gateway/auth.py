"""The optional shared tokens. PGQ_API_TOKEN: `Authorization: Bearer <token>` on every route but
the probes and the scrape, which orchestrators and Prometheus call without credentials (checked
by gateway.limits.Guard before routing).
PGQ_ADMIN_TOKEN: the admin routes want it (gateway.deps.AdminOnly); it opens the others too.
Unset, the admin routes are off (403): PGQ_API_TOKEN never opens them."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers


def presents(headers: Headers, token: str) -> bool:
    """`Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110); the token is compared
    in constant time, as bytes: compare_digest refuses non-ASCII str, and a header may hold anything."""
    scheme, _, given = headers.get("authorization", "").encode("latin-1").partition(b" ")
    return hmac.compare_digest(scheme.lower() + b" " + given.strip(), b"bearer " + token.encode())
