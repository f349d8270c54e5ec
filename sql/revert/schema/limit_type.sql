-- Revert pgqueue:schema/limit_type from pg

BEGIN;

DROP TYPE pgq.api_limit;

COMMIT;
