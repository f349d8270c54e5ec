"""Calls pgq.maintain() periodically, for databases without pg_cron (harmless with it: it is idempotent)."""

from __future__ import annotations

import asyncio
import logging

from gateway.core.errors import GatewayError
from gateway.db import Backend

log = logging.getLogger("gateway")


async def maintain_forever(backend: Backend, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            log.debug("pgq.maintain(): %s", await backend.value("maintain", {}))
        except GatewayError as exc:
            log.warning("pgq.maintain() failed: %s", exc.detail)
