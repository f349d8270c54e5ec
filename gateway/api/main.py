"""The router assembly: every route module's routes (gateway.api.routes, one module per resource) in
one list. Routes map HTTP onto pgq calls; the queue logic is in SQL."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.api.routes import (
    channel_admin,
    channel_reads,
    channels,
    dead_letters,
    health,
    messages,
    metrics,
    queue,
)

# Every module's routes in one flat list, which the app serves as its own: an included router
# would be matched level by level on every request.
routes: list[BaseRoute] = [
    route
    for module in (messages, queue, channels, channel_reads, channel_admin, dead_letters, health, metrics)
    for route in module.router.routes
]
