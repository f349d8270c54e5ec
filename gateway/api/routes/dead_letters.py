"""Dead letters: messages leased max_deliveries times without an ack. List a channel's, or redrive
them all back to its queue (an admin route). One pgq call each."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway import bounds
from gateway.api.deps import (
    DEFAULT_LIMIT,
    AdminOnly,
    BackendDep,
    Limit,
    Offset,
    PathChannel,
    QueryChannel,
    Route,
)
from gateway.api.openapi import ADMIN_ERRORS, empty, errors
from gateway.core.exactjson import rows_response
from gateway.models import DeadLetter, Redriven

router = APIRouter(route_class=Route)


@router.get(
    "/dead-letters",
    response_model=list[DeadLetter],
    responses={**empty("No dead letters at this offset"), **errors(400, 503)},
)
async def list_dead_letters(
    channel: QueryChannel, backend: BackendDep, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
) -> Any:
    """A channel's dead letters, oldest first: messages leased max_deliveries times without an ack."""
    args = {"channel": channel, "skip": offset, "take": min(limit, bounds.MAX_LIST_TAKE)}
    return rows_response(await backend.json_rows("dead_letters", args))


@router.post(
    "/dead-letters/{channel}/redrive", response_model=Redriven,
    responses={**ADMIN_ERRORS, **errors(400, 503, 504)}, dependencies=[AdminOnly],
)
async def redrive(channel: PathChannel, backend: BackendDep) -> Redriven:
    """Move every dead letter of a channel back to the queue, ready, at its own id, deliveries reset.
    An admin route: with PGQ_ADMIN_TOKEN set, it wants that token."""
    return Redriven(count=await backend.value("redrive", {"channel": channel}))
