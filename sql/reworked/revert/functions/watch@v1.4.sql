-- Revert pgqueue:functions/watch from pg

BEGIN;

DROP FUNCTION pgq.watch(text, text[], integer);

COMMIT;
