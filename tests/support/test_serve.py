"""support/serve.py, the one launcher: it yields a gateway that answers, or says why there is none."""

from __future__ import annotations

import httpx
import pytest

from support.serve import GatewayNotReady, running_gateway


def test_a_served_gateway_answers_until_the_block_ends(gateway_dsn: str) -> None:
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn) as gateway:
        assert httpx.get(f"{gateway.url}/readyz").json() == {"status": "ready"}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{gateway.url}/healthz")


def test_a_gateway_that_cannot_start_is_an_error_at_once() -> None:
    with pytest.raises(GatewayNotReady, match="exited at start-up"), \
            running_gateway(PGQ_DATABASE_URL="", PGQ_POSTGREST_URL=""):
        pass
