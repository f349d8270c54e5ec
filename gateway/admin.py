"""Admin routes beyond redrive (gateway.delivery): a channel's limits. One pgq call each, run
with pgq_admin's rights by either backend; with PGQ_ADMIN_TOKEN set they want that token."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.auth import ADMIN_401, AdminOnly
from gateway.models import ChannelConfig, ChannelLimits
from gateway.openapi import errors
from gateway.routes import BackendDep, PathChannel, StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, dependencies=[AdminOnly])


@router.patch(
    "/channels/{channel}/settings", response_model=ChannelConfig,
    responses={**ADMIN_401, **errors(400, 408, 413, 503, 504)},
)
async def configure(channel: PathChannel, body: ChannelLimits, backend: BackendDep) -> ChannelConfig:
    """Set a channel's max_deliveries and dedup_window, and answer all its limits. An omitted limit
    keeps its value; new limits apply from the next lease or dedup_key."""
    limits = body.model_dump(exclude_none=True)
    return ChannelConfig(**await backend.value("configure", {"channel": channel, **limits}))
