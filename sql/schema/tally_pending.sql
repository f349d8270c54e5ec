-- Deploy pgqueue:schema/tally_pending to pg
-- requires: schema/archive_tally

BEGIN;

-- The fold (pgq._tally_consumed) moves pgq.tally's bound up to a snapshot's
-- xmax, no longer its xmin, so that a transaction holding the horizon back
-- does not hold the bound back too (pgq.stats() would read every archive row
-- consumed since the hold began). The transactions still in progress in that
-- snapshot are below the bound but not folded: their ids are kept in
-- pending, counted by pgq.stats() from the archive, and folded by a later
-- fold once they have ended. At most one id per transaction in progress, so
-- the array stays as small as the number of sessions.
--
-- Empty for a bound the previous fold left at a snapshot's xmin: every
-- transaction below it has ended. The EXCLUSIVE lock waits for a running fold
-- or purge and keeps the next out until this commits.
LOCK TABLE pgq.tally IN EXCLUSIVE MODE;
ALTER TABLE pgq.tally ADD COLUMN pending xid8[] NOT NULL DEFAULT '{}';
COMMENT ON TABLE pgq.tally IS
    'Archive rows with consumed_xid below counted_below and not in pending are counted in pgq.counter';
COMMENT ON COLUMN pgq.tally.pending IS
    'Transactions below counted_below that were in progress at the last fold: counted from the archive until folded';

COMMIT;
