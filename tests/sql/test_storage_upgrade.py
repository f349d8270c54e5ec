"""Upgrades keep existing data: the @v1.3 storage layout moves every message with its id, order, state and
receipt; the heads added after @v1.5 are built by the first consumers and dropped by a revert, with nothing
lost; the consumed totals of @v1.6's striped counter become one row per channel and back."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from support.localpg import Cluster, psql, sqitch
from tests.utils.databases import drop_database

Rows = list[tuple[object, ...]]
# pgq.peek's and pgq.dead_letter's columns of @v1.2: later changes add some (group_key), NULL for the
# messages of before.
PEEKED = "id, channel, message, created_at, visible_at, deliveries, state"


def deployed_at(cluster: Cluster, name: str, tag: str) -> Iterator[str]:
    """A database of its own, deployed up to `tag`, dropped afterwards."""
    psql(cluster.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(cluster.url, f"CREATE DATABASE {name}")
    url = cluster.url_for(name)
    sqitch("deploy", url, "--to", tag, quiet=True)
    yield url
    drop_database(cluster, url)


@pytest.fixture
def v12_url(cluster: Cluster) -> Iterator[str]:
    yield from deployed_at(cluster, "pgq_upgrade", "@v1.2")


def every_state(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[int, str]:
    """Messages ready, delayed, leased, dead and archived, in two channels; returns a live lease."""
    for channel in ("alpha", "beta"):
        conn.execute("SELECT pgq.enqueue_batch(%s, %s)",
                     [channel, "[" + ",".join(f'{{"seq": {n}}}' for n in range(8)) + "]"])
        conn.execute("SELECT pgq.enqueue(%s, '{\"seq\": \"later\"}', delay_seconds => 3600)", [channel])
    conn.execute("SELECT pgq.dequeue('alpha', 2)")                                # archived by a dequeue
    acked = conn.execute("SELECT id, receipt FROM pgq.lease('beta')").fetchone()
    assert acked is not None
    assert conn.execute("SELECT pgq.ack('beta', %s, %s)", acked).fetchone() == (True,)  # archived by an ack
    conn.execute("SELECT pgq.configure('beta', max_deliveries => 1)")
    doomed = conn.execute("SELECT id FROM pgq.lease('beta')").fetchone()
    assert doomed is not None
    conn.execute("UPDATE pgq.queue SET visible_at = now() WHERE id = %s", doomed)
    conn.execute("SELECT pgq.lease('beta', visibility_seconds => 600)")  # dead-letters it, leases the next
    lease = conn.execute("SELECT id, receipt FROM pgq.lease('alpha', visibility_seconds => 600)").fetchone()
    assert lease is not None
    return int(str(lease[0])), str(lease[1])


def contents(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, Rows]:
    return {
        "queue": conn.execute("SELECT id, channel, message, created_at, visible_at, deliveries, receipt,"
                              " pgq._message_state(visible_at, receipt, now())"
                              " FROM pgq.queue ORDER BY id").fetchall(),
        "peek": conn.execute(f"SELECT {PEEKED} FROM pgq.peek('alpha')"
                             f" UNION ALL SELECT {PEEKED} FROM pgq.peek('beta')").fetchall(),
        "dead": conn.execute("SELECT id, channel, message, created_at, deliveries, reason, dead_at"
                             " FROM pgq.dead_letter ORDER BY id").fetchall(),
        "archive": conn.execute("SELECT id, channel, message, created_at, consumed_at"
                                " FROM pgq.archive ORDER BY id").fetchall(),
        "stats": conn.execute("SELECT channel, depth, delayed, leased, dead, enqueued, consumed"
                              " FROM pgq.stats()").fetchall(),
    }


def test_upgrade_revert_and_redeploy_keep_every_message(v12_url: str) -> None:
    with psycopg.connect(v12_url, autocommit=True) as conn:
        lease_id, receipt = every_state(conn)
        before = contents(conn)
    states = {row[7] for row in before["queue"]}
    assert states == {"ready", "delayed", "leased"} and before["dead"] and before["archive"]

    for step in (("deploy",), ("revert", "-y", "--to", "@v1.2"), ("deploy",)):
        sqitch(step[0], v12_url, *step[1:], quiet=True)
        with psycopg.connect(v12_url, autocommit=True) as conn:
            assert contents(conn) == before, f"after {step}"

    with psycopg.connect(v12_url, autocommit=True) as conn:
        assert conn.execute("SELECT pgq.ack('alpha', %s, %s)", [lease_id, receipt]).fetchone() == (True,)
        dequeued = conn.execute("SELECT id FROM pgq.dequeue('alpha', 100)").fetchall()
        ready = [row[0] for row in before["queue"] if row[1] == "alpha" and row[7] == "ready"]
        assert [row[0] for row in dequeued] == ready, "the ready messages come out in their old order"
        consumed = conn.execute("SELECT consumed FROM pgq.stats() WHERE channel = 'alpha'").fetchone()
        assert consumed == (2 + 1 + len(ready),), "the totals carried over, and the lease's ack counts once"


@pytest.fixture
def v15_url(cluster: Cluster) -> Iterator[str]:
    yield from deployed_at(cluster, "pgq_upgrade_v15", "@v1.5")


def test_heads_come_and_go_with_the_upgrade_from_v15(v15_url: str) -> None:
    """From @v1.5 with messages in every state: the heads start empty and are built by the first consumers;
    a revert drops them with nothing lost, and a redeploy builds them again."""
    with psycopg.connect(v15_url, autocommit=True) as conn:
        lease_id, receipt = every_state(conn)
        before = contents(conn)
    sqitch("deploy", v15_url, quiet=True)
    with psycopg.connect(v15_url, autocommit=True) as conn:
        assert contents(conn) == before
        for _ in range(3):  # builds the heads: a first call creates them, the next ones refresh them
            assert conn.execute("SELECT * FROM pgq.lease('gamma')").fetchall() == []
            conn.execute("SELECT pgq._ready_start(c) FROM unnest(ARRAY['alpha', 'beta']) AS c")
            time.sleep(0.3)
        assert contents(conn) == before, "building the heads moved no message"
    sqitch("revert", v15_url, "-y", "--to", "@v1.5", quiet=True)
    with psycopg.connect(v15_url, autocommit=True) as conn:
        assert contents(conn) == before
    sqitch("deploy", v15_url, quiet=True)
    with psycopg.connect(v15_url, autocommit=True) as conn:
        assert conn.execute("SELECT pgq.ack('alpha', %s, %s)", [lease_id, receipt]).fetchone() == (True,)
        dequeued = conn.execute("SELECT id FROM pgq.dequeue('alpha', 100)").fetchall()
        ready = [row[0] for row in before["queue"] if row[1] == "alpha" and row[7] == "ready"]
        assert [row[0] for row in dequeued] == ready, "the ready messages come out in their old order"
        conn.execute("UPDATE pgq.queue SET visible_at = now() WHERE channel = 'alpha'")
        conn.execute("DELETE FROM pgq.head")  # time forged by hand: the heads start over (docs/sql.md)
        later = [row[0] for row in before["queue"]
                 if row[1] == "alpha" and row[0] != lease_id and row[7] != "ready"]
        again = conn.execute("SELECT id FROM pgq.dequeue('alpha', 100)").fetchall()
        assert [row[0] for row in again] == later


@pytest.fixture
def v16_url(cluster: Cluster) -> Iterator[str]:
    yield from deployed_at(cluster, "pgq_upgrade_v16", "@v1.6")


def test_the_striped_counter_folds_into_one_row_per_channel(v16_url: str) -> None:
    """@v1.6 kept up to 64 stripes of a channel's consumed total; the upgrade adds them into one row per
    channel, and stats() answers the same before, after, after a revert and after a redeploy."""
    totals = "SELECT channel, sum(consumed) FROM pgq.counter GROUP BY channel ORDER BY channel"
    with psycopg.connect(v16_url, autocommit=True) as conn:
        every_state(conn)
        conn.execute("SELECT pgq.maintain()")  # folds the archive into this session's stripe
        conn.execute("INSERT INTO pgq.counter (channel, stripe, consumed)"
                     " SELECT s.channel, (pg_backend_pid() + s.k) % 64, s.n FROM (VALUES ('alpha', 1, 10),"
                     " ('alpha', 2, 7), ('beta', 1, 1), ('history', 1, 100)) AS s(channel, k, n)")
        striped = "SELECT count(*) > count(DISTINCT channel) FROM pgq.counter"
        assert conn.execute(striped).fetchone() == (True,)
        before, folded = contents(conn), conn.execute(totals).fetchall()
    assert ("history", 0, 0, 0, 0, 100, 100) in before["stats"]

    sqitch("deploy", v16_url, quiet=True)
    with psycopg.connect(v16_url, autocommit=True) as conn:
        assert contents(conn) == before
        assert conn.execute("SELECT channel, consumed FROM pgq.counter ORDER BY channel").fetchall() == folded
    for step in (("revert", "-y", "--to", "@v1.6"), ("deploy",)):
        sqitch(step[0], v16_url, *step[1:], quiet=True)
        with psycopg.connect(v16_url, autocommit=True) as conn:
            assert contents(conn) == before, f"after {step}"
            assert conn.execute(totals).fetchall() == folded
