"""The embedded default: an asyncpg pool, logged in as pgq_gateway.

A failed call answers what is known of it (the table in gateway.core.errors):

- never sent (no pooled connection by the deadline, or none to be had): 503;
- the call's own error goes through the table; a cancelled statement was rolled back: 503;
- no answer by the deadline: PostgreSQL is asked to cancel the statement, and its answer is
  awaited GRACE_SECONDS more. Rolled back (57014): 503. Committed: the result, late. Still
  nothing: the connection is dropped, and a call that writes gets 504, a read 503;
- the connection lost once the call was sent: a write gets 504, a read 503;
- a commit whose wait for synchronous replication was cancelled (PostgreSQL's WARNING: committed
  locally, perhaps not on the standby): 504.

A connection goes back to the pool only once its call has ended, idle and outside any transaction;
a session on a read-only server (25006: a standby) is dropped, so the next call connects afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import orjson

from gateway.core import exactjson
from gateway.core.errors import GRACE_SECONDS, TIMEOUT, UNKNOWN, UNREACHABLE, log, upstream_error
from gateway.db import ADMIN_FUNCTIONS, ADMIN_ROLE, READS, Cut, Deadline
from gateway.db.direct_watch import ListenHub

READ_ONLY_SERVER = "25006"
CANCEL_AGAIN_SECONDS = 0.25
# Both of PostgreSQL's warnings for a commit that stopped waiting for its standby contain this.
SYNC_REP_CANCELLED = "wait for synchronous replication"


def _dumps(value: object) -> str:
    return exactjson.dumps(value).decode()


async def _json_codecs(conn: asyncpg.Connection) -> None:
    # Decoded with orjson: no message is (json_rows hands those over as text), so what is parsed
    # is ids, counts and settings.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")
    # Intervals travel as PostgreSQL's own text ("1 hour", "PT1H"), as they do through PostgREST.
    await conn.set_type_codec("interval", encoder=str, decoder=str, schema="pg_catalog", format="text")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset, beyond the rollback asyncpg always does: nothing. The default runs
    `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`, a second round trip per
    request, yet a pooled session runs single pgq calls that leave none of that behind
    (function-level SET clauses end with the call; LISTEN is on a connection of its own)."""


class NotSent(Exception):
    """The call never left the gateway."""


class _Call:
    """One statement on one pooled connection, run to its end whatever its caller does."""

    def __init__(self, conn: Any, sql: str, args: Mapping[str, object], as_admin: bool) -> None:
        self.conn = conn
        self._as_admin = as_admin
        self.warnings: list[str] = []
        self.sent_cancel = False
        self._sql, self._args = sql, args

    async def run(self, pool: asyncpg.Pool) -> Any:
        self.conn.add_log_listener(self._logged)
        try:
            if not self._as_admin:
                return await self.conn.fetchval(self._sql, *self._args.values())
            # pgq_gateway reaches pgq_admin's functions by SET ROLE (it inherits none of its rights),
            # for this one transaction: SET LOCAL ends with it, so the pooled session is clean again.
            async with self.conn.transaction():
                await self.conn.execute(f"SET LOCAL ROLE {ADMIN_ROLE}")
                return await self.conn.fetchval(self._sql, *self._args.values())
        except asyncpg.PostgresError as exc:
            if exc.sqlstate == READ_ONLY_SERVER:
                self.conn.terminate()
            raise
        except asyncpg.InternalClientError as exc:
            # The session is not idle: the server's unsolicited FATAL (a crash, a shutdown) came in
            # while it sat in the pool, and its socket is not closed yet. asyncpg refuses before
            # sending anything.
            self.conn.terminate()
            raise NotSent(str(exc)) from exc
        finally:
            try:
                self.conn.remove_log_listener(self._logged)
                await pool.release(self.conn)
            except Exception as exc:  # the pool has dropped the session already: nothing else to do
                log.info("dropped a pooled connection: %s", exc)

    def _logged(self, _conn: object, message: asyncpg.PostgresLogMessage) -> None:
        self.warnings.append(f"{message.message} {message.detail or ''}")

    def cancel(self) -> None:
        """PostgreSQL's CancelRequest, on a connection of its own, while this call keeps waiting
        for its answer: asyncpg cancels only by abandoning the call, which would lose whether it
        committed. A CancelRequest that fails makes asyncpg drop the connection."""
        connection = self.conn._con  # the pool proxy's connection; None once the pool took it back
        if connection is None or connection.is_closed():
            return
        self.sent_cancel = True
        connection._cancel_current_command(asyncio.get_running_loop().create_future())

    def committed_unreplicated(self) -> bool:
        return any(SYNC_REP_CANCELLED in warning for warning in self.warnings)


