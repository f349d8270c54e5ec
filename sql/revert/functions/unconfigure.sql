-- Revert pgqueue:functions/unconfigure from pg

BEGIN;

DROP FUNCTION pgq.unconfigure(text);

COMMIT;
