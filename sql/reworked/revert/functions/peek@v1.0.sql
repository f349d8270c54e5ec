-- Revert pgqueue:functions/peek from pg

BEGIN;

DROP FUNCTION pgq.peek(text, integer, integer);

COMMIT;
