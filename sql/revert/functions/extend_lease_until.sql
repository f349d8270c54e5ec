-- Revert pgqueue:functions/extend_lease_until from pg

BEGIN;

DROP FUNCTION pgq.extend_lease_until(text, bigint, uuid, integer);

COMMIT;
