"""Consumed totals without a write per call, folded by maintain() in bounded calls; retention work follows
what expires."""

from __future__ import annotations

import psycopg
import pytest

from support.localpg import sqitch
from tests.sql.explain import buffers

Conn = psycopg.Connection[tuple[object, ...]]


def table_writes(conn: Conn) -> dict[str, tuple[int, int, int]]:
    conn.execute("SELECT pg_stat_force_next_flush()")
    rows = conn.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
                        " WHERE schemaname = 'pgq'").fetchall()
    return {str(name): (int(str(ins)), int(str(upd)), int(str(dele))) for name, ins, upd, dele in rows}


def one_value(conn: Conn, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(str(row[0]))


def consumed(conn: Conn) -> dict[str, int]:
    rows = conn.execute("SELECT channel, consumed FROM pgq.stats()").fetchall()
    return {str(channel): int(str(total)) for channel, total in rows}


def test_dequeue_and_ack_write_only_the_queue_and_the_archive(admin: Conn) -> None:
    admin.execute("INSERT INTO pgq.queue (channel, message)"
                  " SELECT c, '{}' FROM generate_series(1, 200) AS g, unnest(ARRAY['a', 'b']) AS c")
    before = table_writes(admin)
    # In this session, whose statistics pg_stat_force_next_flush() sends.
    for turn in range(100):
        admin.execute("SELECT pgq.dequeue(%s)", ["ab"[turn % 2]])
        leased = admin.execute("SELECT id, receipt FROM pgq.lease(%s)", ["ab"[turn % 2]]).fetchone()
        assert leased is not None
        admin.execute("SELECT pgq.ack(%s, %s, %s)", ["ab"[turn % 2], *leased])
    admin.execute("SELECT pgq.dequeue('empty')")
    after = table_writes(admin)
    changed = {name: tuple(a - b for a, b in zip(after[name], before[name], strict=True))
               for name in after if after[name] != before[name]}
    # The heads of the three channels: created once, then refreshed at most every quarter of a second,
    # never once per message.
    head_inserts, head_updates, head_deletes = changed.pop("head")
    assert head_inserts == 3 and head_deletes == 0 and head_updates < 60
    assert changed.pop("head_fence", (0, 0, 0))[1] < 20, "the fence: at most four refreshes a second"
    assert changed == {"queue": (0, 100, 200), "archive": (200, 0, 0)}
    assert consumed(admin) == {"a": 100, "b": 100}


def test_maintain_folds_each_consumed_message_once(admin: Conn) -> None:
    admin.execute("SELECT pgq.enqueue_batch(c, '[{}, {}, {}, {}, {}]') FROM unnest(ARRAY['a', 'b']) AS c")
    admin.execute("SELECT pgq.dequeue('a', 2)")
    admin.execute("SELECT pgq.dequeue('b', 1)")
    assert consumed(admin) == {"a": 2, "b": 1}
    admin.execute("SELECT pgq.maintain()")
    folded = admin.execute("SELECT channel, sum(consumed) FROM pgq.counter GROUP BY 1 ORDER BY 1").fetchall()
    assert folded == [("a", 2), ("b", 1)], "the fold moved the committed archive rows into the counters"
    admin.execute("SELECT pgq.maintain()")
    admin.execute("SELECT pgq.dequeue('a', 3)")
    assert consumed(admin) == {"a": 5, "b": 1}, "folded once, and what came after is counted from the archive"

    admin.execute("SELECT pgq.purge_archive('0')")
    assert consumed(admin) == {"a": 5, "b": 1}, "purging keeps the totals"
    admin.execute("SELECT pgq.dequeue('b', 4)")
    admin.execute("SELECT pgq.maintain()")
    admin.execute("SELECT pgq.purge_archive('0')")
    admin.execute("SELECT pgq.maintain()")
    assert consumed(admin) == {}, "emptied and purged, channels leave nothing behind; their totals restart"
    assert admin.execute("SELECT count(*) FROM pgq.counter").fetchone() == (0,)


def archive(conn: Conn, rows: int, consumed_ago: str) -> None:
    conn.execute("INSERT INTO pgq.archive (id, channel, message, created_at, consumed_at)"
                 " SELECT nextval('pgq.queue_id_seq'), 'c' || g %% 50, '{}', now(), now() - %s::interval"
                 " FROM generate_series(1, %s) AS g", [consumed_ago, rows])


def test_stats_does_not_cost_more_as_the_archive_grows(admin: Conn) -> None:
    archive(admin, 10_000, "1 hour")
    admin.execute("SELECT pgq.maintain()")
    small = [buffers(admin, "SELECT * FROM pgq.stats()") for _ in range(3)]
    archive(admin, 190_000, "1 hour")
    admin.execute("SELECT pgq.maintain()")
    large = [buffers(admin, "SELECT * FROM pgq.stats()") for _ in range(3)]
    assert abs(min(large) - min(small)) <= 2, f"stats: {small} buffers, 10,000 archived; {large}, 200,000"
    assert sum(consumed(admin).values()) == 200_000


def test_purge_costs_what_expires_even_after_earlier_purges(admin: Conn) -> None:
    def purge_cost(kept: int, after_a_purge: bool) -> int:
        """Buffers to purge 100 expired rows that sit before `kept` ones."""
        admin.execute("TRUNCATE pgq.archive")
        if after_a_purge:  # new rows reuse the pages the purge freed (a live tail keeps them in the table)
            archive(admin, 100_000, "30 days")
            archive(admin, 1_000, "1 hour")
            admin.execute("SELECT pgq.purge_archive('7 days')")
            admin.execute("VACUUM pgq.archive")
        archive(admin, kept - 1_000 * after_a_purge, "1 hour")
        admin.execute("SELECT pgq.purge_archive('7 days')")  # plans in this session, purges nothing
        archive(admin, 100, "8 days")
        admin.execute("VACUUM ANALYZE pgq.archive")
        while one_value(admin, "SELECT pgq._tally_consumed()"):  # so that the purge has nothing to count
            pass
        cost = buffers(admin, "SELECT pgq.purge_archive('7 days')")
        assert admin.execute("SELECT count(*) FROM pgq.archive").fetchone() == (kept,)
        return cost

    alone, behind_a_backlog = purge_cost(1_000, after_a_purge=False), purge_cost(100_000, after_a_purge=True)
    # Scattered over reused pages, each expired row may cost a page of its own: 1.5 buffers a row at most.
    assert behind_a_backlog <= alone + 150, (
        f"purging 100 rows: {alone} buffers beside 1,000; {behind_a_backlog} beside 100,000 after a purge"
    )


def test_a_backlog_is_purged_in_batches_that_keep_the_totals(admin: Conn) -> None:
    """25,000 expired rows, many consumed at one moment: batches meet at ties, and count what they delete."""
    admin.execute("INSERT INTO pgq.archive (id, channel, message, created_at, consumed_at)"
                  " SELECT nextval('pgq.queue_id_seq'), 'c' || g % 7, '{}', now(),"
                  " now() - interval '8 days' - (g % 3) * interval '1 second'"
                  " FROM generate_series(1, 25000) AS g")
    totals = consumed(admin)
    purged: list[int] = []
    while not purged or purged[-1]:
        row = admin.execute("SELECT pgq.purge_archive('7 days')").fetchone()
        assert row is not None
        purged.append(int(str(row[0])))
    assert sum(purged) == 25_000
    assert admin.execute("SELECT count(*) FROM pgq.archive").fetchone() == (0,)
    assert consumed(admin) == totals


def test_a_late_commit_is_folded_once(admin: Conn, admin_url: str) -> None:
    """A consumer that archives before a fold and commits after it is neither missed nor counted twice."""
    admin.execute("SELECT pgq.enqueue_batch('a', '[{}, {}, {}]')")
    with psycopg.connect(admin_url) as slow:
        slow.execute("SELECT pgq.dequeue('a')")      # archived, not committed yet
        admin.execute("SELECT pgq.dequeue('a')")     # a later transaction that commits first
        admin.execute("SELECT pgq.maintain()")
        assert consumed(admin) == {"a": 1}
        slow.commit()
    assert consumed(admin) == {"a": 2}
    admin.execute("SELECT pgq.maintain()")
    admin.execute("SELECT pgq.maintain()")
    assert consumed(admin) == {"a": 2}
    assert admin.execute("SELECT sum(consumed) FROM pgq.counter").fetchone() == (2,)


def test_maintain_works_off_a_pile_of_consumed_messages(admin: Conn, gateway_dsn: str) -> None:
    """300,000 messages consumed while a horizon was held, then released (the issue's 2,000,000, scaled down):
    each maintain() call folds at most 10 slices of 25,000, saves its progress, and ends within the gateway
    role's 5 s statement_timeout; the totals are exact after every call."""
    for first in range(0, 300_000, 10_000):  # one transaction id per 10,000, as consumers would leave them
        admin.execute("INSERT INTO pgq.archive (id, channel, message, created_at)"
                      " SELECT g, 'pile', '{}', now() FROM generate_series(%s::bigint, %s::bigint) AS g",
                      [first + 1, first + 10_000])
    assert consumed(admin) == {"pile": 300_000}
    folded: list[int] = []
    with psycopg.connect(gateway_dsn, autocommit=True) as gateway:
        assert gateway.execute("SHOW statement_timeout").fetchone() == ("5s",)
        while not folded or folded[-1]:
            result = gateway.execute("SELECT pgq.maintain()").fetchone()
            assert result is not None
            folded.append(int(result[0]["consumed_folded"]))
            assert consumed(admin) == {"pile": 300_000}
    assert 0 < folded[0] <= 250_000 and folded[-1] == 0 and sum(folded) == 300_000, folded


def test_the_tally_restarts_when_transaction_ids_went_backwards(admin: Conn) -> None:
    """As after a logical restore into another cluster: the dump carried a bound, and archive rows, far ahead
    of this cluster's transaction ids. The fold notices, counts the restored rows it had not counted yet,
    and restarts the bound, so that what is consumed from then on counts exactly once."""
    ahead = one_value(admin, "SELECT pg_current_xact_id()::text::bigint + 1000000")
    admin.execute("INSERT INTO pgq.archive (id, channel, message, created_at, consumed_xid) VALUES"
                  " (-1, 'r', '{}', now(), %s::text::xid8), (-2, 'r', '{}', now(), %s::text::xid8)",
                  [ahead - 10, ahead + 10])  # the first was folded before the dump, the second was not
    admin.execute("SELECT pgq._count_consumed('r', 1)")
    admin.execute("UPDATE pgq.tally SET counted_below = %s::text::xid8", [ahead])
    assert consumed(admin) == {"r": 2}
    admin.execute("SELECT pgq.maintain()")
    assert consumed(admin) == {"r": 2}, "the restored rows count once"
    admin.execute("SELECT pgq.enqueue_batch('r', '[{}, {}]')")
    admin.execute("SELECT pgq.dequeue('r')")
    assert consumed(admin) == {"r": 3}, "a message consumed after the restart counts"
    admin.execute("SELECT pgq.maintain()")
    admin.execute("SELECT pgq.dequeue('r')")
    admin.execute("SELECT pgq.maintain()")
    assert consumed(admin) == {"r": 4}
    bound = admin.execute("SELECT counted_below::text::bigint < %s FROM pgq.tally", [ahead]).fetchone()
    assert bound == (True,), "the bound follows this cluster's transaction ids again"


def enqueue(conn: Conn, channel: str, count: int) -> None:
    conn.execute("SELECT pgq.enqueue_batch(%s, (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, %s)))",
                 [channel, count])


def folded(conn: Conn) -> dict[str, int]:
    rows = conn.execute("SELECT channel, consumed FROM pgq.counter").fetchall()
    return {str(channel): int(str(total)) for channel, total in rows}


def test_stats_costs_what_came_since_the_fold_while_a_horizon_is_held(admin: Conn, admin_url: str) -> None:
    """A transaction holds an xid open while 20,000 messages are consumed: maintain() folds them all the same
    (the bound goes past the holder, which waits as pending), so stats() reads what it read before they were
    consumed, and its totals are exact."""
    enqueue(admin, "held", 10_000)
    enqueue(admin, "held", 10_000)
    with psycopg.connect(admin_url) as holder:
        holder.execute("SELECT pg_current_xact_id()")
        admin.execute("SELECT pgq.maintain()")
        before = [buffers(admin, "SELECT * FROM pgq.stats()") for _ in range(3)]
        for _ in range(200):
            admin.execute("SELECT pgq.dequeue('held', 100)")
        admin.execute("SELECT pgq.maintain()")
        after = [buffers(admin, "SELECT * FROM pgq.stats()") for _ in range(3)]
        assert abs(min(after) - min(before)) <= 5, f"stats: {before} buffers, none consumed; {after}, 20,000"
        assert consumed(admin) == {"held": 20_000}
        assert folded(admin) == {"held": 20_000}
    assert consumed(admin) == {"held": 20_000}


def test_a_consumer_in_progress_during_a_fold_counts_once_if_it_commits(admin: Conn, admin_url: str) -> None:
    """Consumers whose transactions are in progress while maintain() folds past them: the one that commits
    later is counted once (also when the purge deletes its rows before a fold), the one that aborts never,
    and savepoints change nothing: a rolled-back one's message is not consumed."""
    enqueue(admin, "a", 10)
    with psycopg.connect(admin_url) as late, psycopg.connect(admin_url) as aborted:
        late.execute("SELECT pgq.dequeue('a')")
        late.execute("SAVEPOINT s")
        late.execute("SELECT pgq.dequeue('a')")
        late.execute("RELEASE s")
        late.execute("SAVEPOINT t")
        late.execute("SELECT pgq.dequeue('a')")
        late.execute("ROLLBACK TO t")
        aborted.execute("SELECT pgq.dequeue('a', 3)")
        admin.execute("SELECT pgq.dequeue('a')")
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"a": 1}, {"a": 1})
        admin.execute("SELECT pgq.dequeue('a')")
        late.commit()
        aborted.rollback()
        assert consumed(admin) == {"a": 4}
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"a": 4}, {"a": 4})
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"a": 4}, {"a": 4})

        late.execute("SELECT pgq.dequeue('a', 2)")
        admin.execute("SELECT pgq.dequeue('a')")  # ends after the late one began: the fold goes past it
        admin.execute("SELECT pgq.maintain()")
        late.commit()
        admin.execute("SELECT pgq.purge_archive('0')")  # deletes the late rows before any fold counted them
        assert consumed(admin) == {"a": 7}
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"a": 7}, {"a": 7})
    assert admin.execute("SELECT pending FROM pgq.tally").fetchone() == ([],)


