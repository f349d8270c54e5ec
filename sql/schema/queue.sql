-- Deploy pgqueue:schema/queue to pg
-- requires: functions/_validation

BEGIN;

-- Messages waiting to be consumed. Rows are only ever inserted and deleted.
CREATE TABLE pgq.queue (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- COLLATE "C": byte order sorts channels the same everywhere, and is cheapest to compare.
    channel    text COLLATE "C" NOT NULL CONSTRAINT queue_channel_valid CHECK (pgq._valid_channel(channel)),
    message    jsonb NOT NULL CONSTRAINT queue_message_is_object CHECK (jsonb_typeof(message) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pgq.queue IS 'Messages waiting in their channel; use the pgq functions, not this table';

-- "Oldest first in a channel": dequeue and peek walk this index in order.
CREATE INDEX queue_channel_id ON pgq.queue (channel, id);

-- Every row is inserted once and deleted once, so dead tuples gather at the
-- head of the index dequeue scans: vacuum after a fixed few thousand changes, unthrottled.
ALTER TABLE pgq.queue SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);

COMMIT;
