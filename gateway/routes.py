"""The documented routes. Each one is a single call of a pgq function; the queue logic is in SQL."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import Field

from gateway import bounds, exactjson
from gateway.backends import Backend
from gateway.coalesce import EnqueueCoalescer
from gateway.longpoll import MAX_WAIT, Watcher, poll
from gateway.metrics import Metrics
from gateway.models import (
    CHANNEL_DOC,
    CHANNEL_SCHEMA,
    Channel,
    Duplicate,
    Inserted,
    InsertedMany,
    LeasedMessage,
    LeaseSeconds,
    Message,
    NewMessage,
    NewMessages,
    Status,
)
from gateway.openapi import empty, errors

DEFAULT_LIMIT = 25
MAX_LIMIT = bounds.MAX_LIST_TAKE  # larger values are capped, not refused
MAX_OFFSET = bounds.MAX_SKIP
MAX_COUNT = bounds.MAX_TAKE

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
PathChannel = Annotated[str, Path(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
QueryChannel = Annotated[str, Query(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]
Limit = Annotated[int, Query(ge=1, description=f"capped at {MAX_LIMIT}")]
# A leased message has every field a popped one has: try the larger model first.
Consumed = Annotated[LeasedMessage | Message, Field(union_mode="left_to_right")]



class StrictJsonRequest(Request):
    """Request bodies parsed to RFC 8259 (NaN, Infinity and unpaired surrogates such as "\\ud800"
    are malformed JSON: 400, not values to store), every number kept exactly as written."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = exactjson.loads_strictly(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


router = APIRouter(route_class=StrictJsonRoute)


def stored(rows: object) -> Response:
    """Rows as the database sent them, numbers digit for digit: not through the response model's
    serializer, which would write a Decimal as a string (the model still documents the shape)."""
    return Response(exactjson.dumps(rows), media_type="application/json")


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


BackendDep = Annotated[Backend, Depends(_backend)]


@router.post(
    "/message",
    status_code=201,
    response_model=Inserted,
    responses={
        200: {"model": Duplicate, "description": "dedup_key was used within the window: nothing inserted"},
        **errors(400, 408, 413, 503, 504),
    },
)
async def post_message(
    body: NewMessage, backend: BackendDep, enqueuer: Annotated[EnqueueCoalescer, Depends(_enqueuer)]
) -> Any:
    """Append a message to the end of a channel: after `delay` seconds if given, and at most once per
    `dedup_key` within the channel's dedup window if given."""
    if body.delay is None and body.dedup_key is None:
        return Inserted(id=await enqueuer.enqueue(body.channel, body.message))
    args: dict[str, object] = {"channel": body.channel, "message": body.message}
    if body.delay is not None:
        args["delay_seconds"] = body.delay
    if body.dedup_key is None:
        return Inserted(id=await backend.value("enqueue", args))
    enqueued = await backend.value("enqueue_once", {**args, "dedup_key": body.dedup_key})
    if enqueued["duplicate"]:
        return JSONResponse(Duplicate(id=enqueued["id"]).model_dump())
    return Inserted(id=enqueued["id"])


@router.post(
    "/messages", status_code=201, response_model=InsertedMany, responses=errors(400, 408, 413, 503, 504)
)
async def post_messages(body: NewMessages, backend: BackendDep) -> InsertedMany:
    """Append 1-1000 messages to the end of a channel, in order, in one transaction: all or none."""
    ids = await backend.rows("enqueue_batch", {"channel": body.channel, "messages": body.messages})
    return InsertedMany(ids=ids)


@router.get(
    "/queue/{channel}",
    response_model=Consumed | list[Consumed],
    responses={**empty("The channel has no ready message (within `wait`)"), **errors(400, 503, 504)},
)
async def consume(
    channel: PathChannel,
    request: Request,
    backend: BackendDep,
    watcher: Annotated[Watcher, Depends(_watcher)],
    visibility: Annotated[
        LeaseSeconds | None,
        Query(description=f"lease for this many seconds (1-{bounds.MAX_VISIBILITY_SECONDS}) instead of "
                          "popping: ack or nack it"),
    ] = None,
    count: Annotated[
        int | None, Query(ge=1, le=MAX_COUNT, description=f"up to this many (1-{MAX_COUNT}), as an array")
    ] = None,
    wait: Annotated[
        float,
        Query(ge=0, le=MAX_WAIT, allow_inf_nan=False,
              description=f"seconds (0-{MAX_WAIT}) to wait for a message when none is ready"),
    ] = 0,
) -> Any:
    """Consume the oldest ready message of a channel (at-most-once). With `visibility`, lease it instead
    (at-least-once): it stays queued, hidden, until acknowledged with its receipt or the lease runs out.
    With `count`, up to that many, as an array. With `wait`, an empty channel is watched for that long,
    and the answer comes as soon as a message is ready."""
    args: dict[str, object] = {"channel": channel}
    function = "dequeue"
    if visibility is not None:
        function, args["visibility_seconds"] = "lease", visibility
    if count is not None:
        args["take"] = count
    rows = await poll(watcher, channel, partial(backend.rows, function, args), wait, request.is_disconnected)
    if not rows:
        return Response(status_code=204)
    return stored(rows if count is not None else rows[0])


@router.get(
    "/messages",
    response_model=list[Message],
    responses={**empty("No messages at this offset"), **errors(400, 503)},
)
async def list_messages(
    channel: QueryChannel,
    backend: BackendDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    """List messages oldest first, without consuming them."""
    rows = await backend.rows("peek", {"channel": channel, "skip": offset, "take": min(limit, MAX_LIMIT)})
    return stored(rows) if rows else Response(status_code=204)


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


# A channel nobody uses, peeked for one row: the same small call whatever the data.
READINESS_PROBE = {"channel": "0.readyz", "skip": 0, "take": 1}


@router.get("/readyz", response_model=Status, responses=errors(503))
async def readyz(backend: BackendDep) -> Status:
    """The backend answers a pgq call."""
    await backend.rows("peek", READINESS_PROBE)
    return Status(status="ready")


@router.get("/metrics", include_in_schema=False)
async def metrics(backend: BackendDep, collected: Annotated[Metrics, Depends(_metrics)]) -> Response:
    return Response(await collected.render(backend), media_type=CONTENT_TYPE_LATEST)
