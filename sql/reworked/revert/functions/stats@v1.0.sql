-- Revert pgqueue:functions/stats from pg

BEGIN;

DROP FUNCTION pgq.stats();
DROP TYPE pgq.channel_stats;

COMMIT;
