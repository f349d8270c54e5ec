-- Deploy pgqueue:schema/dedup_key to pg
-- requires: schema/pgq

BEGIN;

-- The dedup keys pgq.enqueue_once() has seen, and the id each one produced.
-- A table of their own, not a column of the queue: a key must outlive its
-- message's consumption and any archive purge until the channel's window
-- ends. The primary key is what makes concurrent duplicates safe: the second
-- insert of a key waits for the first transaction and then sees its row.
CREATE TABLE pgq.dedup_key (
    channel    text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    id         bigint NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT dedup_key_pkey PRIMARY KEY (channel, key)
);
COMMENT ON TABLE pgq.dedup_key IS 'Idempotency keys of pgq.enqueue_once; pgq.maintain() removes them once expired';

-- Windows differ per channel, so expiry order is not insertion order: a
-- btree (not BRIN) serves pgq.maintain()'s sweep.
CREATE INDEX dedup_key_expires_at ON pgq.dedup_key (expires_at);

COMMIT;
