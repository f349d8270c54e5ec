"""Buffers a statement reads, from EXPLAIN (ANALYZE, BUFFERS): a cost that a noisy machine cannot move."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg


def buffers(conn: psycopg.Connection[Any], statement: str) -> int:
    """Shared buffers hit or read by running `statement` once, planning excluded; for a function call this
    includes everything the function's own statements read."""
    row = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}").fetchone()
    assert row is not None
    top: dict[str, Any] = row[0][0]["Plan"]
    return int(top["Shared Hit Blocks"]) + int(top["Shared Read Blocks"])


def freeze_heads(conn: psycopg.Connection[Any]) -> None:
    """Keep every channel's head and group head as its last refresh left it until thaw_heads, so that the
    buffers of the calls measured meanwhile do not depend on which of them happens to refresh it (a refresh
    runs at most every quarter of a second, whenever a consumer finds the head stale)."""
    conn.execute("UPDATE pgq.head SET refreshed_at = 'infinity'")
    conn.execute("UPDATE pgq.group_head SET refreshed_at = 'infinity'")


def thaw_heads(conn: psycopg.Connection[Any]) -> None:
    conn.execute("UPDATE pgq.head SET refreshed_at = '-infinity'")
    conn.execute("UPDATE pgq.group_head SET refreshed_at = '-infinity'")


@contextmanager
def held_horizon(admin_url: str) -> Iterator[None]:
    """Another session holds a transaction id: no row deleted from now on can be removed."""
    with psycopg.connect(admin_url) as holder:
        holder.execute("SELECT txid_current()")
        yield
        holder.rollback()
