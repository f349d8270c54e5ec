-- Revert pgqueue:schema/head from pg

BEGIN;

DROP TABLE pgq.head_fence;
DROP TABLE pgq.head;

COMMIT;