class DirectBackend:
    def __init__(self, pool: asyncpg.Pool, dsn: str, timeout: float) -> None:
        self._pool = pool
        self._dsn = dsn  # for the LISTEN connection, which is not pooled
        self._timeout = timeout
        self._running: set[asyncio.Task[Any]] = set()

    @classmethod
    async def open(cls, dsn: str, upstream_timeout: float, pool_size: int) -> DirectBackend:
        # min_size=0: opening connects to nothing, so the gateway starts (and
        # answers 503) while the database is down, and connects once it is up.
        pool = await asyncpg.create_pool(
            dsn, min_size=0, max_size=pool_size, timeout=upstream_timeout, init=_json_codecs,
            reset=_keep_session, max_inactive_connection_lifetime=60,
        )
        return cls(pool, dsn, upstream_timeout)

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        # As PostgREST does: json_agg over a subquery, so even a one-column row is an
        # object, and timestamps carry their UTC offset. Except for a set of a plain type
        # (RETURNS SETOF bigint), whose values PostgREST lists bare: PostgreSQL names that
        # one column after the function, and no pgq function has an OUT column of its own name.
        call = _call_sql(function, args)
        if cut:
            call, args = _cut(call, args, cut)
        result: list[dict[str, Any]] = await self._fetch(function, _rows_sql(call), args, deadline)
        if result and result[0].keys() == {function}:
            return [row[function] for row in result]
        return result

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        # ::text: json has no codec then, so the rows arrive as PostgreSQL wrote them, unparsed.
        sql = _rows_sql(_call_sql(function, args), "::text")
        text: str = await self._fetch(function, sql, args, deadline)
        return text.encode()

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        return await self._fetch(function, f"SELECT to_json(pgq.{function}({_params(args)}))", args, deadline)

    async def _fetch(self, function: str, sql: str, args: Mapping[str, object], deadline: Deadline) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout if deadline is None else deadline
        call = _Call(await self._acquire(deadline), sql, args, function in ADMIN_FUNCTIONS)
        running = loop.create_task(call.run(self._pool))
        self._running.add(running)
        running.add_done_callback(_forget(self._running))
        # asyncio.wait never cancels the call: if this request is cancelled, the call still
        # runs to its end and gives its connection back.
        if not (await asyncio.wait({running}, timeout=max(0.0, deadline - loop.time())))[0]:
            give_up = deadline + GRACE_SECONDS
            while not running.done() and loop.time() < give_up:
                # Again and again: a cancel that arrives before the statement starts is ignored.
                call.cancel()
                await asyncio.wait({running}, timeout=min(CANCEL_AGAIN_SECONDS, give_up - loop.time()))
            if not running.done():
                call.conn.terminate()
                lost = f"no answer within {self._timeout:g} s, nor to the cancel {GRACE_SECONDS:g} s later"
                raise upstream_error(TIMEOUT if function in READS else UNKNOWN, lost)
        try:
            result = running.result()
        except NotSent as exc:
            raise upstream_error(UNREACHABLE, str(exc)) from None
        except asyncpg.ConnectionDoesNotExistError as exc:  # lost once the call was sent
            raise upstream_error(UNREACHABLE if function in READS else UNKNOWN, str(exc)) from None
        except asyncpg.PostgresError as exc:
            if exc.sqlstate == "57014" and call.sent_cancel:
                log.info("pgq.%s cancelled at the timeout and rolled back", function)
            raise upstream_error(exc.sqlstate or "", exc.message, exc.detail) from None
        except asyncpg.InterfaceError as exc:
            # A value the client library cannot send (data_exception), or a connection closed before sending.
            raise upstream_error("22000" if isinstance(exc, ValueError) else UNREACHABLE, str(exc)) from None
        except OSError as exc:
            raise upstream_error(UNREACHABLE if function in READS else UNKNOWN, str(exc)) from None
        if call.committed_unreplicated() and function not in READS:
            raise upstream_error(UNKNOWN, "; ".join(call.warnings))
        return result

    async def _acquire(self, deadline: float) -> Any:
        """A pooled connection by the deadline; failing that, nothing was sent: 503."""
        try:
            async with asyncio.timeout_at(deadline):
                return await self._pool.acquire()
        except TimeoutError:
            raise upstream_error(TIMEOUT, f"no connection within {self._timeout:g} s") from None
        except asyncpg.PostgresError as exc:  # refused at login: starting up, too many connections
            raise upstream_error(exc.sqlstate or "", exc.message, exc.detail) from None
        except (OSError, asyncpg.InterfaceError, asyncpg.TargetServerAttributeNotMatched) as exc:
            # Refused, reset, or (with a multi-host URL and target_session_attrs=read-write)
            # no host accepts writes: a failover in progress. The next request connects anew.
            raise upstream_error(UNREACHABLE, str(exc) or type(exc).__name__) from None

    def watcher(self) -> ListenHub:
        return ListenHub(self._dsn, self._timeout)

    async def close(self) -> None:
        await self._pool.close()


def _forget(running: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    def done(task: asyncio.Task[Any]) -> None:
        running.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: its caller may have gone, and the error is answered anyway

    return done


def _cut(call: str, args: Mapping[str, object], cut: Cut) -> tuple[str, dict[str, object]]:
    """The call's rows as `cut` chooses them, its values as further parameters."""
    values: dict[str, object] = dict(args)
    position = len(values)
    conditions = []
    for column, value in cut.equal.items():
        position += 1
        values[f"${position}"] = value
        conditions.append(f'"{column}" = ${position}')
    if conditions:
        call += " WHERE " + " AND ".join(conditions)
    if cut.order_by:
        call += f' ORDER BY "{cut.order_by}"'
    values["$offset"] = cut.offset
    call += f" OFFSET ${position + 1}"
    if cut.limit is not None:
        values["$limit"] = cut.limit
        call += f" LIMIT ${position + 2}"
    return call, values


def _call_sql(function: str, args: Mapping[str, object]) -> str:
    return f"SELECT * FROM pgq.{function}({_params(args)})"


def _rows_sql(call: str, cast: str = "") -> str:
    """The rows of a query as one JSON array, as PostgREST sends them."""
    return f"SELECT coalesce(json_agg(r), '[]'){cast} FROM ({call}) AS r"


def _params(args: Mapping[str, object]) -> str:
    """Named notation, `channel => $1, take => $2`: parameter names are the API, positions are not."""
    return ", ".join(f"{name} => ${position}" for position, name in enumerate(args, 1))

