-- Deploy pgqueue:schema/archive_tally to pg
-- requires: schema/archive
-- requires: schema/counter

BEGIN;

-- Consumed totals without a write per dequeue. A consumed message is its
-- archive row; pgq.counter now holds only what was folded in from the archive
-- in bulk, by pgq.maintain() (rows committed since the last fold) and by
-- purge_archive (rows it deletes before they were folded). pgq.stats() adds
-- the counter and the archive rows not folded yet, so its cost follows what
-- was consumed since the last maintain(), never the size of the archive.
--
-- consumed_xid is the archiving transaction's id. Every transaction below a
-- snapshot's xmin has ended, so "consumed_xid < xmin" is a set of rows that
-- can no longer grow: folding exactly that set, and remembering the bound in
-- pgq.tally, counts every row once, however late its transaction commits.
-- Rows archived before this change get 0: they are in the counters already.
LOCK TABLE pgq.archive IN ACCESS EXCLUSIVE MODE;
LOCK TABLE pgq.counter IN ACCESS EXCLUSIVE MODE;
ALTER TABLE pgq.archive ADD COLUMN consumed_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE pgq.archive ALTER COLUMN consumed_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX archive_consumed_xid ON pgq.archive (consumed_xid);

-- Keyed by (channel, id): still the guard against archiving a message twice,
-- and "has this channel anything archived?" is one probe (maintain() asks it
-- before it forgets an idle channel's totals).
ALTER TABLE pgq.archive DROP CONSTRAINT archive_pkey;
ALTER TABLE pgq.archive ADD CONSTRAINT archive_pkey PRIMARY KEY (channel, id);

-- A btree, not BRIN: purged pages are reused by new rows, which left the
-- BRIN ranges spanning everything after the first purge.
DROP INDEX pgq.archive_consumed_at;
CREATE INDEX archive_consumed_at ON pgq.archive (consumed_at);

-- Where the fold stands: archive rows with consumed_xid below counted_below
-- are in pgq.counter (or were purged after being counted there).
CREATE TABLE pgq.tally (
    singleton     boolean PRIMARY KEY DEFAULT true CONSTRAINT tally_one_row CHECK (singleton),
    counted_below xid8 NOT NULL
);
COMMENT ON TABLE pgq.tally IS 'Archive rows with consumed_xid below counted_below are counted in pgq.counter';
INSERT INTO pgq.tally (counted_below) VALUES ('1');


COMMIT;
