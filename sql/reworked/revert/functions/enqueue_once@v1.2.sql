-- Revert pgqueue:functions/enqueue_once from pg

BEGIN;

DROP FUNCTION pgq.enqueue_once(text, jsonb, text, integer);
DROP TYPE pgq.enqueued;

COMMIT;
