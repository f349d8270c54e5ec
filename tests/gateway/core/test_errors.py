"""The one table from upstream codes to HTTP statuses, and the JSON shape of every error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.core.config import Settings
from gateway.core.errors import TIMEOUT, UNKNOWN, UNREACHABLE, status_for, upstream_error
from gateway.db import Cut, Deadline
from tests.utils.client import QUIET, assert_status, serve
from tests.utils.fakes import StubBackend


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("22023", 400), ("22004", 400), ("22P02", 400), ("22P05", 400), ("22003", 400), ("22021", 400),
        ("54001", 400), ("54000", 400),
        ("57014", 503), ("57P01", 503), ("57P03", 503), ("08006", 503), ("08001", 503), ("53300", 503),
        ("40001", 503), ("40P01", 503),
        ("PGRST000", 503), ("PGRST001", 503), ("PGRST002", 503), ("PGRST003", 503),
        (UNREACHABLE, 503), (TIMEOUT, 503), (UNKNOWN, 504),
        ("57000", 500), ("42501", 500), ("42883", 500), ("PGRST202", 500), ("PGRST100", 500), ("", 500),
    ],
)
def test_status_for(code: str, status: int) -> None:
    assert status_for(code) == status


def test_only_bad_input_shows_the_upstream_message(caplog: pytest.LogCaptureFixture) -> None:
    assert upstream_error("22023", "channel must be", "got 0").detail == "channel must be (got 0)"
    unavailable = upstream_error("08006", "could not connect to server at db.internal (10.1.2.3), port 5432")
    assert unavailable.detail == "upstream unavailable: nothing was done, try again (08006)"
    unknown = upstream_error(UNKNOWN, "connection to 10.1.2.3 lost")
    assert (unknown.status, unknown.detail.split(":")[0]) == (504, "outcome unknown")
    assert "10.1.2.3" not in unknown.detail and "10.1.2.3" in caplog.text and "db.internal" in caplog.text
    hidden = upstream_error("42501", "permission denied for function secret")
    assert (hidden.status, hidden.detail) == (500, "internal error")
    assert "permission denied for function secret" in caplog.text


class Broken(StubBackend):
    """A backend whose every call fails in a way nothing expects."""

    async def rows(
        self, function: str, args: Mapping[str, object], deadline: Deadline = None, cut: Cut | None = None
    ) -> list[Any]:
        raise RuntimeError(f"boom in {function}")

    async def json_rows(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> bytes:
        raise RuntimeError(f"boom in {function}")

    async def value(self, function: str, args: Mapping[str, object], deadline: Deadline = None) -> Any:
        raise RuntimeError(f"boom in {function}")


def test_unexpected_failure_is_a_logged_json_500(caplog: pytest.LogCaptureFixture) -> None:
    with serve(Settings(postgrest_url="http://unused.invalid", **QUIET), Broken()) as client:
        response = client.post("/message", json={"channel": "two", "message": {"seq": 1}})
    text = assert_status(response, 500)
    assert text == "internal error" and "boom" not in response.text
    assert "boom in enqueue" in caplog.text and "POST /message" in caplog.text
