"""What the routes share: the app's parts as dependencies, the channel and paging parameters, and the
admin check. The app's parts live in app.state, set up by the lifespan in gateway.app."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path, Query, Request

from gateway import bounds
from gateway.auth import presents
from gateway.backends import Backend
from gateway.coalesce import EnqueueCoalescer
from gateway.longpoll import Watcher
from gateway.metrics import Metrics
from gateway.models import CHANNEL_DOC, CHANNEL_SCHEMA, NoQuery

DEFAULT_LIMIT = 25
MAX_LIMIT = bounds.MAX_LIST_TAKE  # larger values are capped, not refused
MAX_OFFSET = bounds.MAX_SKIP
MAX_COUNT = bounds.MAX_TAKE


# Async, though they never wait: FastAPI runs a plain `def` dependency in its thread pool,
# two thread hops per request for a dictionary lookup.
async def _backend(request: Request) -> Backend:
    return cast(Backend, request.app.state.backend)


async def _metrics(request: Request) -> Metrics:
    return cast(Metrics, request.app.state.metrics)


async def _watcher(request: Request) -> Watcher:
    return cast(Watcher, request.app.state.watcher)


async def _enqueuer(request: Request) -> EnqueueCoalescer:
    return cast(EnqueueCoalescer, request.app.state.enqueuer)


async def _require_admin(request: Request) -> None:
    token: str | None = request.app.state.admin_token
    if token and not presents(request.headers, token):
        raise HTTPException(401, "missing or wrong admin token", headers={"WWW-Authenticate": "Bearer"})


BackendDep = Annotated[Backend, Depends(_backend)]
MetricsDep = Annotated[Metrics, Depends(_metrics)]
WatcherDep = Annotated[Watcher, Depends(_watcher)]
EnqueuerDep = Annotated[EnqueueCoalescer, Depends(_enqueuer)]
# An admin route: with PGQ_ADMIN_TOKEN set, it wants that token (gateway.auth).
AdminOnly = Depends(_require_admin)

PathChannel = Annotated[str, Path(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
QueryChannel = Annotated[str, Query(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=1, description=f"capped at {MAX_LIMIT}")]
# A route that takes no query parameter: any is refused (400 naming it).
NoQueryDep = Annotated[NoQuery, Query()]
