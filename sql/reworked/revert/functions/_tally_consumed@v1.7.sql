-- Revert pgqueue:functions/_tally_consumed from pg: back to the definition of @v1.5, replaced in place so that
-- its owner and grants stay as they are.

BEGIN;

-- Fold the archive rows committed since the last fold into pgq.counter, per
-- channel, and move pgq.tally's bound up to the current snapshot's xmin:
-- every transaction below it has ended, so the rows folded are final and no
-- late commit is ever missed or counted twice. Runs from pgq.maintain(); the
-- cost follows what was consumed since the last fold. The row lock on
-- pgq.tally lets one fold (or purge) run at a time: a second waits, then
-- starts from the bound the first left. Returns how many rows were folded.
CREATE OR REPLACE FUNCTION pgq._tally_consumed()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    since xid8;
    upto xid8;
    folded bigint := 0;
    fold_channel text;
    fold_count bigint;
BEGIN
    SELECT t.counted_below INTO STRICT since FROM pgq.tally AS t FOR UPDATE;
    -- A statement of its own, so a snapshot taken after the lock: no fold or
    -- purge can be in between, and the bound never moves back.
    SELECT greatest(pg_snapshot_xmin(pg_current_snapshot()), since) INTO upto;
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
