-- Revert pgqueue:functions/lease from pg

BEGIN;

DROP FUNCTION pgq.lease(text, integer, integer);
DROP TYPE pgq.leased_message;

COMMIT;
