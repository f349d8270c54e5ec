-- Revert pgqueue:functions/configure from pg

BEGIN;

DROP FUNCTION pgq.configure(text, integer, interval);

COMMIT;
