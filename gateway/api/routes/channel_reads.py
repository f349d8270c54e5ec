"""A channel at a glance: its counts (GET /channels/{channel}), every channel's, paged (GET /stats),
and its limits (GET /channels/{channel}/settings). Reads, one pgq call each, for any data client."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from gateway import bounds
from gateway.api.deps import DEFAULT_LIMIT, BackendDep, Limit, Offset, PathChannel, Route
from gateway.api.openapi import empty, errors
from gateway.core.errors import GatewayError
from gateway.db import Cut
from gateway.models import ChannelConfig, ChannelStats

router = APIRouter(route_class=Route)

@router.get(
    "/channels/{channel}", response_model=ChannelStats,
    responses={**errors(400, 404, 503)},
)
async def channel_stats(channel: PathChannel, backend: BackendDep) -> Any:
    """A channel's counts from pgq.stats(): ready (`depth`), delayed, leased and dead messages, the age of
    its oldest ready message, and its running totals of messages enqueued and consumed."""
    rows = await backend.rows("stats", {}, cut=Cut(equal={"channel": channel}))
    if not rows:
        raise GatewayError(404, f"no channel {channel}: nothing queued, dead or consumed is on record for it")
    return rows[0]


@router.get(
    "/stats", response_model=list[ChannelStats],
    responses={**empty("No channel at this offset"), **errors(400, 503)},
)
async def every_channel_stats(backend: BackendDep, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> Any:
    """Every channel's counts, as GET /channels/{channel} gives them, sorted by channel name and paged."""
    cut = Cut(order_by="channel", offset=offset, limit=min(limit, bounds.MAX_LIST_TAKE))
    return await backend.rows("stats", {}, cut=cut) or Response(status_code=204)


@router.get("/channels/{channel}/settings", response_model=ChannelConfig, responses=errors(400, 503))
async def read_settings(channel: PathChannel, backend: BackendDep) -> ChannelConfig:
    """A channel's limits, as PATCH sets them: its own or the defaults. Any data client may read them
    (a consumer learns how many deliveries a message gets); changing them is an admin route."""
    return ChannelConfig(**await backend.value("settings_of", {"channel": channel}))
