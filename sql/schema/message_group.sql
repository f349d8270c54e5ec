-- Deploy pgqueue:schema/message_group to pg
-- requires: schema/queue_delivery
-- requires: schema/dead_letter
-- requires: schema/leased_message_type
-- requires: schema/queued_message_type
-- requires: schema/dead_message_type

BEGIN;

-- Ordered groups: messages of a channel with the same group_key are delivered
-- one at a time, in id order (docs/sql.md, "Ordered groups"). NULL is no group.
ALTER TABLE pgq.queue ADD COLUMN group_key text COLLATE "C";
ALTER TABLE pgq.dead_letter ADD COLUMN group_key text COLLATE "C";

-- The next message of a group once its first one is settled: one probe from
-- the group's first_id, so neither the rest of the channel nor the group's
-- own consumed messages before first_id are walked. Ungrouped messages are
-- not in this index and pay nothing for it.
CREATE INDEX queue_group ON pgq.queue (channel, group_key, id) WHERE group_key IS NOT NULL;

-- One row per group with queued messages: its first queued id (its head,
-- the only message of the group that lease or dequeue may take) and when
-- that message is ready (ready_at: when its delay or lease ends, or when it
-- was queued). Consumers choose groups here, in first_id order, and lock the
-- row with SKIP LOCKED, so two of them never take two messages of one group;
-- the groups whose head is leased or delayed are the only rows they step
-- over, never the messages waiting behind them.
--
-- Invariant, for every group g of channel c with queued messages:
--   first_id is the lowest queued id of g (NULL only inside the transaction
--   of an enqueue that creates the row, which holds its lock);
--   ready_at is the visible_at of the message at first_id;
-- and there is no row for a group without queued messages. Kept by
-- pgq._lock_group and pgq._join_group (enqueue), pgq._next_in_group (ack,
-- dequeue, dead-lettering), lease, nack, extend_lease and redrive, each
-- holding the row's lock while it changes the group.
CREATE TABLE pgq.message_group (
    channel   text COLLATE "C" NOT NULL,
    group_key text COLLATE "C" NOT NULL,
    first_id  bigint,
    ready_at  timestamptz,
    CONSTRAINT message_group_pkey PRIMARY KEY (channel, group_key)
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
COMMENT ON TABLE pgq.message_group IS 'The head of each ordered group: its first queued id and when it is ready; see docs/sql.md';
COMMENT ON COLUMN pgq.message_group.first_id IS 'The lowest queued id of the group: the only one lease and dequeue may take';
COMMENT ON COLUMN pgq.message_group.ready_at IS 'visible_at of the message at first_id: when its lease or delay ends';

CREATE INDEX message_group_first ON pgq.message_group (channel, first_id);

-- A btree index has no root page until its first entry, and until then
-- PostgreSQL reads its metapage again at every planning of a statement on
-- its table: in a database that never had a group, every custom plan of
-- dequeue and lease would read queue_group's, a cost that then depends on
-- whether the plan cache plans per call, which the size of the whole table
-- (other channels) decides. A placeholder entry, removed at once and never
-- visible to anyone, gives queue_group and message_group's indexes their root
-- pages for good: pgq never truncates these tables. Channel '' is not a
-- channel (pgq._valid_channel), and id 0 is never drawn.
INSERT INTO pgq.queue (id, channel, message, group_key) OVERRIDING SYSTEM VALUE VALUES (0, '', '{}', '');
DELETE FROM pgq.queue AS q WHERE q.channel = '' AND q.id = 0;
INSERT INTO pgq.message_group (channel, group_key, first_id) VALUES ('', '', 0);
DELETE FROM pgq.message_group AS g WHERE g.channel = '';

ALTER TYPE pgq.leased_message ADD ATTRIBUTE group_key text;
ALTER TYPE pgq.queued_message ADD ATTRIBUTE group_key text;
ALTER TYPE pgq.dead_message ADD ATTRIBUTE group_key text;

COMMIT;
