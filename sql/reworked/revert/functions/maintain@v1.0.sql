-- Revert pgqueue:functions/maintain from pg

BEGIN;

DROP FUNCTION pgq.maintain();

COMMIT;
