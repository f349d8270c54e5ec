-- Deploy pgqueue:functions/_tally_consumed to pg
-- requires: functions/_tally_consumed@v1.5
--
-- The whole current definition of pgq._tally_consumed: one bounded slice per call, and a restart when
-- transaction ids have gone backwards. CREATE OR REPLACE keeps its owner.

BEGIN;

-- Fold one slice of the archive rows committed since the last fold into
-- pgq.counter, per channel, and move pgq.tally's bound up to the end of that
-- slice, never past the current snapshot's xmin: every transaction below it
-- has ended, so the rows folded are final and no late commit is ever missed
-- or counted twice. A slice is at most slice_rows rows, cut at a transaction
-- id, so that a pile-up (a horizon held while millions were consumed) is
-- worked off over several calls, each saving its progress in the bound;
-- only the rows of one transaction are never split. pgq.maintain() calls it
-- until it returns 0 or its time is up. The row lock on pgq.tally lets one
-- fold (or purge) run at a time: a second waits, then starts from the bound
-- the first left. Returns how many rows were folded.
--
-- After a logical restore into another cluster (pg_dump, then a restore),
-- transaction ids start again below the bound the dump carried, so every new
-- archive row would look folded already. The fold notices a bound above the
-- current snapshot's xmax: it folds the restored rows that were not folded
-- yet, marks every restored row folded (consumed_xid '0', one statement over
-- the rows at or above the new bound, once), and restarts the bound at the
-- current xmin. Messages consumed between the restore and that fold are not
-- counted (docs/operations.md).
CREATE OR REPLACE FUNCTION pgq._tally_consumed()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    slice_rows constant integer := 25000;
    since xid8;
    upto xid8;
    cut xid8;
    folded bigint := 0;
    fold_channel text;
    fold_count bigint;
BEGIN
    SELECT t.counted_below INTO STRICT since FROM pgq.tally AS t FOR UPDATE;
    -- A statement of its own, so a snapshot taken after the lock: no fold or
    -- purge can be in between.
    IF since > pg_snapshot_xmax(pg_current_snapshot()) THEN
        FOR fold_channel, fold_count IN
            SELECT a.channel, count(*) FROM pgq.archive AS a WHERE a.consumed_xid >= since GROUP BY a.channel
        LOOP
            PERFORM pgq._count_consumed(fold_channel, fold_count);
            folded := folded + fold_count;
        END LOOP;
        since := pg_snapshot_xmin(pg_current_snapshot());
        UPDATE pgq.archive AS a SET consumed_xid = '0' WHERE a.consumed_xid >= since;
        UPDATE pgq.tally SET counted_below = since;
        RETURN folded;
    END IF;
    SELECT greatest(pg_snapshot_xmin(pg_current_snapshot()), since) INTO upto;
    SELECT a.consumed_xid INTO cut
    FROM pgq.archive AS a
    WHERE a.consumed_xid >= since AND a.consumed_xid < upto
    ORDER BY a.consumed_xid
    OFFSET slice_rows LIMIT 1;
    IF cut IS NOT NULL THEN
        -- The first slice_rows rows end below cut, unless they all belong to
        -- cut's transaction: one transaction bigger than a slice is folded whole.
        upto := CASE WHEN cut = (SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                 WHERE a.consumed_xid >= since AND a.consumed_xid < upto)
                     THEN coalesce((SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                    WHERE a.consumed_xid > cut AND a.consumed_xid < upto), upto)
                     ELSE cut END;
    END IF;
    FOR fold_channel, fold_count IN
        SELECT a.channel, count(*)
        FROM pgq.archive AS a
        WHERE a.consumed_xid >= since AND a.consumed_xid < upto
        GROUP BY a.channel
    LOOP
        PERFORM pgq._count_consumed(fold_channel, fold_count);
        folded := folded + fold_count;
    END LOOP;
    UPDATE pgq.tally SET counted_below = upto;
    RETURN folded;
END
$$;

REVOKE ALL ON FUNCTION pgq._tally_consumed() FROM PUBLIC;

COMMIT;
