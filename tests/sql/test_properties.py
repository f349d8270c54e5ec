"""Property tests: whatever a caller passes, the pgq functions either do the right thing or raise a
named data error (SQLSTATE class 22, or 54 for program limits), and a failed call changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

VALID_CHANNEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
INJECTIONS = ["two'; DROP TABLE pgq.queue; --", "x\" OR 1=1 --", "$$; DELETE FROM pgq.archive; $$",
              "../..", "%s%s"]
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
Conn = psycopg.Connection[tuple[object, ...]]

# PostgreSQL text cannot hold NUL at all; the driver refuses it before it is sent.
channels = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="abcXYZ019._-🚀éß\u202e ", max_size=70),
    st.sampled_from(["", ".", "..", "-a", "a" * 64, "a" * 65, "два", "🚀", *INJECTIONS]),
).filter(lambda text: "\x00" not in text)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.text(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(INJECTIONS),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@pytest.fixture
def conn(gateway_dsn: str) -> Iterator[Conn]:
    with psycopg.connect(gateway_dsn, autocommit=True) as connection:
        connection.execute("SELECT pgq.enqueue('sentinel', '{\"keep\": true}')")
        yield connection


def snapshot(conn: Conn) -> object:
    """What a failed call must leave untouched: the queue as seen through the API."""
    return [conn.execute("SELECT channel, depth FROM pgq.stats()").fetchall(),
            conn.execute("SELECT * FROM pgq.peek('sentinel')").fetchall()]


def call(conn: Conn, sql: str, params: tuple[object, ...]) -> str | None:
    """Run one call; return None on success or the SQLSTATE of the error, checking nothing changed."""
    before = snapshot(conn)
    try:
        conn.execute(sql, params).fetchall()
    except psycopg.Error as error:
        assert error.sqlstate is not None
        assert error.sqlstate[:2] in ("22", "54"), f"{error.sqlstate}: {error}"
        assert snapshot(conn) == before
        return error.sqlstate
    return None


@PROPERTY
@given(channel=channels)
def test_enqueue_accepts_exactly_the_valid_channels(conn: Conn,
                                                    channel: str) -> None:
    outcome = call(conn, "SELECT pgq.enqueue(%s, '{}')", (channel,))
    if VALID_CHANNEL.fullmatch(channel):
        assert outcome is None
        conn.execute("SELECT pgq.dequeue(%s, 100)", (channel,))
    else:
        assert outcome == "22023"


@PROPERTY
@given(channel=channels)
def test_every_reader_rejects_invalid_channels_by_name(conn: Conn,
                                                       channel: str) -> None:
    if VALID_CHANNEL.fullmatch(channel):
        return
    for sql in ("SELECT * FROM pgq.dequeue(%s)", "SELECT * FROM pgq.peek(%s)",
                "SELECT * FROM pgq.enqueue_batch(%s, '[{}]')"):
        assert call(conn, sql, (channel,)) == "22023"


@PROPERTY
@given(message=json_values)
def test_only_json_objects_are_messages(conn: Conn, message: object) -> None:
    outcome = call(conn, "SELECT pgq.enqueue('props', %s)", (Jsonb(message),))
    if isinstance(message, dict) and "\\u0000" not in json.dumps(message):
        assert outcome is None
        stored = conn.execute("SELECT message = %s FROM pgq.dequeue('props')", (Jsonb(message),)).fetchone()
        assert stored == (True,)
    else:
        assert outcome is not None


@PROPERTY
@given(take=INT32, skip=INT32)
def test_take_and_skip_outside_their_ranges_are_22023(conn: Conn,
                                                     take: int, skip: int) -> None:
    dequeued = call(conn, "SELECT * FROM pgq.dequeue('sentinel-empty', %s)", (take,))
    assert dequeued == (None if 1 <= take <= 100 else "22023")
    peeked = call(conn, "SELECT * FROM pgq.peek('sentinel', %s, %s)", (skip, take))
    assert peeked == (None if skip >= 0 and 1 <= take <= 300 else "22023")


@pytest.mark.parametrize("text, sqlstate", [
    ('{"a": "\\u0000"}', "22P05"),           # jsonb cannot store NUL
    ('{"n": 1e400}', None),                  # numeric holds it
    ('{"n": -1e-400}', None),
    ('{"n": 1e1000000}', "22003"),           # beyond numeric's range
    ("", "22P02"),
    ("[]", "22023"),
    ('"{}"', "22023"),
    ("[" * 100_000 + "]" * 100_000, "54001"),  # nesting beyond the parser's stack
])
def test_edge_case_messages(conn: Conn, text: str, sqlstate: str | None) -> None:
    assert call(conn, "SELECT pgq.enqueue('edges', %s::jsonb)", (text,)) == sqlstate


def test_a_large_object_round_trips(conn: Conn) -> None:
    message = {f"k{i}": "x" * 1000 for i in range(1000)}  # about 1 MB
    conn.execute("SELECT pgq.enqueue('big', %s)", (Jsonb(message),))
    assert conn.execute("SELECT message FROM pgq.dequeue('big')").fetchone() == (message,)


def test_injection_strings_are_data_not_sql(conn: Conn) -> None:
    for text in INJECTIONS:
        assert call(conn, "SELECT pgq.enqueue(%s, '{}')", (text,)) == "22023"
        conn.execute("SELECT pgq.enqueue('inject', %s)", (Jsonb({text: text}),))
    assert len(conn.execute("SELECT * FROM pgq.dequeue('inject', 100)").fetchall()) == len(INJECTIONS)
    assert conn.execute("SELECT count(*) FROM pgq.peek('sentinel')").fetchone() == (1,)
