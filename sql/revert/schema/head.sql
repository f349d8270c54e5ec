-- Revert pgqueue:schema/head from pg

BEGIN;

DROP TABLE pgq.head;

COMMIT;
