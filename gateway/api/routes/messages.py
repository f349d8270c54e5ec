"""Messages in and out of sight: enqueue one (POST /message) or a batch (POST /messages), and list a
channel's messages without dequeuing them (GET /messages). One pgq call each."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway import bounds
from gateway.api.deps import (
    DEFAULT_LIMIT,
    BackendDep,
    Limit,
    Offset,
    QueryChannel,
    Route,
)
from gateway.api.openapi import empty, errors
from gateway.core.exactjson import rows_response
from gateway.db import Backend
from gateway.models import INSERTED, Duplicate, Inserted, InsertedMany, Message, NewMessage, NewMessages

router = APIRouter(route_class=Route)


@router.post(
    "/message",
    status_code=201,
    response_model=Inserted,
    responses={
        200: {"model": Duplicate, "description": "dedup_key was used within the window: nothing inserted"},
        **errors(400, 408, 413, 503, 504),
    },
)
async def post_message(body: NewMessage, request: Request) -> Any:
    """Append a message to the end of a channel: after `delay` seconds if given, and at most once per
    `dedup_key` within the channel's dedup window if given, in its ordered group if `group_key` is given."""
    parts = request.app.state  # not as dependencies: each would cost the request a solve (gateway.api.deps)
    if body.delay is None and body.dedup_key is None and body.group_key is None:
        return inserted(await parts.enqueuer.enqueue(body.channel, body.message))
    backend: Backend = parts.backend
    args: dict[str, object] = {"channel": body.channel, "message": body.message}
    if body.delay is not None:
        args["delay_seconds"] = body.delay
    if body.group_key is not None:
        args["group_key"] = body.group_key
    if body.dedup_key is None:
        return inserted(await backend.value("enqueue", args))
    enqueued = await backend.value("enqueue_once", {**args, "dedup_key": body.dedup_key})
    if enqueued["duplicate"]:
        return JSONResponse(Duplicate(id=enqueued["id"]).model_dump())
    return inserted(enqueued["id"])


def inserted(id_: int) -> Response:
    """201 with Inserted's JSON, written at once: FastAPI would validate the model against itself
    and encode it again."""
    return Response(orjson.dumps({"status": INSERTED, "id": id_}), 201, media_type="application/json")


@router.post(
    "/messages", status_code=201, response_model=InsertedMany, responses=errors(400, 408, 413, 503, 504)
)
async def post_messages(body: NewMessages, backend: BackendDep) -> InsertedMany:
    """Append 1-1000 messages to the end of a channel, in order, in one transaction: all or none; with
    `group_key`, all of them in that ordered group."""
    args: dict[str, object] = {"channel": body.channel, "messages": body.messages}
    if body.group_key is not None:
        args["group_key"] = body.group_key
    ids = await backend.rows("enqueue_batch", args)
    return InsertedMany(ids=ids)


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
    """List messages oldest first, without dequeuing them."""
    args = {"channel": channel, "skip": offset, "take": min(limit, bounds.MAX_LIST_TAKE)}
    return rows_response(await backend.json_rows("peek", args))
