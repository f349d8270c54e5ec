"""A channel's head: dequeue (at-most-once) or lease (at-least-once) with GET /queue/{channel}, and
settle a lease by its receipt: ack or nack. One pgq call each; `wait` watches an empty channel."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from gateway import bounds
from gateway.api.deps import BackendDep, PathChannel, Route
from gateway.api.openapi import empty, errors
from gateway.core.errors import GatewayError
from gateway.core.exactjson import first_row, rows_response
from gateway.db import Backend
from gateway.db.longpoll import poll
from gateway.models import Extend, Extended, LeasedMessage, LeaseSeconds, Message, Nack, Settle, Status

router = APIRouter(route_class=Route)

# A leased message has every field a dequeued one has: try the larger model first.
Dequeued = Annotated[LeasedMessage | Message, Field(union_mode="left_to_right")]


@router.get(
    "/queue/{channel}",
    response_model=Dequeued | list[Dequeued],
    responses={**empty("The channel has no ready message (within `wait`)"), **errors(400, 503, 504)},
)
async def dequeue(
    channel: PathChannel,
    request: Request,
    visibility: Annotated[
        LeaseSeconds | None,
        Query(description=f"lease for this many seconds (1-{bounds.MAX_VISIBILITY_SECONDS}) instead of "
                          "dequeuing: ack or nack it"),
    ] = None,
    count: Annotated[
        int | None,
        Query(ge=1, le=bounds.MAX_TAKE, description=f"up to this many (1-{bounds.MAX_TAKE}), as an array"),
    ] = None,
    wait: Annotated[
        float,
        Query(ge=0, le=bounds.HTTP_MAX_WAIT, allow_inf_nan=False,
              description=f"seconds (0-{bounds.HTTP_MAX_WAIT}) to wait for a message when none is ready"),
    ] = 0,
) -> Any:
    """Dequeue the oldest ready message of a channel (at-most-once). With `visibility`, lease it instead
    (at-least-once): it stays queued, hidden, until acknowledged with its receipt or the lease runs out.
    With `count`, up to that many, as an array. With `wait`, an empty channel is watched for that long,
    and the answer comes as soon as a message is ready."""
    args: dict[str, object] = {"channel": channel}
    function = "dequeue"
    if visibility is not None:
        function, args["visibility_seconds"] = "lease", visibility
    if count is not None:
        args["take"] = count
    parts = request.app.state  # not as dependencies: each would cost the request a solve (gateway.api.deps)
    attempt = partial(parts.backend.json_rows, function, args)
    rows = await poll(parts.watcher, channel, attempt, wait, request.is_disconnected)
    return rows_response(rows) if count is not None else first_row(rows)


async def _settle(
    backend: Backend, function: str, channel: str, body: Settle | Extend, **extra: object
) -> Any:
    """pgq.ack, pgq.nack and pgq.extend_lease_until answer false or null, having changed nothing,
    unless the receipt is current."""
    args = {"channel": channel, "id": body.id, "receipt": str(body.receipt), **extra}
    if not (settled := await backend.value(function, args)):
        raise GatewayError(
            409, f"stale or unknown receipt: message {body.id} of channel {channel} is not leased with it"
        )
    return settled


@router.post("/queue/{channel}/ack", response_model=Status, responses=errors(400, 408, 409, 413, 503, 504))
async def ack(channel: PathChannel, body: Settle, backend: BackendDep) -> Status:
    """Acknowledge a leased message: it is archived, done."""
    await _settle(backend, "ack", channel, body)
    return Status(status="Message acknowledged")


@router.post("/queue/{channel}/nack", response_model=Status, responses=errors(400, 408, 409, 413, 503, 504))
async def nack(channel: PathChannel, body: Nack, backend: BackendDep) -> Status:
    """Give a leased message back: ready again after `delay` seconds, at its own id. The delivery
    still counts towards the channel's max_deliveries."""
    delay = {} if body.delay is None else {"delay_seconds": body.delay}
    await _settle(backend, "nack", channel, body, **delay)
    return Status(status="Message returned to the queue")


@router.post(
    "/queue/{channel}/extend", response_model=Extended, responses=errors(400, 408, 409, 413, 503, 504)
)
async def extend(channel: PathChannel, body: Extend, backend: BackendDep) -> Extended:
    """Keep a leased message while working on it: its lease now ends `visibility` seconds from now, with
    the same receipt. Answers when it ends, as the database stored it."""
    ends = await _settle(backend, "extend_lease_until", channel, body, seconds=body.visibility)
    return Extended(lease_expires_at=ends)
