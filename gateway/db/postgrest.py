"""The container stack's backend: PostgREST's /rpc endpoints over one shared keep-alive client.

PostgREST cannot be asked to cancel a call, nor does it pass on PostgreSQL's warnings, so this
backend knows less than the direct one (gateway.core.errors has the table):

- never sent (no connection to PostgREST, or the request not fully written): 503;
- PostgREST's answer, error or result, even late: through the table, or the result;
- a call that writes, fully sent, with no answer by the deadline plus GRACE_SECONDS, or its
  connection lost, or PostgREST's database connection lost (PGRST001, class 08): 504. A read: 503;
- a commit whose synchronous replication wait was cancelled looks like a plain success: PostgREST
  answers 200 and drops the warning. Only the direct backend can say 504 there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson

from gateway.core import exactjson
from gateway.core.errors import GRACE_SECONDS, TIMEOUT, UNKNOWN, UNREACHABLE, GatewayError, upstream_error
from gateway.core.security import AUDIENCE, role_token
from gateway.db import ADMIN_FUNCTIONS, ADMIN_ROLE, READS, Cut, Deadline
from gateway.db.longpoll import Backoff, Waiter

# PostgREST serves pgq from its db-schemas; Content-Profile selects it even when it is not the first.
HEADERS = {"Accept": "application/json", "Content-Type": "application/json", "Content-Profile": "pgq"}
# PostgREST's anonymous role (pgq_client) may not maintain either; pgq_admin may.
AS_ADMIN = ADMIN_FUNCTIONS | {"maintain"}


class PostgrestBackend:
    def __init__(
        self, base_url: str, timeout: float, pool_size: int,
        transport: httpx.AsyncBaseTransport | None = None, jwt_secret: str | None = None,
        jwt_audience: str = AUDIENCE,
    ) -> None:
        self._timeout = timeout
        self._jwt_secret = jwt_secret
        self._jwt_audience = jwt_audience
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=HEADERS,
            timeout=httpx.Timeout(timeout + GRACE_SECONDS),  # the deadline below decides
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            transport=transport,
        )

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        filters = _filters(cut) if cut else None
        result: list[Any] = orjson.loads(await self._call(function, args, deadline, filters))
        return result

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        return await self._call(function, args, deadline)  # PostgREST's body: PostgreSQL's json_agg text

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        return orjson.loads(await self._call(function, args, deadline))

    async def _call(
        self, function: str, args: Mapping[str, object], deadline: Deadline,
        filters: dict[str, str] | None = None,
    ) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout if deadline is None else deadline
        writes = function not in READS
        try:
            body = exactjson.dumps(dict(args))
        except ValueError as exc:
            raise GatewayError(400, f"cannot be encoded as JSON: {exc}") from None
        sent = False

        async def trace(event: str, _info: object) -> None:
            nonlocal sent  # PostgREST runs nothing before it has the whole body
            sent = sent or event.endswith(".send_request_body.complete")

        # Always POST: PostgREST runs GET requests in read-only transactions,
        # where the volatile functions (enqueue, dequeue, maintain) would fail.
        headers = self._admin_headers() if function in AS_ADMIN else None
        try:
            async with asyncio.timeout_at(deadline + (GRACE_SECONDS if writes else 0)):
                response = await self._client.post(
                    f"/rpc/{function}", content=body, headers=headers, params=filters,
                    extensions={"trace": trace},
                )
        except (TimeoutError, httpx.TimeoutException):
            code = UNKNOWN if sent and writes else TIMEOUT
            raise upstream_error(code, f"no answer within {self._timeout:g} s") from None
        except httpx.TransportError as exc:
            code = UNKNOWN if sent and writes else UNREACHABLE
            raise upstream_error(code, str(exc) or type(exc).__name__) from None
        if response.is_success:
            return response.content
        raise _error(response, writes)

    def _admin_headers(self) -> dict[str, str]:
        """A fresh short-lived JWT per admin call; without the secret the call is never sent."""
        if not self._jwt_secret:
            raise GatewayError(503, "admin calls through PostgREST need PGQ_POSTGREST_JWT_SECRET")
        return {"Authorization": f"Bearer {role_token(self._jwt_secret, ADMIN_ROLE, self._jwt_audience)}"}

    def watcher(self) -> BackoffPoll:
        return BackoffPoll()

    async def close(self) -> None:
        await self._client.aclose()


class BackoffPoll:
    """The watcher for long polling (gateway.db.longpoll): PostgREST has no LISTEN, so every waiting
    request polls, backing off."""

    @asynccontextmanager
    async def waiting(self, channel: str) -> AsyncIterator[Waiter]:
        yield Backoff()

    async def close(self) -> None:
        pass


def _filters(cut: Cut) -> dict[str, str]:
    """PostgREST's horizontal filtering, ordering and paging of a function's rows."""
    filters = {column: f"eq.{value}" for column, value in cut.equal.items()}
    if cut.order_by:
        filters["order"] = f"{cut.order_by}.asc"
    filters["offset"] = str(cut.offset)
    if cut.limit is not None:
        filters["limit"] = str(cut.limit)
    return filters


def _error(response: httpx.Response, writes: bool) -> GatewayError:
    """PostgREST errors are {code, message, details, hint}; a proxy in between may send anything:
    its 503 says nothing was forwarded, its 502 or 504 may come after PostgREST got the call."""
    try:
        body = orjson.loads(response.content)
        code = str(body["code"])
        if writes and code.startswith(("PGRST001", "08")):  # the database connection lost mid-call
            code = UNKNOWN
        return upstream_error(code, str(body["message"]), body.get("details"))
    except (ValueError, KeyError, TypeError):
        code = UNREACHABLE if response.status_code == 503 else f"HTTP {response.status_code}"
        if response.status_code in (502, 504):
            code = UNKNOWN if writes else UNREACHABLE
        return upstream_error(code, f"PostgREST answered {response.status_code}")
