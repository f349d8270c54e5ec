"""What the routes share: the app's parts as dependencies, the channel and paging parameters, the
admin check (AdminOnly) and the route class every router declares (Route), which checks the query.
The app's parts live in app.state, set up by the lifespan in gateway.app.

A new route: its body model derives from gateway.models.Body (strict types, unknown fields refused),
an admin route adds `dependencies=[AdminOnly]`, and its query parameters are checked by Route
without asking. Errors name parameters by their HTTP names (gateway.core.errors.SQL_SPELLINGS)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, cast

from fastapi import Depends, HTTPException, Path, Query, Request, Response
from fastapi.dependencies.models import Dependant

from gateway import bounds
from gateway.core.errors import SQL_SPELLINGS, GatewayError
from gateway.core.exactjson import StrictJsonRoute
from gateway.core.metrics import Metrics
from gateway.core.security import presents
from gateway.db import Backend
from gateway.models import CHANNEL_DOC, CHANNEL_SCHEMA

DEFAULT_LIMIT = 25  # a list's rows unless `limit` says; a limit over MAX_LIST_TAKE is capped, not refused


# Async, though they never wait: FastAPI runs a plain `def` dependency in its thread pool,
# two thread hops per request for a dictionary lookup.
async def _backend(request: Request) -> Backend:
    return cast(Backend, request.app.state.backend)


async def _metrics(request: Request) -> Metrics:
    return cast(Metrics, request.app.state.metrics)


ADMIN_OFF = "admin routes are off: set PGQ_ADMIN_TOKEN"


async def _require_admin(request: Request) -> None:
    """Fail closed: without PGQ_ADMIN_TOKEN no admin route answers, and PGQ_API_TOKEN never opens one."""
    token: str | None = request.app.state.admin_token
    if not token:
        raise HTTPException(403, ADMIN_OFF)
    if not presents(request.headers, token):
        raise HTTPException(401, "missing or wrong admin token", headers={"WWW-Authenticate": "Bearer"})


# The original app's routes, whose unknown query parameters are ignored as they were there; every
# other route refuses them. pgq's SQL names (`?take`) are refused everywhere, with their HTTP name.
TOLERANT = frozenset({
    ("GET", "/queue/{channel}"), ("GET", "/messages"), ("GET", "/channels"), ("POST", "/message"),
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
})


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    return frozenset(names.union(*(_query_names(sub) for sub in dependant.dependencies)))


class Route(StrictJsonRoute):
    """Every route's class (each route module's router declares it): the body taken as StrictJsonRoute
    takes it, and the query's names checked before the handler runs, against the names the route
    declares, gathered once. A check in the route, not a dependency: FastAPI solves a dependency
    anew on every request, the dearest step of a plain call."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = _query_names(self.dependant)

        async def checked(request: Request) -> Response:
            if request.scope["query_string"]:
                _known_query(request, (request.method, self.path_format), declared)
            return await handler(request)

        return checked


def _known_query(request: Request, key: tuple[str, str], declared: frozenset[str]) -> None:
    for name in request.query_params.keys() - declared:
        if name in SQL_SPELLINGS:
            # A list's `take` is its `limit`; anywhere else, GET /queue's `count`.
            http = "limit" if name == "take" and "limit" in declared else SQL_SPELLINGS[name]
            raise GatewayError(400, f"{name}: unknown query parameter: the HTTP name is {http}")
        if key not in TOLERANT:
            raise GatewayError(400, f"{name}: unknown query parameter, got {request.query_params[name]!r}")


BackendDep = Annotated[Backend, Depends(_backend)]
MetricsDep = Annotated[Metrics, Depends(_metrics)]
# An admin route: it wants PGQ_ADMIN_TOKEN, and is off (403) without it (gateway.core.security).
AdminOnly = Depends(_require_admin)

PathChannel = Annotated[str, Path(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
QueryChannel = Annotated[str, Query(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
Offset = Annotated[int, Query(ge=0, le=bounds.HTTP_MAX_OFFSET)]
Limit = Annotated[int, Query(ge=1, description=f"capped at {bounds.MAX_LIST_TAKE}")]
