-- Deploy pgqueue:functions/purge_archive to pg
-- requires: functions/purge_archive@v1.2
-- requires: schema/archive_tally
--
-- Rework: deletes in bounded batches within a time budget, and counts the
-- rows it deletes before maintain() has folded them.

BEGIN;

DROP FUNCTION pgq.purge_archive(interval);

-- Delete archived messages consumed longer ago than older_than. An
-- administrator's function: not granted to pgq_client, so nobody can empty
-- the archive over HTTP.
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
-- pgq.tally's bound) is counted there now, so no consumed total goes down.
-- The row lock on pgq.tally keeps a concurrent fold from counting the rows
-- this call deletes.
CREATE FUNCTION pgq.purge_archive(older_than interval)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    batch constant integer := 10000;
    budget_ends constant timestamptz := clock_timestamp() + interval '1 second';
    cutoff timestamptz;
    counted_below xid8;
    reached timestamptz := '-infinity';
    deleted bigint;
    removed bigint := 0;
    uncounted text[];
BEGIN
    IF older_than IS NULL THEN
        RAISE EXCEPTION 'older_than must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative, got %', older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - older_than;
    SELECT t.counted_below INTO STRICT counted_below FROM pgq.tally AS t FOR UPDATE;
    LOOP
        WITH gone AS (
            DELETE FROM pgq.archive AS a
            WHERE a.ctid = ANY (ARRAY(
                SELECT b.ctid
                FROM pgq.archive AS b
                WHERE b.consumed_at >= reached AND b.consumed_at < cutoff
                ORDER BY b.consumed_at
                LIMIT batch))
            RETURNING a.channel, a.consumed_at, a.consumed_xid >= counted_below AS not_folded
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

COMMIT;
