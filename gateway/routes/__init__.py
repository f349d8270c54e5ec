"""The HTTP routes, one module per resource. Each route is a single call of a pgq function; the
queue logic is in SQL."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.routes import (
    channel_admin,
    channel_reads,
    channels,
    dead_letters,
    health,
    messages,
    metrics,
    queue,
)

api_router = APIRouter()
for module in (messages, queue, channels, channel_reads, channel_admin, dead_letters, health, metrics):
    api_router.include_router(module.router)
