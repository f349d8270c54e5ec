"""The app factory: `uvicorn --factory gateway.app:create_app`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from gateway import openapi
from gateway.auth import BearerToken
from gateway.backends import Backend, open_backend
from gateway.coalesce import EnqueueCoalescer
from gateway.deps import KnownQuery
from gateway.errors import install_handlers
from gateway.limits import BodyLimit, ConcurrencyLimit
from gateway.maintenance import maintain_forever
from gateway.metrics import Metrics
from gateway.routes import api_router
from gateway.routes.health import Readiness
from gateway.settings import Settings


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """Settings default to the environment; a backend may be handed in (the tests do)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = backend or await open_backend(settings)
        app.state.backend = opened
        app.state.enqueuer = EnqueueCoalescer(opened, settings.upstream_timeout)
        app.state.watcher = opened.watcher()
        maintainer = None
        if settings.maintain_interval > 0:
            maintainer = asyncio.create_task(maintain_forever(opened, settings.maintain_interval))
        try:
            yield
        finally:
            if maintainer:
                maintainer.cancel()
                with suppress(asyncio.CancelledError):
                    await maintainer
            await app.state.watcher.close()
            await app.state.enqueuer.close()
            await opened.close()

    app = FastAPI(title="pgQueue", version="1.0.0", lifespan=lifespan, dependencies=[KnownQuery])
    app.state.metrics = Metrics(settings)
    app.state.readiness = Readiness()
    install_handlers(app)
    app.include_router(api_router)
    app.state.admin_token = settings.admin_token
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, seconds=settings.body_timeout)
    if settings.api_token:
        tokens = [settings.api_token, *([settings.admin_token] if settings.admin_token else [])]
        app.add_middleware(BearerToken, tokens=tokens)
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent, waiting=settings.max_waiting)
    app.state.metrics.instrument(app)  # added last, so outermost: the 413s are counted too
    openapi.document(app, api_token=bool(settings.api_token), admin_token=bool(settings.admin_token))
    return app
