"""The probes an orchestrator calls without credentials: /healthz (the process is up) and /readyz
(the backend answered a probe at most PROBE_MAX_AGE ago)."""

from __future__ import annotations

import asyncio
import math

from fastapi import APIRouter, Request

from gateway.api.deps import BackendDep, Route
from gateway.api.openapi import errors
from gateway.core.errors import GatewayError
from gateway.db import Backend
from gateway.models import Status

router = APIRouter(route_class=Route)

# A channel nobody uses, peeked for one row: the same small call whatever the data.
READINESS_PROBE = {"channel": "0.readyz", "skip": 0, "take": 1}
PROBE_MAX_AGE = 1.0  # seconds


class Readiness:
    """The last probe's outcome, shared by every /readyz call: however often they come, the backend
    sees at most one probe a second, and never more than one at a time."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._probed_at = -math.inf
        self._failure: GatewayError | None = None

    async def check(self, backend: Backend) -> None:
        async with self._lock:
            now = asyncio.get_running_loop().time()
            if now - self._probed_at > PROBE_MAX_AGE:
                try:
                    await backend.rows("peek", READINESS_PROBE)
                    self._failure = None
                except GatewayError as failure:
                    self._failure = failure
                self._probed_at = now
        if self._failure:
            raise self._failure


@router.get("/healthz", response_model=Status)
async def healthz() -> Status:
    """The process is up."""
    return Status(status="ok")


@router.get("/readyz", response_model=Status, responses=errors(503))
async def readyz(request: Request, backend: BackendDep) -> Status:
    """The backend answered a pgq call at most a second ago."""
    readiness: Readiness = request.app.state.readiness
    await readiness.check(backend)
    return Status(status="ready")
