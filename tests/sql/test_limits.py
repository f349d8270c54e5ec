"""One source per bound: pgq.limits() in SQL, gateway/bounds.py mirroring it, and no check that
writes its bound as a number instead of asking pgq._limit()."""

from __future__ import annotations

import re

import psycopg

from gateway import bounds
from gateway.models import CHANNEL_PATTERN
from support.localpg import REPO

# The upper bound of a _check_range/_check_length call: its last argument.
CHECK_CALL = re.compile(r"pgq\._check_(?:range|length)\((?P<arguments>[^;]*)\);", re.S)


def test_the_gateway_mirrors_pgq_limits(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    rows = admin.execute("SELECT name, value FROM pgq.limits()").fetchall()
    assert {name: value for name, value in rows} == bounds.SQL_LIMITS


def test_the_gateway_is_never_looser_than_the_database() -> None:
    assert bounds.HTTP_MAX_BATCH <= bounds.MAX_BATCH


def test_the_channel_pattern_holds_channel_length_characters(
    admin: psycopg.Connection[tuple[object, ...]],
) -> None:
    """pgq._valid_channel's pattern (a CHECK constraint uses it) and the gateway's both say 64."""
    longest, too_long = "a" * bounds.CHANNEL_LENGTH, "a" * (bounds.CHANNEL_LENGTH + 1)
    valid = "SELECT pgq._valid_channel(%s), pgq._valid_channel(%s)"
    assert admin.execute(valid, (longest, too_long)).fetchone() == (True, False)
    assert re.fullmatch(CHANNEL_PATTERN, longest) and not re.fullmatch(CHANNEL_PATTERN, too_long)


def test_every_check_takes_its_bound_from_pgq_limits() -> None:
    literal = []
    for path in sorted((REPO / "sql" / "functions").glob("*.sql")):
        for call in CHECK_CALL.finditer(path.read_text()):
            highest = call["arguments"].rsplit(",", 1)[1].strip()
            if highest.isdigit():
                literal.append(f"{path.name}: {call[0]}")
    assert literal == []


def test_a_bound_is_folded_into_the_plan(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """pgq._limit('max_take') is evaluated when a check is planned, not each time it runs: the hot
    paths (dequeue, lease) cache their plans per session, so a bound costs them nothing."""
    explain = ("EXPLAIN (VERBOSE, COSTS OFF) SELECT pgq._check_range('take', g, 1, pgq._limit('max_take'))"
               " FROM generate_series(1, 2) AS g")
    plan = admin.execute(explain)
    output = "\n".join(str(line) for (line,) in plan.fetchall())
    assert "'100'::bigint" in output and "_limit" not in output
