"""The head of a channel: a consumer's cost does not grow with what a held horizon keeps or with the channel's
own messages in flight ahead, and nothing behind the head is ever skipped.

Buffers per call are measured with EXPLAIN (ANALYZE, BUFFERS) of the call itself, as in
test_channel_isolation.py. The head is refreshed at most every quarter of a second, so the helpers sleep a
little longer than that wherever a test needs the head to have moved.
"""

from __future__ import annotations

import time

import psycopg

from tests.sql.explain import buffers, freeze_heads, held_horizon, thaw_heads

Conn = psycopg.Connection[tuple[object, ...]]

REFRESH = 0.3  # seconds: longer than the head's refresh interval (250 ms)
CALLS = {
    "dequeue": "SELECT * FROM pgq.dequeue(%s)",
    "lease": "SELECT * FROM pgq.lease(%s, visibility_seconds => 600)",
    "peek": "SELECT * FROM pgq.peek(%s, skip => 0)",
}


def one(conn: Conn, query: str, params: list[object] | None = None) -> object:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def fill(conn: Conn, channel: str, count: int) -> None:
    conn.execute("INSERT INTO pgq.queue (channel, message) SELECT %s, jsonb_build_object('seq', g)"
                 " FROM generate_series(1, %s) AS g", [channel, count])


