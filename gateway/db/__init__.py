"""The two ways to reach the `pgq` API, behind one interface.

Answers are what PostgREST would send for the same call: a list of row objects
for a set-returning function, a plain JSON value for a scalar one. Failures
are GatewayErrors, translated through gateway.core.errors' one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.core.config import Settings
from gateway.db.longpoll import Watcher

# The functions neither PostgREST's anonymous role nor pgq_gateway may call (their GRANTs):
# both backends run them with pgq_admin's rights. The gateway's admin routes guard them (PGQ_ADMIN_TOKEN).
# tests/gateway/db/test_catalog.py checks this, READS and AS_ADMIN against a deployed database.
ADMIN_FUNCTIONS = frozenset({"configure", "redrive", "purge_archive", "purge", "unconfigure"})
ADMIN_ROLE = "pgq_admin"

Deadline = float | None  # on the event loop's clock

# The functions that change nothing, STABLE in SQL: when their answer is lost, nothing happened (503),
# where for any other call the outcome is unknown (504).
READS = frozenset({"peek", "channels", "stats", "dead_letters", "settings_of", "horizon", "limits"})


@dataclass(frozen=True)
class Cut:
    """Which rows of a set-returning function to answer, chosen in SQL: those whose columns equal
    `equal`, in `order_by`'s order, `offset` skipped and at most `limit` (PostgREST's filters on
    /rpc results; a WHERE, ORDER BY, OFFSET and LIMIT in the direct backend). Column names are
    the gateway's own, never a client's."""

    equal: Mapping[str, str] = field(default_factory=dict)
    order_by: str | None = None
    offset: int = 0
    limit: int | None = None


class Backend(Protocol):
    """`deadline` (the event loop's clock) defaults to PGQ_UPSTREAM_TIMEOUT from the call. The answer
    comes by then, or for a call already sent at most GRACE_SECONDS later (gateway.core.errors)."""

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        """Call the set-returning pgq.<function> with named arguments: a list of row objects,
        or of bare values for a set of a plain type (pgq.enqueue_batch's ids); with `cut`, those rows."""

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        """rows(), as PostgreSQL's JSON text of the array, unparsed: for the rows that carry messages,
        which reach the client as jsonb wrote them, whatever their depth or size (gateway.core.exactjson)."""

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        """Call the scalar pgq.<function> with named arguments."""

    def watcher(self) -> Watcher:
        """A new watcher for the app's waiting requests (gateway.db.longpoll); whoever asks closes it."""

    async def close(self) -> None: ...


async def open_backend(settings: Settings) -> Backend:
    """PostgREST when PGQ_POSTGREST_URL is set, else PostgreSQL directly: the one place that chooses."""
    if settings.postgrest_url:
        from gateway.db.postgrest import PostgrestBackend

        return PostgrestBackend(
            settings.postgrest_url, settings.upstream_timeout, settings.pool_size,
            jwt_secret=settings.postgrest_jwt_secret, jwt_audience=settings.postgrest_jwt_aud,
        )
    from gateway.db.direct import DirectBackend

    assert settings.database_url
    return await DirectBackend.open(settings.database_url, settings.upstream_timeout, settings.pool_size)
