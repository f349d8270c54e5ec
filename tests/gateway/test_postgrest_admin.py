"""PostgREST itself keeps the admin functions behind its JWT: against the compose stack's real
PostgREST (PGQ_TEST_POSTGREST_URL, set in the container CI job). Without a PostgREST to talk to,
as in `make test`, these tests are skipped: no PostgREST binary runs locally."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from gateway.core.security import role_token
from gateway.db.postgrest import HEADERS
from tests.utils.jwt import compose_secret

POSTGREST_URL = os.environ.get("PGQ_TEST_POSTGREST_URL")
pytestmark = pytest.mark.skipif(not POSTGREST_URL, reason="needs a real PostgREST: PGQ_TEST_POSTGREST_URL")


@pytest.fixture
def postgrest() -> Iterator[httpx.Client]:
    assert POSTGREST_URL
    with httpx.Client(base_url=POSTGREST_URL, headers=HEADERS, timeout=10) as client:
        yield client


def bearer(role: str, secret: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {role_token(secret or compose_secret(), role)}"}


def test_configure_is_refused_without_the_admin_jwt(postgrest: httpx.Client, channel: str) -> None:
    args = {"channel": channel, "max_deliveries": 2}
    anonymous = postgrest.post("/rpc/configure", json=args)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "42501")
    as_client = postgrest.post("/rpc/configure", json=args, headers=bearer("pgq_client"))
    assert (as_client.status_code, as_client.json()["code"]) == (403, "42501")
    forged = postgrest.post("/rpc/configure", json=args, headers=bearer("pgq_admin", "x" * 40))
    assert forged.status_code == 401

    admin = postgrest.post("/rpc/configure", json=args, headers=bearer("pgq_admin"))
    assert (admin.status_code, admin.json()["max_deliveries"]) == (200, 2)


@pytest.mark.parametrize(("function", "args"), [("redrive", {"channel": "two"}), ("maintain", {}),
                                                ("purge_archive", {"older_than": "7 days"})])
def test_the_other_admin_functions_want_the_jwt_too(
    postgrest: httpx.Client, function: str, args: dict[str, object]
) -> None:
    assert postgrest.post(f"/rpc/{function}", json=args).status_code == 401
    assert postgrest.post(f"/rpc/{function}", json=args, headers=bearer("pgq_admin")).status_code == 200
