"""The app factory: `uvicorn --factory gateway.app:create_app`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from gateway.api import openapi
from gateway.api.main import routes
from gateway.api.routes.health import Readiness
from gateway.core.config import Settings
from gateway.core.errors import install_handlers
from gateway.core.metrics import Metrics
from gateway.core.middleware import Guard
from gateway.db import Backend, open_backend
from gateway.db.coalesce import EnqueueCoalescer, Uncoalesced
from gateway.db.maintenance import maintain_forever


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """Settings default to the environment; a backend may be handed in (the tests do)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = backend or await open_backend(settings)
        app.state.backend = opened
        enqueuer = EnqueueCoalescer if settings.coalesce else Uncoalesced
        app.state.enqueuer = enqueuer(opened, settings.upstream_timeout)
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

    # /docs (Swagger UI) and /redoc load their scripts from the gateway, not from a CDN.
    app = FastAPIOffline(title="pgQueue", version="1.0.0", lifespan=lifespan)
    app.state.metrics = Metrics(settings)
    app.state.readiness = Readiness()
    install_handlers(app)
    app.router.routes.extend(routes)
    app.state.admin_token = settings.admin_token
    app.add_middleware(Guard, settings=settings)
    app.state.metrics.instrument(app)  # added last, so outermost: the Guard's refusals are counted too
    openapi.document(app, api_token=bool(settings.api_token), admin_token=bool(settings.admin_token))
    return app
