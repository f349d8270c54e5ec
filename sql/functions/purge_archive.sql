-- Deploy pgqueue:functions/purge_archive to pg
-- requires: functions/purge_archive@v1.7
-- requires: schema/tally_pending
--
-- The whole current definition of pgq.purge_archive: a deleted row of a transaction pending in pgq.tally
-- is counted too. CREATE OR REPLACE keeps its owner; the grants below restate them.

BEGIN;

-- Delete archived messages consumed longer ago than older_than. An
-- administrator's function: granted to pgq_admin, not to pgq_client, so no
-- anonymous client can empty the archive; it runs as its owner, like the rest
-- of the API, because pgq_admin holds no table privilege.
--
-- Work is bounded: batches of 10,000 rows, oldest first along the btree on
-- consumed_at, each batch starting where the last ended (so none re-reads the
-- index entries its predecessors deleted), and no new batch once a second has
-- passed. A backlog of expired rows is worked off by successive calls
-- (maintain() runs every minute) instead of one statement that a
-- statement_timeout cancels every time. Each call costs in proportion to what
-- it deletes.
--
-- A deleted row not folded into pgq.counter yet (consumed_xid at or above
-- pgq.tally's bound, or one of its pending transactions') is counted there
-- now, so no consumed total goes down; the fold that later finds a pending
-- transaction ended counts only the rows left.
-- The row lock on pgq.tally keeps a concurrent fold from counting the rows
-- this call deletes.
CREATE OR REPLACE FUNCTION pgq.purge_archive(older_than interval)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    batch constant integer := 10000;
    budget_ends constant timestamptz := clock_timestamp() + interval '1 second';
    cutoff timestamptz;
    counted_below xid8;
    pending xid8[];
    reached timestamptz := '-infinity';
    deleted bigint;
    removed bigint := 0;
    uncounted text[];
BEGIN
    PERFORM pgq._check_not_null('older_than', purge_archive.older_than);
    IF purge_archive.older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative, got %', purge_archive.older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - purge_archive.older_than;
    SELECT t.counted_below, t.pending INTO STRICT counted_below, pending FROM pgq.tally AS t FOR UPDATE;
    LOOP
        WITH gone AS (
            DELETE FROM pgq.archive AS a
            WHERE a.ctid = ANY (ARRAY(
                SELECT b.ctid
                FROM pgq.archive AS b
                WHERE b.consumed_at >= reached AND b.consumed_at < cutoff
                ORDER BY b.consumed_at
                LIMIT batch))
            RETURNING a.channel, a.consumed_at,
                      a.consumed_xid >= counted_below OR a.consumed_xid = ANY (pending) AS not_folded
        )
        SELECT count(*), coalesce(max(g.consumed_at), reached), array_agg(g.channel) FILTER (WHERE g.not_folded)
        INTO deleted, reached, uncounted
        FROM gone AS g;
        PERFORM pgq._count_consumed(u.channel, count(*))
        FROM unnest(uncounted) AS u(channel)
        GROUP BY u.channel;
        removed := removed + deleted;
        EXIT WHEN deleted < batch OR clock_timestamp() >= budget_ends;
    END LOOP;
    RETURN removed;
END
$$;

COMMENT ON FUNCTION pgq.purge_archive(interval) IS
$$Delete archived messages consumed more than older_than ago, oldest first, in batches for at most about a second;
returns how many were removed (call again to continue a larger backlog).$$;

REVOKE ALL ON FUNCTION pgq.purge_archive(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.purge_archive(interval) TO pgq_admin;

COMMIT;
