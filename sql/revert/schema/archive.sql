-- Revert pgqueue:schema/archive from pg

BEGIN;

DROP TABLE pgq.archive;

COMMIT;