def test_the_folder_and_the_holder_count_once_after_they_commit(admin: Conn, admin_url: str) -> None:
    """The transaction that holds the horizon consumes too, before and after a fold, and so does the
    transaction that runs the fold: each message counts once, from its commit on."""
    enqueue(admin, "h", 10)
    with psycopg.connect(admin_url) as holder, psycopg.connect(admin_url) as folder:
        holder.execute("SELECT pg_current_xact_id()")
        holder.execute("SELECT pgq.dequeue('h')")
        folder.execute("SELECT pgq.dequeue('h')")
        admin.execute("SELECT pgq.dequeue('h')")  # ends after the folder's began: below the fold's xmax
        folder.execute("SELECT pgq.maintain()")
        folder.execute("SELECT pgq.dequeue('h')")
        holder.execute("SELECT pgq.dequeue('h', 2)")
        assert consumed(admin) == {"h": 1}
        folder.commit()
        assert consumed(admin) == {"h": 3}
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"h": 3}, {"h": 3})
        holder.commit()
        assert consumed(admin) == {"h": 6}
        admin.execute("SELECT pgq.maintain()")
        assert (consumed(admin), folded(admin)) == ({"h": 6}, {"h": 6})


def test_a_revert_keeps_the_totals_of_the_pending_transactions(admin: Conn, admin_url: str) -> None:
    """Reverting schema/tally_pending folds the pending transactions that have ended; while one is still in
    progress it stops with nothing of its own changed, and the next deploy counts as before."""
    enqueue(admin, "r", 5)
    with psycopg.connect(admin_url) as late:
        late.execute("SELECT pgq.dequeue('r')")
        admin.execute("SELECT pgq.dequeue('r')")  # ends after the late one began: the fold goes past it
        admin.execute("SELECT pgq.maintain()")
        with pytest.raises(SystemExit):
            sqitch("revert", admin_url, "-y", "--to", "@v1.7", quiet=True)
        assert admin.execute("SELECT cardinality(pending) FROM pgq.tally").fetchone() == (1,)
        sqitch("deploy", admin_url, quiet=True)
        late.commit()
    assert consumed(admin) == {"r": 2}
    admin.execute("SELECT pgq.maintain()")
    with psycopg.connect(admin_url) as late:
        late.execute("SELECT pgq.dequeue('r')")
        admin.execute("SELECT pgq.dequeue('r')")
        admin.execute("SELECT pgq.maintain()")
    assert admin.execute("SELECT cardinality(pending) FROM pgq.tally").fetchone() == (1,)
    sqitch("revert", admin_url, "-y", "--to", "@v1.7", quiet=True)
    assert (consumed(admin), folded(admin)) == ({"r": 4}, {"r": 4})
    sqitch("deploy", admin_url, quiet=True)
    admin.execute("SELECT pgq.maintain()")
    assert (consumed(admin), folded(admin)) == ({"r": 4}, {"r": 4})
