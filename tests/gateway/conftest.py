"""Gateway fixtures: the app served in-process (TestClient) over a backend the test owns.

`client` runs every test of the HTTP suite twice on a fresh database: over the
direct backend, and over the PostgREST backend. That one talks to the PostgREST
stand-in (tests/utils/standin.py) on the same database, or to a real PostgREST when
PGQ_TEST_POSTGREST_URL names one (the container workflow). A real PostgREST's
database is shared, so suite tests use channel names of their own (`channel`)
and never assume an empty database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping

import pytest
from fastapi.testclient import TestClient

from gateway.core.config import Settings
from tests.utils.client import ADMIN_TOKEN, AS_ADMIN, bearer, serve
from tests.utils.jwt import compose_secret
from tests.utils.standin import StandInPostgrest

POSTGREST_URL = os.environ.get("PGQ_TEST_POSTGREST_URL")
BACKENDS = ["direct", "postgrest"]

@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    if request.param == "postgrest":
        if POSTGREST_URL and {"admin", "admin_url"} & set(request.fixturenames):
            pytest.skip("reads or moves the test's own database, and a real PostgREST serves a shared one")
        settings = Settings(postgrest_url=POSTGREST_URL or request.getfixturevalue("postgrest_url"),
                            postgrest_jwt_secret=compose_secret(), **AS_ADMIN)
    else:
        settings = Settings(database_url=request.getfixturevalue("gateway_dsn"), **AS_ADMIN)
    with serve(settings, headers=bearer(ADMIN_TOKEN)) as served:
        yield served


@pytest.fixture
def postgrest_url(admin_url: str) -> Iterator[str]:
    """The PostgREST stand-in, serving this test's fresh database."""
    stand_in = StandInPostgrest(admin_url, jwt_secret=compose_secret())
    stand_in.start()
    try:
        yield stand_in.url
    finally:
        stand_in.stop()


@pytest.fixture
def direct(gateway_dsn: str) -> Iterator[TestClient]:
    """The direct backend alone, on a fresh database: for tests that need it empty or use SQL."""
    with serve(Settings(database_url=gateway_dsn, **AS_ADMIN), headers=bearer(ADMIN_TOKEN)) as served:
        yield served


@pytest.fixture
def channel() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def from_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Mapping[str, str]], Settings]:
    """Settings.from_env() with exactly these PGQ_* variables in the environment, for this test."""

    def read(variables: Mapping[str, str]) -> Settings:
        for name in [name for name in os.environ if name.upper().startswith("PGQ_")]:
            monkeypatch.delenv(name)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return Settings.from_env()

    return read
