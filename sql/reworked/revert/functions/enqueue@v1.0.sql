-- Revert pgqueue:functions/enqueue from pg

BEGIN;

DROP FUNCTION pgq.enqueue(text, jsonb);

COMMIT;
