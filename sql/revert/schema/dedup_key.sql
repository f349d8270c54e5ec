-- Revert pgqueue:schema/dedup_key from pg

BEGIN;

DROP TABLE pgq.dedup_key;

COMMIT;
