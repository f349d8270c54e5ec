"""The documented routes. Each one is a single call of a pgq function; the queue logic is in SQL."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, cast

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.backends import Backend
from gateway.metrics import Metrics
from gateway.models import Channel, Inserted, Message, NewMessage, Status
from gateway.openapi import empty, errors

DEFAULT_LIMIT = 25
MAX_LIMIT = 300  # the spec's maximum; larger values are capped, not refused
MAX_OFFSET = 2**31 - 1  # pgq.peek's skip is an integer



class StrictJsonRequest(Request):
    """Request bodies parsed by orjson, which holds to RFC 8259: NaN, Infinity and unpaired
    surrogates such as "\\ud800" are malformed JSON (400), not values to store."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


router = APIRouter(route_class=StrictJsonRoute)


def _backend(request: Request) -> Backend:
    return cast(Backend, request.app.state.backend)


def _metrics(request: Request) -> Metrics:
    return cast(Metrics, request.app.state.metrics)


BackendDep = Annotated[Backend, Depends(_backend)]


@router.post("/message", status_code=201, response_model=Inserted, responses=errors(400, 413, 503))
async def post_message(body: NewMessage, backend: BackendDep) -> Inserted:
    """Append a message to the end of a channel."""
    new_id = await backend.value("enqueue", {"channel": body.channel, "message": body.message})
    return Inserted(id=new_id)


@router.get(
    "/queue/{channel}",
    response_model=Message,
    responses={**empty("The channel is empty"), **errors(400, 503)},
)
async def consume(channel: str, backend: BackendDep) -> Any:
    """Consume the oldest message of a channel."""
    rows = await backend.rows("dequeue", {"channel": channel})
    return rows[0] if rows else Response(status_code=204)


@router.get(
    "/messages",
    response_model=list[Message],
    responses={**empty("No messages at this offset"), **errors(400, 503)},
)
async def list_messages(
    channel: str,
    backend: BackendDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, description=f"capped at {MAX_LIMIT}")] = DEFAULT_LIMIT,
) -> Any:
    """List messages oldest first, without consuming them."""
    rows = await backend.rows("peek", {"channel": channel, "skip": offset, "take": min(limit, MAX_LIMIT)})
    return rows or Response(status_code=204)


@router.get(
    "/channels", response_model=list[Channel], responses={**empty("No queued messages"), **errors(503)}
)
async def list_channels(backend: BackendDep) -> Any:
    """The channels that have queued messages, sorted."""
    return await backend.rows("channels", {}) or Response(status_code=204)


@router.get("/healthz", response_model=Status)
async def healthz() -> Status:
    """The process is up."""
    return Status(status="ok")


@router.get("/readyz", response_model=Status, responses=errors(503))
async def readyz(backend: BackendDep) -> Status:
    """The backend answers a pgq call."""
    await backend.rows("channels", {})
    return Status(status="ready")


@router.get("/metrics", include_in_schema=False)
async def metrics(backend: BackendDep, collected: Annotated[Metrics, Depends(_metrics)]) -> Response:
    return Response(await collected.render(backend), media_type=CONTENT_TYPE_LATEST)
