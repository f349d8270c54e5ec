-- Revert pgqueue:functions/limits from pg

BEGIN;

DROP FUNCTION pgq._limit(text);
DROP FUNCTION pgq.limits();

COMMIT;
