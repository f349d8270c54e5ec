-- Revert pgqueue:schema/pgq from pg

BEGIN;

DROP SCHEMA pgq;

COMMIT;
