-- Revert pgqueue:functions/dead_letters from pg

BEGIN;

DROP FUNCTION pgq.redrive(text);
DROP FUNCTION pgq.dead_letters(text, integer, integer);
DROP TYPE pgq.dead_message;

COMMIT;
