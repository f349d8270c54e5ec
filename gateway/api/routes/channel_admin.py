"""Emptying a channel and forgetting its limits: admin routes (gateway.api.deps.AdminOnly), run with
pgq_admin's rights by either backend. One pgq call each."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.deps import AdminOnly, BackendDep, PathChannel, Route
from gateway.api.openapi import ADMIN_ERRORS, errors
from gateway.models import ChannelConfig, Purged

router = APIRouter(route_class=Route)


@router.delete(
    "/channels/{channel}/messages", response_model=Purged,
    responses={**ADMIN_ERRORS, **errors(400, 503, 504)}, dependencies=[AdminOnly],
)
async def purge(channel: PathChannel, backend: BackendDep) -> Purged:
    """Delete a channel's queued messages, ready, delayed or leased: deleted, not archived, so its
    `enqueued` total drops and a consumer holding a receipt gets 409. Its dead letters stay (redrive
    them first to purge them too). In bounded batches of about a second: repeat until `count` is 0."""
    return Purged(count=await backend.value("purge", {"channel": channel}))


@router.delete(
    "/channels/{channel}/settings", response_model=ChannelConfig,
    responses={**ADMIN_ERRORS, **errors(400, 503, 504)}, dependencies=[AdminOnly],
)
async def reset_settings(channel: PathChannel, backend: BackendDep) -> ChannelConfig:
    """Return a channel to the default limits, and answer them. From the next lease or dedup_key on."""
    return ChannelConfig(**await backend.value("unconfigure", {"channel": channel}))
