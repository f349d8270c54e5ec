-- Revert pgqueue:functions/settle from pg

BEGIN;

DROP FUNCTION pgq.extend_lease(text, bigint, uuid, integer);
DROP FUNCTION pgq.nack(text, bigint, uuid, integer);
DROP FUNCTION pgq.ack(text, bigint, uuid);
DROP FUNCTION pgq._check_receipt(text, bigint, uuid);

COMMIT;
