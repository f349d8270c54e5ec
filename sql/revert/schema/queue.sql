-- Revert pgqueue:schema/queue from pg

BEGIN;

DROP TABLE pgq.queue;

COMMIT;
