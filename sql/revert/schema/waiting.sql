-- Revert pgqueue:schema/waiting from pg

BEGIN;

DROP FUNCTION pgq._wake(text);
DROP TABLE pgq.waiting;

COMMIT;
