-- Deploy pgqueue:schema/dead_letter to pg
-- requires: schema/queue_delivery

BEGIN;

-- Messages that lease() gave up on after the channel's max_deliveries. They
-- keep their id, so pgq.redrive() can put them back at their old FIFO place
-- and a dedup_key still names them. The primary key is the same guard as the
-- archive's: a message can be in one place only.
CREATE TABLE pgq.dead_letter (
    id         bigint PRIMARY KEY,
    channel    text COLLATE "C" NOT NULL,
    message    jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    deliveries integer NOT NULL,
    reason     text NOT NULL,
    dead_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pgq.dead_letter IS 'Messages delivered max_deliveries times without an ack; see pgq.dead_letters() and pgq.redrive()';

-- dead_letters() lists a channel oldest first, redrive() takes a channel whole.
CREATE INDEX dead_letter_channel_id ON pgq.dead_letter (channel, id);

COMMIT;
