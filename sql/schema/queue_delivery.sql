-- Deploy pgqueue:schema/queue_delivery to pg
-- requires: schema/queue

BEGIN;

-- Delivery state lives on the queued row itself, so that every state change
-- (lease, nack, expiry) keeps the message's id and with it its FIFO place.
--
--   visible_at  when the message may next be delivered: its enqueue time, or
--               later for a delayed enqueue, a nack's delay or a lease's end.
--               One column for all three keeps the ready test a single
--               comparison, visible_at <= now, on the row dequeue already reads.
--   deliveries  how many times lease() has handed it out.
--   receipt     the current lease's receipt; a lease is live while
--               visible_at is still in the future.
--
-- now() is STABLE, so these defaults fill existing rows without a rewrite.
ALTER TABLE pgq.queue
    ADD COLUMN visible_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN deliveries integer NOT NULL DEFAULT 0 CONSTRAINT queue_deliveries_not_negative CHECK (deliveries >= 0),
    ADD COLUMN receipt    uuid;

COMMIT;
