"""The probes an orchestrator calls without credentials: /healthz (the process is up) and /readyz
(the backend answers)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import BackendDep
from gateway.models import Status
from gateway.openapi import errors

router = APIRouter()

# A channel nobody uses, peeked for one row: the same small call whatever the data.
READINESS_PROBE = {"channel": "0.readyz", "skip": 0, "take": 1}


@router.get("/healthz", response_model=Status)
async def healthz() -> Status:
    """The process is up."""
    return Status(status="ok")


@router.get("/readyz", response_model=Status, responses=errors(503))
async def readyz(backend: BackendDep) -> Status:
    """The backend answers a pgq call."""
    await backend.rows("peek", READINESS_PROBE)
    return Status(status="ready")
