"""The container stack's backend: PostgREST's /rpc endpoints over one shared keep-alive client."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from gateway.backends import ADMIN_FUNCTIONS, ADMIN_ROLE
from gateway.errors import TIMEOUT, UNREACHABLE, GatewayError, upstream_error
from gateway.jwt import role_token

# PostgREST serves pgq from its db-schemas; Content-Profile selects it even when it is not the first.
HEADERS = {"Accept": "application/json", "Content-Type": "application/json", "Content-Profile": "pgq"}
# PostgREST's anonymous role (pgq_client) may not maintain either; pgq_admin may.
AS_ADMIN = ADMIN_FUNCTIONS | {"maintain"}


class PostgrestBackend:
    def __init__(
        self, base_url: str, timeout: float, pool_size: int,
        transport: httpx.AsyncBaseTransport | None = None, jwt_secret: str | None = None,
    ) -> None:
        self._timeout = timeout
        self._jwt_secret = jwt_secret
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=HEADERS,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            transport=transport,
        )

    async def rows(self, function: str, args: Mapping[str, object]) -> list[Any]:
        result: list[Any] = await self._call(function, args)
        return result

    async def value(self, function: str, args: Mapping[str, object]) -> Any:
        return await self._call(function, args)

    async def _call(self, function: str, args: Mapping[str, object]) -> Any:
        # Always POST: PostgREST runs GET requests in read-only transactions,
        # where the volatile functions (enqueue, dequeue, maintain) would fail.
        headers = self._admin_headers() if function in AS_ADMIN else None
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.post(
                    f"/rpc/{function}", content=orjson.dumps(dict(args)), headers=headers
                )
        except (TimeoutError, httpx.TimeoutException):
            raise upstream_error(TIMEOUT, f"no answer within {self._timeout:g} s") from None
        except httpx.TransportError as exc:
            raise upstream_error(UNREACHABLE, str(exc) or type(exc).__name__) from None
        if response.is_success:
            return orjson.loads(response.content)
        raise _error(response)

    def _admin_headers(self) -> dict[str, str]:
        """A fresh short-lived JWT per admin call; without the secret the call is never sent."""
        if not self._jwt_secret:
            raise GatewayError(503, "admin calls through PostgREST need PGQ_POSTGREST_JWT_SECRET")
        return {"Authorization": f"Bearer {role_token(self._jwt_secret, ADMIN_ROLE)}"}

    async def close(self) -> None:
        await self._client.aclose()


def _error(response: httpx.Response) -> GatewayError:
    """PostgREST errors are {code, message, details, hint}; a proxy in between may send anything."""
    try:
        body = orjson.loads(response.content)
        return upstream_error(str(body["code"]), str(body["message"]), body.get("details"))
    except (orjson.JSONDecodeError, KeyError, TypeError):
        code = UNREACHABLE if response.status_code in (502, 503, 504) else f"HTTP {response.status_code}"
        return upstream_error(code, f"PostgREST answered {response.status_code}")
