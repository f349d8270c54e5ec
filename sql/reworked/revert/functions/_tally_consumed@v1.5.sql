-- Revert pgqueue:functions/_tally_consumed from pg

BEGIN;

DROP FUNCTION pgq._tally_consumed();

COMMIT;
