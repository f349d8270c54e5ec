"""The embedded default: an asyncpg pool, logged in as pgq_gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import asyncpg
import orjson

from gateway.errors import TIMEOUT, UNREACHABLE, log, upstream_error


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


async def _json_codecs(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset, beyond the rollback asyncpg always does: nothing. The default runs
    `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`, a second round trip per
    request, yet a pooled session runs single pgq calls that leave none of that behind
    (function-level SET clauses end with the call; LISTEN is on a connection of its own)."""


class DirectBackend:
    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout
        self._releasing: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(cls, dsn: str, upstream_timeout: float, pool_size: int) -> DirectBackend:
        # min_size=0: opening connects to nothing, so the gateway starts (and
        # answers 503) while the database is down, and connects once it is up.
        pool = await asyncpg.create_pool(
            dsn, min_size=0, max_size=pool_size, timeout=upstream_timeout, init=_json_codecs,
            reset=_keep_session, max_inactive_connection_lifetime=60,
        )
        return cls(pool, upstream_timeout)

    async def rows(self, function: str, args: Mapping[str, object]) -> list[Any]:
        # As PostgREST does: json_agg over a subquery, so even a one-column row is an
        # object, and timestamps carry their UTC offset. Except for a set of a plain type
        # (RETURNS SETOF bigint), whose values PostgREST lists bare: PostgreSQL names that
        # one column after the function, and no pgq function has an OUT column of its own name.
        sql = f"SELECT coalesce(json_agg(r), '[]') FROM (SELECT * FROM pgq.{function}({_params(args)})) AS r"
        result: list[dict[str, Any]] = await self._fetch(sql, args)
        if result and result[0].keys() == {function}:
            return [row[function] for row in result]
        return result

    async def value(self, function: str, args: Mapping[str, object]) -> Any:
        return await self._fetch(f"SELECT to_json(pgq.{function}({_params(args)}))", args)

    async def _fetch(self, sql: str, args: Mapping[str, object]) -> Any:
        conn = None
        try:
            async with asyncio.timeout(self._timeout):
                # The acquire timeout is also release()'s budget for the cancel and reset of a
                # session that stopped answering (a frozen server); past it the pool drops the session.
                conn = await self._pool.acquire(timeout=self._timeout)
                return await conn.fetchval(sql, *args.values())
        except TimeoutError:
            raise upstream_error(TIMEOUT, f"no answer within {self._timeout:g} s") from None
        except asyncpg.PostgresError as exc:
            raise upstream_error(exc.sqlstate or "", exc.message, exc.detail) from None
        except asyncpg.InterfaceError as exc:
            # A value the client library cannot send (data_exception), or a connection it lost.
            raise upstream_error("22000" if isinstance(exc, ValueError) else UNREACHABLE, str(exc)) from None
        except (OSError, asyncpg.TargetServerAttributeNotMatched) as exc:
            # Refused, reset, or (with a multi-host URL and target_session_attrs=read-write)
            # no host accepts writes: a failover in progress. The next request connects anew.
            raise upstream_error(UNREACHABLE, str(exc) or type(exc).__name__) from None
        finally:
            if conn is not None:
                # Released in the background: the answer does not wait on that cleanup,
                # and the session keeps its pool slot until it is done.
                release = asyncio.create_task(self._pool.release(conn))
                self._releasing.add(release)
                release.add_done_callback(self._released)

    def _released(self, release: asyncio.Task[None]) -> None:
        self._releasing.discard(release)
        if not release.cancelled() and release.exception():
            log.info("dropped a pooled connection: %s", release.exception())

    async def close(self) -> None:
        await self._pool.close()


def _params(args: Mapping[str, object]) -> str:
    """Named notation, `channel => $1, take => $2`: parameter names are the API, positions are not."""
    return ", ".join(f"{name} => ${position}" for position, name in enumerate(args, 1))
