"""Channels: the ones with queued messages (GET /channels), and a channel's limits (PATCH
/channels/{channel}/settings, an admin route run with pgq_admin's rights by either backend)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from gateway.api.deps import AdminOnly, BackendDep, PathChannel, Route
from gateway.api.openapi import ADMIN_ERRORS, empty, errors
from gateway.models import Channel, ChannelConfig, ChannelLimits

router = APIRouter(route_class=Route)


@router.get(
    "/channels", response_model=list[Channel], responses={**empty("No queued messages"), **errors(503)}
)
async def list_channels(backend: BackendDep) -> Any:
    """The channels that have queued messages, sorted."""
    return await backend.rows("channels", {}) or Response(status_code=204)


@router.patch(
    "/channels/{channel}/settings", response_model=ChannelConfig,
    responses={**ADMIN_ERRORS, **errors(400, 408, 413, 503, 504)}, dependencies=[AdminOnly],
)
async def configure(channel: PathChannel, body: ChannelLimits, backend: BackendDep) -> ChannelConfig:
    """Set a channel's max_deliveries and dedup_window, and answer all its limits. An omitted limit
    keeps its value; new limits apply from the next lease or dedup_key. With PGQ_ADMIN_TOKEN set,
    it wants that token."""
    limits = body.model_dump(exclude_none=True)
    return ChannelConfig(**await backend.value("configure", {"channel": channel, **limits}))
