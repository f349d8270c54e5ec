"""The Prometheus scrape, outside the API description: gateway.core.metrics renders it."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.api.deps import BackendDep, MetricsDep, Route

router = APIRouter(route_class=Route)


@router.get("/metrics", include_in_schema=False)
async def metrics(backend: BackendDep, collected: MetricsDep) -> Response:
    return Response(await collected.render(backend), media_type=CONTENT_TYPE_LATEST)