def consume(conn: Conn, channel: str, count: int) -> None:
    """Dequeue `count` messages, 100 a call, each call a transaction of its own."""
    for _ in range(count // 100):
        assert one(conn, "SELECT count(*) FROM pgq.dequeue(%s, 100)", [channel]) == 100


def settle_head(conn: Conn, channel: str) -> None:
    """Let two refreshes run with nothing to consume in between: the first reads the sequence and the
    transactions that may still write, the second finds them ended and moves the head past them."""
    for _ in range(2):
        time.sleep(REFRESH)
        conn.execute("SELECT pgq._ready_start(%s)", [channel])


def head(conn: Conn, channel: str) -> tuple[int, int, int]:
    row = conn.execute("SELECT ready_from, checked_from, settled_below FROM pgq.head WHERE channel = %s",
                       [channel]).fetchone()
    assert row is not None, f"no head for {channel}"
    return int(str(row[0])), int(str(row[1])), int(str(row[2]))


def profile(conn: Conn, channel: str) -> dict[str, list[int]]:
    """Buffers of three calls of each function, right after a refresh of the head; the head row's versions
    that the horizon keeps (one per refresh) are read by every call, so they are counted here."""
    result = {}
    for name, call in CALLS.items():
        for _ in range(2):  # the session's caches, not the channel, make a first call dearer
            conn.execute(call, [channel])
        thaw_heads(conn)
        settle_head(conn, channel)
        freeze_heads(conn)
        result[name] = [buffers(conn, call.replace("%s", f"'{channel}'")) for _ in range(3)]
    return result


def assert_close(calm: dict[str, list[int]], loaded: dict[str, list[int]], what: str) -> None:
    for name in CALLS:
        for call, (few, many) in enumerate(zip(calm[name], loaded[name], strict=True)):
            assert abs(many - few) <= 20, f"{name} call {call}: {few} buffers with none, {many} {what}"


def test_buffers_per_call_do_not_grow_with_dead_versions_a_held_horizon_keeps(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, "calm", 220_000)
        fill(conn, "held", 220_000)
        conn.execute("VACUUM ANALYZE pgq.queue")
        consume(conn, "calm", 200_000)
        calm = profile(conn, "calm")
        with held_horizon(admin_url):
            consume(conn, "held", 200_000)
            conn.execute("SELECT pg_stat_force_next_flush()")
            conn.execute("SELECT 1")
            kept = one(conn, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'pgq.queue'::regclass")
            loaded = profile(conn, "held")
        assert int(str(kept)) >= 190_000, "the held horizon kept the consumed messages' dead versions"
    assert_close(calm, loaded, "behind 200,000 dead versions")


def test_buffers_per_call_do_not_grow_with_leased_messages_ahead(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, "calm", 30_000)
        fill(conn, "busy", 30_000)
        conn.execute("VACUUM ANALYZE pgq.queue")
        for _ in range(100):
            assert one(conn, "SELECT count(*) FROM pgq.lease('busy', 3600, 100)") == 100
        calm = profile(conn, "calm")
        loaded = profile(conn, "busy")
    assert_close(calm, loaded, "behind 10,000 leased")


def moved_past(conn: Conn, channel: str, message_id: int, checked: bool = True) -> None:
    """Consume the 3,000 messages enqueued after message_id and check that the head is past it."""
    consume(conn, channel, 3000)
    settle_head(conn, channel)
    ready_from, checked_from, _ = head(conn, channel)
    assert ready_from > message_id, "consumers no longer start at or before the message"
    if checked:
        assert checked_from > message_id, "refreshes no longer start at or before the message"


def pass_time(conn: Conn, channel: str, seconds: float) -> None:
    """The clock moves `seconds` on, for the channel: every time stored for it moves back as much (its
    messages' visible_at, its head's rescan_at and refreshed_at). Unlike make_due, the head stays: its
    own rescan_at brings a message back, as the real clock would, without the wait."""
    shift = f"make_interval(secs => {float(seconds)})"
    conn.execute(f"UPDATE pgq.queue SET visible_at = visible_at - {shift} WHERE channel = %s", [channel])
    conn.execute(f"UPDATE pgq.head SET rescan_at = rescan_at - {shift}, refreshed_at = refreshed_at - {shift}"
                 " WHERE channel = %s", [channel])


def test_a_late_commit_behind_the_head_is_delivered_within_5_seconds(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn, psycopg.connect(admin_url) as producer:
        late = int(str(one(producer, "SELECT pgq.enqueue('late', '{\"n\": \"late\"}')")))
        conn.execute("SELECT pgq.enqueue_batch('late', (SELECT jsonb_agg(jsonb_build_object('n', g))"
                     " FROM generate_series(1, 3000) AS g))")
        moved_past(conn, "late", late, checked=False)
        producer.commit()
        committed = time.monotonic()
        while time.monotonic() - committed < 5:
            got = conn.execute("SELECT id FROM pgq.dequeue('late')").fetchall()
            if got:
                assert got == [(late,)]
                return
            time.sleep(0.05)
        raise AssertionError("the late commit was not delivered within 5 s")


def test_an_expired_lease_behind_the_head_is_delivered(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, "expiring", 3001)
        leased = int(str(one(conn, "SELECT id FROM pgq.lease('expiring', visibility_seconds => 5)")))
        moved_past(conn, "expiring", leased)
        assert conn.execute("SELECT id FROM pgq.lease('expiring')").fetchall() == [], "not before its end"
        pass_time(conn, "expiring", 5)
        assert conn.execute("SELECT id FROM pgq.lease('expiring')").fetchall() == [(leased,)]


def test_a_nacked_message_behind_the_head_is_delivered_at_once(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, "nacked", 3001)
        leased = conn.execute("SELECT id, receipt FROM pgq.lease('nacked', visibility_seconds => 600)"
                              ).fetchone()
        assert leased is not None
        moved_past(conn, "nacked", int(str(leased[0])))
        assert one(conn, "SELECT pgq.nack('nacked', %s, %s)", list(leased)) is True
        assert conn.execute("SELECT id FROM pgq.dequeue('nacked')").fetchall() == [(leased[0],)]


def test_a_delayed_message_behind_the_head_is_delivered_when_due(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        delayed = int(str(one(conn, "SELECT pgq.enqueue('due', '{}', delay_seconds => 5)")))
        fill(conn, "due", 3000)
        moved_past(conn, "due", delayed)
        assert conn.execute("SELECT id FROM pgq.dequeue('due')").fetchall() == [], "not before it is due"
        pass_time(conn, "due", 5)
        assert conn.execute("SELECT id FROM pgq.dequeue('due')").fetchall() == [(delayed,)]


def test_a_redriven_dead_letter_behind_the_head_is_delivered_first(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        fill(conn, "revived", 3001)
        dead = int(str(one(conn, "WITH d AS (DELETE FROM pgq.queue WHERE id = (SELECT min(id) FROM pgq.queue"
                                 " WHERE channel = 'revived') RETURNING *)"
                                 " INSERT INTO pgq.dead_letter"
                                 " (id, channel, message, created_at, deliveries, reason)"
                                 " SELECT id, channel, message, created_at, 5, 'test' FROM d RETURNING id")))
        moved_past(conn, "revived", dead)
        assert one(conn, "SELECT pgq.redrive('revived')") == 1
        assert conn.execute("SELECT id FROM pgq.dequeue('revived')").fetchall() == [(dead,)]
