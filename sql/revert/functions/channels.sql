-- Revert pgqueue:functions/channels from pg

BEGIN;

DROP FUNCTION pgq.channels();

COMMIT;
