-- Deploy pgqueue:schema/group_head to pg
-- requires: schema/message_group

BEGIN;

-- Where the consumers of a channel start looking for a ready group
-- (docs/sql.md, "Ordered groups"). Each ack or dequeue of a grouped message
-- moves its group's first_id, an indexed column: the update cannot be
-- heap-only, and the old index entry of message_group_first stays while a
-- transaction holds the horizon back. Those entries lie below the groups
-- still queued (a group only moves forward); scanning message_group_first
-- from ready_from, not from the channel's first entry, steps over none of them.
--
-- The invariant, for every group row g of channel c committed and visible now:
--   g.first_id >= ready_from, or g is not ready and g.ready_at >= rescan_at
--   (once rescan_at passes, consumers and the next refresh scan the channel's
--   groups from the start);
-- and ready_from never passes an id a transaction in progress may still
-- commit (pgq._head_fence), so a new group is at or above it. A group that
-- becomes ready below ready_from (moved on by an ack or a dequeue, nacked,
-- redriven) lowers it first (trigger message_group_lower).
--
-- Refreshed by pgq._groups_start at most every 250 ms per channel, by
-- whichever consumer finds the row stale and can lock it without waiting.
CREATE TABLE pgq.group_head (
    channel      text COLLATE "C" PRIMARY KEY,
    ready_from   bigint NOT NULL DEFAULT 0,
    rescan_at    timestamptz NOT NULL DEFAULT 'infinity',
    refreshed_at timestamptz NOT NULL DEFAULT '-infinity'
) WITH (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
COMMENT ON TABLE pgq.group_head IS 'Where the consumers of a channel start looking for a ready group; kept by pgq._groups_start, see docs/sql.md';
COMMENT ON COLUMN pgq.group_head.ready_from IS 'Consumers choose groups from this first_id while rescan_at is in the future';
COMMENT ON COLUMN pgq.group_head.rescan_at IS 'The earliest ready_at of the groups stepped over below ready_from';

COMMIT;
