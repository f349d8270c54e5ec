-- Revert pgqueue:functions/purge from pg

BEGIN;

DROP FUNCTION pgq.purge(text);

COMMIT;
