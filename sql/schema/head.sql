-- Deploy pgqueue:schema/head to pg
-- requires: schema/queue_delivery

BEGIN;

-- The head of a channel: where its consumers start looking. Without it, every
-- dequeue and lease walked the primary key (channel, id) from the channel's
-- first entry, stepping over the messages other consumers hold (leased or
-- delayed) and over every index entry of a consumed message that a long-open
-- transaction or snapshot (the horizon) keeps PostgreSQL from removing.
--
-- The invariant (docs/sql.md, "The head of a channel"), for every row q of
-- channel c committed and visible now:
--   q.id >= settled_below, always;
--   q.id >= ready_from, or q.id >= checked_from (the next refresh, at most
--   refresh_interval away, scans from checked_from and finds it), or q is not
--   ready and q.visible_at >= rescan_at (once rescan_at passes, consumers and
--   the next refresh start at settled_below);
-- and no transaction still in progress can commit a row of c below
-- checked_from, except pgq.redrive and pgq.nack, which lower the head first.
--
-- The head is refreshed by pgq._ready_start (dequeue, lease) at most every
-- refresh_interval by whichever consumer finds it stale and can lock the row
-- without waiting (SKIP LOCKED), so the row gains at most a few versions a
-- second however fast the channel is consumed; the low fillfactor keeps those
-- versions on the row's page (HOT) while the horizon keeps them.
--
-- A per-group head (ordered groups) would be a row keyed by (channel, group)
-- with the same columns and the same refresh, its scan restricted to the group.
CREATE TABLE pgq.head (
    channel       text COLLATE "C" PRIMARY KEY,
    ready_from    bigint NOT NULL DEFAULT 0,
    checked_from  bigint NOT NULL DEFAULT 0,
    settled_below bigint NOT NULL DEFAULT 0,
    rescan_at     timestamptz NOT NULL DEFAULT 'infinity',
    refreshed_at  timestamptz NOT NULL DEFAULT '-infinity'
) WITH (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
COMMENT ON TABLE pgq.head IS 'Where the consumers of a channel start looking; kept by pgq._ready_start, see docs/sql.md';
COMMENT ON COLUMN pgq.head.ready_from IS 'Consumers scan the channel from this id while rescan_at is in the future';
COMMENT ON COLUMN pgq.head.checked_from IS 'The next refresh scans from this id: late commits at or above it are found there';
COMMENT ON COLUMN pgq.head.settled_below IS 'No queued row of the channel has a lower id; peek and rescans start here';
COMMENT ON COLUMN pgq.head.rescan_at IS 'The earliest visible_at of the rows stepped over below checked_from';

-- The fence that checked_from may not pass, one for every channel (ids come
-- from one sequence whatever the channel): see pgq._head_fence. Refreshed at most every 250 ms, whatever the
-- number of channels; the low fillfactor keeps its versions on its page.
CREATE TABLE pgq.head_fence (
    singleton       boolean PRIMARY KEY DEFAULT true CONSTRAINT head_fence_one_row CHECK (singleton),
    safe_through    bigint NOT NULL DEFAULT 0,
    pending_id      bigint,
    pending_holders text[],
    refreshed_at    timestamptz NOT NULL DEFAULT '-infinity'
) WITH (fillfactor = 10);
COMMENT ON TABLE pgq.head_fence IS 'Ids up to safe_through are committed or never will be; kept by pgq._head_fence';
COMMENT ON COLUMN pgq.head_fence.pending_id IS 'The sequence''s value at the last refresh: safe once no pending_holders is left';
COMMENT ON COLUMN pgq.head_fence.pending_holders IS 'Transactions (virtual ids) that had drawn ids from pgq.queue_id_seq when pending_id was read';
INSERT INTO pgq.head_fence DEFAULT VALUES;

COMMIT;
