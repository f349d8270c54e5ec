-- Revert pgqueue:schema/queue_delivery from pg

BEGIN;

ALTER TABLE pgq.queue
    DROP COLUMN receipt,
    DROP COLUMN deliveries,
    DROP COLUMN visible_at;

COMMIT;
