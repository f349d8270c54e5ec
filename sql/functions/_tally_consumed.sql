-- Deploy pgqueue:functions/_tally_consumed to pg
-- requires: functions/_tally_consumed@v1.7
-- requires: schema/tally_pending
--
-- The whole current definition of pgq._tally_consumed: the bound goes up to a snapshot's xmax, and the
-- transactions still in progress in it wait in pgq.tally's pending until they end. CREATE OR REPLACE
-- keeps its owner.

BEGIN;

-- Fold one slice of the archive rows of ended transactions into pgq.counter,
-- per channel, and move pgq.tally's bound up to the end of that slice, at
-- most to the current snapshot's xmax. Every transaction below that xmax has
-- ended, except those the snapshot lists as in progress and this one: their
-- ids go to pending, which pgq.stats() counts from the archive like the rows
-- above the bound, and a later fold folds the rows of each once it has ended
-- (committed rows counted; an aborted one's are simply gone). So a
-- transaction that holds the horizon back holds neither the bound nor
-- pgq.stats()'s cost back, and every archive row is counted exactly once,
-- however late its transaction commits: a row is final when it is folded,
-- and the rows of a transaction in progress are never counted in the same
-- fold that saw it in progress, since later statements may see it committed.
-- Transaction ids are top-level ones (consumed_xid is pg_current_xact_id(),
-- and a snapshot lists no subtransaction), so a consumer's savepoints change
-- nothing. pending holds at most one id per transaction in progress.
--
-- A slice is at most slice_rows rows, cut at a transaction id, so that a
-- pile-up (millions consumed in a short time) is worked off over several
-- calls, each saving its progress in the bound; only the rows of one
-- transaction are never split. pgq.maintain() calls it until it returns 0 or
-- its time is up. The row lock on pgq.tally lets one fold (or purge) run at a
-- time: a second waits, then starts from the bound the first left. Returns
-- how many rows were folded.
--
-- After a logical restore into another cluster (pg_dump, then a restore),
-- transaction ids start again below the bound the dump carried, so every new
-- archive row would look folded already. The fold notices a bound above the
-- current snapshot's xmax: it folds the restored rows that were not folded
-- yet (at or above the bound, or of a pending id), marks every restored row
-- folded (consumed_xid '0', one statement over the rows at or above the new
-- bound, once), and restarts the bound at the current xmin with nothing
-- pending. Messages consumed between the restore and that fold are not
-- counted (docs/operations.md).
CREATE OR REPLACE FUNCTION pgq._tally_consumed()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    slice_rows constant integer := 25000;
    since xid8;
    still_pending xid8[];
    snapshot pg_snapshot;
    own xid8;
    ended xid8[];
    running xid8[];
    upto xid8;
    cut xid8;
    folded bigint := 0;
    fold_channel text;
    fold_count bigint;
BEGIN
    SELECT t.counted_below, t.pending INTO STRICT since, still_pending FROM pgq.tally AS t FOR UPDATE;
    -- A statement of its own, so a snapshot taken after the lock: no fold or
    -- purge can be in between. The lock gave this transaction its id.
    SELECT pg_current_snapshot(), pg_current_xact_id_if_assigned() INTO snapshot, own;
    IF since > pg_snapshot_xmax(snapshot) THEN
        FOR fold_channel, fold_count IN
            SELECT a.channel, count(*) FROM pgq.archive AS a
            WHERE a.consumed_xid >= since OR a.consumed_xid = ANY (still_pending)
            GROUP BY a.channel
        LOOP
            PERFORM pgq._count_consumed(fold_channel, fold_count);
            folded := folded + fold_count;
        END LOOP;
        since := pg_snapshot_xmin(pg_current_snapshot());
        UPDATE pgq.archive AS a SET consumed_xid = '0' WHERE a.consumed_xid >= since;
        UPDATE pgq.tally SET counted_below = since, pending = '{}';
        RETURN folded;
    END IF;

    -- The pending transactions that have ended since the last fold.
    SELECT coalesce(array_agg(p.x) FILTER (WHERE p.ended), '{}'), coalesce(array_agg(p.x) FILTER (WHERE NOT p.ended), '{}')
    INTO ended, still_pending
    FROM (SELECT u.x, pg_visible_in_snapshot(u.x, snapshot) AND u.x IS DISTINCT FROM own AS ended
          FROM unnest(still_pending) AS u(x)) AS p;
    IF cardinality(ended) > 0 THEN
        FOR fold_channel, fold_count IN
            SELECT a.channel, count(*) FROM pgq.archive AS a WHERE a.consumed_xid = ANY (ended) GROUP BY a.channel
        LOOP
            PERFORM pgq._count_consumed(fold_channel, fold_count);
            folded := folded + fold_count;
        END LOOP;
    END IF;

    -- The slice: rows at or above the bound, below the snapshot's xmax, of
    -- transactions that had ended when it was taken.
    upto := greatest(pg_snapshot_xmax(snapshot), since);
    SELECT coalesce(array_agg(r.x), '{}') INTO running
    FROM (SELECT pg_snapshot_xip(snapshot) UNION SELECT own) AS r(x)
    WHERE r.x >= since AND r.x < upto;
    SELECT a.consumed_xid INTO cut
    FROM pgq.archive AS a
    WHERE a.consumed_xid >= since AND a.consumed_xid < upto AND a.consumed_xid <> ALL (running)
    ORDER BY a.consumed_xid
    OFFSET slice_rows LIMIT 1;
    IF cut IS NOT NULL THEN
        -- The first slice_rows rows end below cut, unless they all belong to
        -- cut's transaction: one transaction bigger than a slice is folded whole.
        upto := CASE WHEN cut = (SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                 WHERE a.consumed_xid >= since AND a.consumed_xid < upto
                                   AND a.consumed_xid <> ALL (running))
                     THEN coalesce((SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                    WHERE a.consumed_xid > cut AND a.consumed_xid < upto
                                      AND a.consumed_xid <> ALL (running)), upto)
                     ELSE cut END;
    END IF;
    FOR fold_channel, fold_count IN
        SELECT a.channel, count(*)
        FROM pgq.archive AS a
        WHERE a.consumed_xid >= since AND a.consumed_xid < upto AND a.consumed_xid <> ALL (running)
        GROUP BY a.channel
    LOOP
        PERFORM pgq._count_consumed(fold_channel, fold_count);
        folded := folded + fold_count;
    END LOOP;
    UPDATE pgq.tally
    SET counted_below = upto,
        pending = still_pending || ARRAY(SELECT r.x FROM unnest(running) AS r(x) WHERE r.x < upto ORDER BY r.x);
    RETURN folded;
END
$$;

REVOKE ALL ON FUNCTION pgq._tally_consumed() FROM PUBLIC;

COMMIT;
