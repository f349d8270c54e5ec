-- Revert pgqueue:functions/purge_archive from pg

BEGIN;

DROP FUNCTION pgq.purge_archive(interval);

COMMIT;
