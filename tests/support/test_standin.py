"""The PostgREST stand-in behaves as PostgREST's documentation says PostgREST does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from support.localpg import free_port
from tests.utils.standin import RawJson, StandInPostgrest, status_for_sqlstate

# What a call sees of its transaction, for a STABLE and a VOLATILE function.
PROBE = """
CREATE FUNCTION pgq.t_probe_{volatility}() RETURNS jsonb LANGUAGE sql {volatility} AS $$
  SELECT jsonb_build_object('read_only', current_setting('transaction_read_only'),
                            'statement_timeout', current_setting('statement_timeout'),
                            'role', current_user, 'method', current_setting('request.method', true),
                            'pid', pg_backend_pid())
$$;
GRANT EXECUTE ON FUNCTION pgq.t_probe_{volatility}() TO pgq_client;
"""


@pytest.fixture
def stand_in(admin_url: str, admin: psycopg.Connection[Any]) -> Iterator[StandInPostgrest]:
    for volatility in ("stable", "volatile"):
        admin.execute(PROBE.format(volatility=volatility))
    served = StandInPostgrest(admin_url, pool_size=1, acquisition_timeout=0.2)
    served.start()
    yield served
    served.stop()


def call(stand_in: StandInPostgrest, function: str, **args: object) -> tuple[int, Any]:
    status, body = stand_in.call(function, json.dumps(args).encode())
    return status, json.loads(body) if isinstance(body, RawJson) else body


def test_a_call_runs_as_the_anonymous_role_with_its_settings_in_a_transaction_by_volatility(
    stand_in: StandInPostgrest,
) -> None:
    stable = call(stand_in, "t_probe_stable")
    volatile = call(stand_in, "t_probe_volatile")
    assert stable[0] == volatile[0] == 200
    assert {key: stable[1][key] for key in ("read_only", "statement_timeout", "role", "method")} == {
        "read_only": "on", "statement_timeout": "5s", "role": "pgq_client", "method": "POST"}
    assert volatile[1]["read_only"] == "off"
    assert stable[1]["pid"] == volatile[1]["pid"], "one pooled connection serves both calls"


def test_a_request_that_finds_no_free_connection_gets_pgrst003(stand_in: StandInPostgrest) -> None:
    with stand_in._pool.connection():  # the pool's only connection, busy
        assert call(stand_in, "channels") == (504, {
            "code": "PGRST003", "message": "Timed out acquiring connection from connection pool.",
            "details": None, "hint": None})
    assert call(stand_in, "channels")[0] == 200


def test_an_unreachable_database_is_pgrst000() -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/pgq"
    status, body = StandInPostgrest(nowhere).call("channels", b"{}")
    assert (status, body["code"]) == (503, "PGRST000")


def test_unknown_functions_and_arguments_are_pgrst202(stand_in: StandInPostgrest) -> None:
    assert call(stand_in, "nonexistent")[1]["code"] == "PGRST202"
    status, body = call(stand_in, "dequeue", channel="c", nonsense=1)
    assert (status, body["code"]) == (404, "PGRST202")


def test_database_errors_keep_their_code_with_postgrests_status(stand_in: StandInPostgrest) -> None:
    status, body = call(stand_in, "enqueue", channel="-bad", message={"seq": 1})
    assert (status, body["code"]) == (400, "22023") and body["message"].startswith("channel must be")
    status, body = call(stand_in, "dequeue", channel="c", take="many")
    assert (status, body["code"]) == (400, "22P02"), "typed by the parameter, as json_to_record does"


@pytest.mark.parametrize(("code", "status"), [
    ("08006", 503), ("53300", 503), ("53400", 500), ("40001", 500), ("57014", 500), ("25006", 405),
    ("23505", 409), ("42883", 404), ("42501", 401), ("P0001", 400), ("P0002", 500), ("22023", 400),
    ("54001", 500), ("XX000", 500), ("42601", 400),
])
def test_sqlstates_map_as_postgrests_table(code: str, status: int) -> None:
    assert status_for_sqlstate(code) == status


def test_a_set_of_rows_is_filtered_ordered_and_paged_by_the_query_string(
    stand_in: StandInPostgrest, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("SELECT pgq.enqueue(c, '{}') FROM unnest(ARRAY['filter-c', 'filter-a', 'filter-b']) AS c")

    def channels(query: str) -> list[str]:
        status, body = stand_in.call("stats", b"{}", query=query)
        assert status == 200, body
        return [row["channel"] for row in json.loads(body)]

    assert channels("channel=eq.filter-b") == ["filter-b"]
    assert channels("order=channel.asc&offset=1&limit=1") == ["filter-b"]
    assert channels("order=channel.asc&limit=2") == ["filter-a", "filter-b"]
    assert stand_in.call("stats", b"{}", query="channel=like.x")[0] == 400
