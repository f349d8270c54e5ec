-- Revert pgqueue:schema/counter from pg

BEGIN;

DROP FUNCTION pgq._count_consumed(text, bigint);
DROP TABLE pgq.counter;

COMMIT;
