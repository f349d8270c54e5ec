-- Revert pgqueue:functions/enqueue_batch from pg

BEGIN;

DROP FUNCTION pgq.enqueue_batch(text, jsonb);

COMMIT;
