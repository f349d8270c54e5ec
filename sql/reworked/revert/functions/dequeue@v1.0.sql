-- Revert pgqueue:functions/dequeue from pg

BEGIN;

DROP FUNCTION pgq.dequeue(text, integer);

COMMIT;
