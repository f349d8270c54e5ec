-- Revert pgqueue:schema/group_head from pg

BEGIN;

DROP TABLE pgq.group_head;

COMMIT;
