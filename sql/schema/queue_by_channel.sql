-- Deploy pgqueue:schema/queue_by_channel to pg
-- requires: schema/queue_delivery

BEGIN;

-- The queue is keyed by (channel, id), and no index leads with id alone.
-- With an index on id the planner could walk every older message of every
-- other channel in id order looking for this channel's head, and whether it
-- did depended on statistics. Now the only ordered path to "a channel's
-- oldest message" starts inside that channel: finding it is one probe
-- whatever other channels hold. id stays unique: it is drawn from the
-- identity, and the archive and dead letters guard it again.
--
-- The primary key keeps the old (channel, id) index's name, so everything
-- that names queue_channel_id still finds the index it means.
--
-- visible_at, deliveries and receipt are in no index, so lease, nack and
-- extend_lease are heap-only (HOT) updates when the page has room: the
-- fillfactor keeps a fifth of every page free for them. Rows are only
-- inserted at the end and deleted, so the free space costs little.
--
-- The table is locked while the new key is built (about a second per million
-- queued messages; see docs), then every message is where it was: same id,
-- same state, same receipt.
LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE;
ALTER TABLE pgq.queue DROP CONSTRAINT queue_pkey;
DROP INDEX pgq.queue_channel_id;
ALTER TABLE pgq.queue ADD CONSTRAINT queue_channel_id PRIMARY KEY (channel, id);
ALTER TABLE pgq.queue SET (fillfactor = 80);

COMMIT;
