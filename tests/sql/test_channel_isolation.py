"""A channel's cost never depends on other channels, and the hot paths write only what they move.

Buffers per call are measured with EXPLAIN (ANALYZE, BUFFERS) of the call itself, which counts everything
the function reads, its inner statements included.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests.sql.explain import buffers, freeze_heads

Conn = psycopg.Connection[tuple[object, ...]]

CALLS = {
    "dequeue": "SELECT * FROM pgq.dequeue('young')",
    "lease": "SELECT * FROM pgq.lease('young', visibility_seconds => 600)",
    "peek": "SELECT * FROM pgq.peek('young', skip => 0)",
}
WARM_UP = 8
MEASURED = 5


def fill(conn: Conn, older: int, analyze: bool) -> None:
    """`older` messages in channel 'old', then 20,000 in 'young': every 'old' id is lower.

    Analyzed, 'young' looks like the bulk of the table behind 10,000 'old' messages (the statistics under
    which an index on id alone would be walked past all of them) and like a rarity behind 200,000.
    """
    conn.execute("TRUNCATE pgq.queue, pgq.archive")
    # A TRUNCATE builds the queue's indexes anew: queue_group gets back the root page that its deploy gives
    # it (sql/schema/message_group.sql) and that pgq, which never truncates the queue, keeps for good.
    conn.execute("INSERT INTO pgq.queue (id, channel, message, group_key) OVERRIDING SYSTEM VALUE"
                 " VALUES (0, '', '{}', '')")
    conn.execute("DELETE FROM pgq.queue WHERE channel = ''")
    conn.execute("INSERT INTO pgq.queue (channel, message) SELECT 'old', jsonb_build_object('seq', g)"
                 " FROM generate_series(1, %s) AS g", [older])
    conn.execute("INSERT INTO pgq.queue (channel, message) SELECT 'young', jsonb_build_object('seq', g)"
                 " FROM generate_series(1, 20000) AS g")
    conn.execute("VACUUM ANALYZE pgq.queue" if analyze else "VACUUM pgq.queue")


def profile(admin_url: str, older: int, analyze: bool) -> dict[str, list[int]]:
    """Buffers of MEASURED calls of each function after WARM_UP calls, in the same order for every queue."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, older, analyze)
    result = {}
    for name, call in CALLS.items():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for _ in range(WARM_UP):
                conn.execute(call)
            freeze_heads(conn)
            result[name] = [buffers(conn, call) for _ in range(MEASURED)]
    return result


@pytest.mark.parametrize("analyze", [False, True], ids=["no-statistics", "analyzed"])
def test_buffers_per_call_do_not_depend_on_other_channels(admin_url: str, analyze: bool) -> None:
    small = profile(admin_url, 10_000, analyze)
    large = profile(admin_url, 200_000, analyze)
    for name in CALLS:
        for call, (few, many) in enumerate(zip(small[name], large[name], strict=True)):
            assert abs(many - few) <= 2, (
                f"{name} call {call}: {few} buffers behind 10,000, {many} behind 200,000")


def heap_only_share(admin: Conn, work: Callable[[], None]) -> float:
    def counts() -> tuple[int, int]:
        admin.execute("SELECT pg_stat_force_next_flush()")
        row = admin.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
                            " WHERE relid = 'pgq.queue'::regclass").fetchone()
        assert row is not None
        return int(str(row[0])), int(str(row[1]))

    updated, hot = counts()
    work()
    updated_after, hot_after = counts()
    assert updated_after - updated >= 1000
    return (hot_after - hot) / (updated_after - updated)


def test_lease_nack_and_extend_lease_are_heap_only(admin: Conn) -> None:
    admin.execute("INSERT INTO pgq.queue (channel, message)"
                  " SELECT c, jsonb_build_object('seq', g) FROM generate_series(1, 500) AS g,"
                  " unnest(ARRAY['a', 'b', 'c']) AS c")

    def lease_extend_nack() -> None:
        # In this session, whose statistics pg_stat_force_next_flush() sends; one transaction per call.
        # The nack's delay keeps each message out of the way, so every turn updates a fresh message.
        for turn in range(340):
            channel = "abc"[turn % 3]
            leased = admin.execute("SELECT id, receipt FROM pgq.lease(%s)", [channel]).fetchone()
            assert leased is not None
            extended = admin.execute("SELECT pgq.extend_lease(%s, %s, %s, 60)", [channel, *leased]).fetchone()
            nacked = admin.execute("SELECT pgq.nack(%s, %s, %s, 600)", [channel, *leased]).fetchone()
            assert extended == nacked == (True,)

    assert heap_only_share(admin, lease_extend_nack) >= 0.95


def test_a_channel_empty_at_the_last_analyze_is_not_walked_whole(admin_url: str) -> None:
    """A burst into a channel the statistics count as empty: each call still reads only what it takes.

    With 'young' absent from the statistics the planner expects one row of it, and a join of the taken ids
    against the queue by channel alone walked all 30,000 rows of the burst at every call."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE pgq.queue SET (autovacuum_enabled = off)")
        conn.execute("TRUNCATE pgq.queue, pgq.archive")
        conn.execute("INSERT INTO pgq.queue (channel, message) SELECT 'old', jsonb_build_object('seq', g)"
                     " FROM generate_series(1, 1000) AS g")
        conn.execute("VACUUM ANALYZE pgq.queue")
        conn.execute("INSERT INTO pgq.queue (channel, message) SELECT 'young', jsonb_build_object('seq', g)"
                     " FROM generate_series(1, 30000) AS g")
    stale = {}
    for name, call in CALLS.items():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for _ in range(WARM_UP):
                conn.execute(call)
            freeze_heads(conn)
            stale[name] = max(buffers(conn, call) for _ in range(MEASURED))
    for name in CALLS:
        assert stale[name] <= 200, f"{name}: {stale[name]} buffers a call behind stale statistics"
