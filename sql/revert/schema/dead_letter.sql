-- Revert pgqueue:schema/dead_letter from pg

BEGIN;

DROP TABLE pgq.dead_letter;

COMMIT;
