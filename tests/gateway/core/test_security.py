"""PGQ_API_TOKEN: off by default; when set, every route but the probes and /metrics wants the bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.core.config import Settings
from tests.utils.client import QUIET, assert_status, post, serve

TOKEN = "s3cret-token"
GOOD = {"Authorization": f"Bearer {TOKEN}"}
CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/message", {"channel": "two", "message": {"seq": 1}}),
    ("GET", "/queue/two", None),
    ("GET", "/messages?channel=two", None),
    ("GET", "/channels", None),
    ("GET", "/openapi.json", None),
    ("GET", "/docs", None),
    ("GET", "/no-such-route", None),
]


@pytest.fixture
def guarded(gateway_dsn: str) -> Iterator[TestClient]:
    with serve(Settings(database_url=gateway_dsn, api_token=TOKEN, **QUIET)) as served:
        yield served


def test_off_by_default(gateway_dsn: str, from_env: Callable[[dict[str, str]], Settings]) -> None:
    assert from_env({"PGQ_DATABASE_URL": "x"}).api_token is None
    with serve(Settings(database_url=gateway_dsn, **QUIET)) as direct:
        post(direct, "two", {"seq": 1})
        assert direct.get("/queue/two").status_code == 200
        assert "securitySchemes" not in direct.get("/openapi.json").json().get("components", {})


def test_the_admin_token_alone_declares_the_scheme_on_the_admin_routes(direct: TestClient) -> None:
    """/docs gets its Authorize button whenever a token is set (with only PGQ_ADMIN_TOKEN it had none)."""
    schema = direct.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    guarded = {(path, method) for path, operations in schema["paths"].items()
               for method, operation in operations.items() if "security" in operation}
    assert guarded == {
        ("/channels/{channel}/settings", "patch"), ("/channels/{channel}/settings", "delete"),
        ("/channels/{channel}/messages", "delete"), ("/dead-letters/{channel}/redrive", "post"),
    }


def test_read_from_the_environment_and_kept_out_of_repr(
    from_env: Callable[[dict[str, str]], Settings],
) -> None:
    settings = from_env({"PGQ_DATABASE_URL": "x", "PGQ_API_TOKEN": TOKEN})
    assert settings.api_token == TOKEN
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer s3crét-token".encode("latin-1")},  # non-ASCII: still a plain 401
    ],
    ids=["none", "wrong", "longer", "basic", "no-scheme", "empty", "non-ascii"],
)
def test_every_route_refuses_without_the_token(
    guarded: TestClient, admin: psycopg.Connection[Any], headers: dict[str, Any]
) -> None:
    for method, path, body in CALLS:
        response = guarded.request(method, path, json=body, headers=headers)
        assert_status(response, 401, "bearer token")
        assert response.headers["www-authenticate"] == "Bearer"
    assert admin.execute("SELECT count(*) FROM pgq.queue").fetchone() == (0,)  # nothing reached the database


def test_the_token_lets_every_route_through(guarded: TestClient) -> None:
    new = {"channel": "two", "message": {"seq": 1}}
    assert guarded.post("/message", json=new, headers=GOOD).status_code == 201
    assert guarded.get("/messages?channel=two", headers=GOOD).status_code == 200
    assert guarded.get("/channels", headers=GOOD).json() == [{"channel": "two"}]
    # The scheme is case-insensitive.
    lowercase = {"Authorization": f"bearer {TOKEN}"}
    assert guarded.get("/queue/two", headers=lowercase).json()["message"] == {"seq": 1}
    assert_status(guarded.get("/no-such-route", headers=GOOD), 404)


def test_probes_and_metrics_stay_open(guarded: TestClient) -> None:
    assert guarded.get("/healthz").json() == {"status": "ok"}
    assert guarded.get("/readyz").json() == {"status": "ready"}
    assert guarded.get("/metrics").status_code == 200
    assert "http_requests_total" in guarded.get("/metrics").text


def test_openapi_declares_the_scheme(guarded: TestClient) -> None:
    schema = guarded.get("/openapi.json", headers=GOOD).json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            if path in ("/healthz", "/readyz"):
                assert "security" not in operation and "401" not in operation["responses"]
            else:
                assert operation["security"] == [{"bearer": []}]
                assert "401" in operation["responses"]
