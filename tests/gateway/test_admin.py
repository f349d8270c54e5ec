"""The admin routes: PATCH /channels/{channel}/settings (pgq.configure) and redrive. Both backends
run them with pgq_admin's rights; PGQ_ADMIN_TOKEN, when set, guards them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.api.deps import ADMIN_OFF
from gateway.core.config import Settings
from gateway.db.direct import DirectBackend
from tests.utils.client import ADMIN_TOKEN as ADMIN
from tests.utils.client import QUIET, assert_status, bearer, serve

API = "api-token"
NEW = {"channel": "two", "message": {}}


def configure(client: TestClient, channel: str, body: dict[str, Any], token: str | None = None) -> Any:
    return client.patch(f"/channels/{channel}/settings", json=body, headers=bearer(token) if token else {})


def test_configure_sets_and_reads_a_channels_limits(client: TestClient, channel: str) -> None:
    response = configure(client, channel, {"max_deliveries": 3, "dedup_window": "1 hour"})
    assert (response.status_code, response.json()) == (
        200, {"channel": channel, "max_deliveries": 3, "dedup_window": "01:00:00"})
    # An omitted limit keeps its value; {} only reads them.
    assert configure(client, channel, {"dedup_window": "PT2H"}).json()["max_deliveries"] == 3
    assert configure(client, channel, {}).json() == {
        "channel": channel, "max_deliveries": 3, "dedup_window": "02:00:00"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"max_deliveries": 0}, "max_deliveries must be between 1 and 1000"),
        ({"dedup_window": "8 days"}, "dedup_window must be more than 0 and at most 7 days"),
        ({"dedup_window": "soon"}, "invalid input syntax for type interval"),
        ({"max_deliveries": "three"}, "max_deliveries"),
    ],
)
def test_bad_limits_are_400_and_change_nothing(
    client: TestClient, channel: str, body: dict[str, Any], words: str
) -> None:
    assert_status(configure(client, channel, body), 400, words)
    assert configure(client, channel, {}).json()["max_deliveries"] == 5


def test_a_bad_channel_is_400(client: TestClient) -> None:
    assert_status(configure(client, "-x", {"max_deliveries": 2}), 400, "channel must be")


def test_the_direct_backend_sets_the_admin_role_for_that_call_only(gateway_dsn: str) -> None:
    """pgq_gateway may not configure; the backend's SET LOCAL ROLE lasts one transaction, so the
    pool's one session is pgq_gateway again for the next call."""

    async def scenario() -> tuple[int, str]:
        backend = await DirectBackend.open(gateway_dsn, 5, 1)
        try:
            configured = await backend.value("configure", {"channel": "two", "max_deliveries": 2})
            async with backend._pool.acquire() as conn:
                return configured["max_deliveries"], await conn.fetchval("SELECT current_user")
        finally:
            await backend.close()

    assert asyncio.run(scenario()) == (2, "pgq_gateway")


@pytest.fixture
def tokens(request: pytest.FixtureRequest, gateway_dsn: str) -> Iterator[TestClient]:
    api, admin = request.param
    with serve(Settings(database_url=gateway_dsn, api_token=api, admin_token=admin, **QUIET)) as served:
        yield served


@pytest.mark.parametrize("tokens", [(None, ADMIN)], indirect=True)
def test_with_an_admin_token_the_admin_routes_want_it(
    tokens: TestClient, admin: psycopg.Connection[Any]
) -> None:
    for token in (None, API, "wrong"):
        assert_status(configure(tokens, "two", {"max_deliveries": 2}, token), 401, "admin token")
        assert_status(tokens.post("/dead-letters/two/redrive", headers=bearer(token) if token else {}),
                      401, "admin token")
    assert admin.execute("SELECT count(*) FROM pgq.channel_settings").fetchone() == (0,)
    assert configure(tokens, "two", {"max_deliveries": 2}, ADMIN).json()["max_deliveries"] == 2
    assert tokens.post("/dead-letters/two/redrive", headers=bearer(ADMIN)).json()["count"] == 0
    # The data routes stay as open as PGQ_API_TOKEN leaves them.
    assert tokens.post("/message", json=NEW).status_code == 201


@pytest.mark.parametrize("tokens", [(API, ADMIN)], indirect=True)
def test_both_tokens_the_admin_one_opens_every_route(tokens: TestClient) -> None:
    assert_status(configure(tokens, "two", {"max_deliveries": 2}, API), 401, "admin token")
    assert configure(tokens, "two", {"max_deliveries": 2}, ADMIN).status_code == 200
    assert tokens.post("/message", json=NEW, headers=bearer(API)).status_code == 201
    assert tokens.get("/queue/two", headers=bearer(ADMIN)).status_code == 200
    assert_status(tokens.get("/queue/two"), 401, "bearer token")


@pytest.mark.parametrize(
    ("tokens", "headers"), [((API, None), bearer(API)), ((None, None), {})], indirect=["tokens"],
    ids=["api-token", "no-token"],
)
def test_without_an_admin_token_the_admin_routes_are_off(
    tokens: TestClient, headers: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    """They fail closed: neither anonymous calls nor the data token open them (issue 19, reproduction 4)."""
    off = {"status": ADMIN_OFF}
    settings = tokens.patch("/channels/two/settings", json={"max_deliveries": 1}, headers=headers)
    assert (settings.status_code, settings.json()) == (403, off)
    redrive = tokens.post("/dead-letters/two/redrive", headers=headers)
    assert (redrive.status_code, redrive.json()) == (403, off)
    assert admin.execute("SELECT count(*) FROM pgq.channel_settings").fetchone() == (0,)
    assert tokens.post("/message", json=NEW, headers=headers).status_code == 201
    if headers:
        assert_status(tokens.post("/dead-letters/two/redrive"), 401, "bearer token")


def test_admin_token_read_from_the_environment_and_kept_out_of_repr(
    from_env: Callable[[dict[str, str]], Settings],
) -> None:
    settings = from_env({"PGQ_DATABASE_URL": "x", "PGQ_ADMIN_TOKEN": ADMIN,
                                  "PGQ_POSTGREST_JWT_SECRET": "s" * 32})
    assert (settings.admin_token, settings.postgrest_jwt_secret) == (ADMIN, "s" * 32)
    assert ADMIN not in repr(settings) and "s" * 32 not in repr(settings)
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(database_url="x", postgrest_jwt_secret="short")


def test_openapi_documents_the_settings_route(direct: TestClient) -> None:
    schema = direct.get("/openapi.json").json()
    operation = schema["paths"]["/channels/{channel}/settings"]["patch"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "408", "413", "503", "504"}
    limits = schema["components"]["schemas"]["ChannelLimits"]["properties"]
    assert set(limits) == {"max_deliveries", "dedup_window"}
    assert set(schema["components"]["schemas"]["ChannelConfig"]["required"]) == {
        "channel", "max_deliveries", "dedup_window"}

