"""At-least-once delivery: settling leases by receipt, and the dead letters. Leasing itself is
`GET /queue/{channel}?visibility=N` in gateway.routes. Each route is one call of a pgq function."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from gateway.auth import ADMIN_401, AdminOnly
from gateway.backends import Backend
from gateway.errors import GatewayError
from gateway.models import DeadLetter, Redriven, Release, Settle, Status
from gateway.openapi import empty, errors
from gateway.routes import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    BackendDep,
    Limit,
    Offset,
    PathChannel,
    QueryChannel,
    StrictJsonRoute,
    stored,
)

router = APIRouter(route_class=StrictJsonRoute)


async def _settle(backend: Backend, function: str, channel: str, body: Settle, **extra: object) -> None:
    """pgq.ack and pgq.nack answer false, having changed nothing, unless the receipt is current."""
    args = {"channel": channel, "id": body.id, "receipt": str(body.receipt), **extra}
    if not await backend.value(function, args):
        raise GatewayError(
            409, f"stale or unknown receipt: message {body.id} of channel {channel} is not leased with it"
        )


@router.post("/queue/{channel}/ack", response_model=Status, responses=errors(400, 408, 409, 413, 503, 504))
async def ack(channel: PathChannel, body: Settle, backend: BackendDep) -> Status:
    """Acknowledge a leased message: it is archived, done."""
    await _settle(backend, "ack", channel, body)
    return Status(status="Message acknowledged")


@router.post("/queue/{channel}/nack", response_model=Status, responses=errors(400, 408, 409, 413, 503, 504))
async def nack(channel: PathChannel, body: Release, backend: BackendDep) -> Status:
    """Give a leased message back: ready again after `delay` seconds, at its own id. The delivery
    still counts towards the channel's max_deliveries."""
    delay = {} if body.delay is None else {"delay_seconds": body.delay}
    await _settle(backend, "nack", channel, body, **delay)
    return Status(status="Message returned to the queue")


@router.get(
    "/dead-letters",
    response_model=list[DeadLetter],
    responses={**empty("No dead letters at this offset"), **errors(400, 503)},
)
async def list_dead_letters(
    channel: QueryChannel, backend: BackendDep, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
) -> Any:
    """A channel's dead letters, oldest first: messages leased max_deliveries times without an ack."""
    args = {"channel": channel, "skip": offset, "take": min(limit, MAX_LIMIT)}
    rows = await backend.rows("dead_letters", args)
    return stored(rows) if rows else Response(status_code=204)


@router.post(
    "/dead-letters/{channel}/redrive", response_model=Redriven,
    responses={**ADMIN_401, **errors(400, 503, 504)}, dependencies=[AdminOnly],
)
async def redrive(channel: PathChannel, backend: BackendDep) -> Redriven:
    """Move every dead letter of a channel back to the queue, ready, at its own id, deliveries reset.
    An admin route: with PGQ_ADMIN_TOKEN set, it wants that token."""
    return Redriven(count=await backend.value("redrive", {"channel": channel}))
