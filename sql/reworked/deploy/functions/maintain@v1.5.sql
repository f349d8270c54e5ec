-- Deploy pgqueue:functions/maintain to pg
-- requires: functions/maintain@v1.4
-- requires: schema/api_grants
--
-- The whole current definition of pgq.maintain, with the rights schema/api_grants
-- (@v1.4) gave it. CREATE OR REPLACE keeps its owner.

BEGIN;

-- The broker's periodic housekeeping, run every minute by pg_cron where it is
-- installed and by the gateway otherwise. It is idempotent and takes its
-- limits from pgq.settings and the keys' own expiry only, so it is safe for
-- any client to call. Returns a JSON object of what it did.
--
-- In order: expired dedup keys go (enqueue_once ignores them already, so
-- running late is harmless); archive rows committed since the last run are
-- folded into pgq.counter, which keeps what pgq.stats() reads of the archive
-- small; the archive is purged in bounded work; and the counters of a channel
-- with nothing queued, archived, dead or configured are deleted, so channels
-- that are gone leave no rows behind (their totals restart from zero if the
-- channel comes back, which Prometheus reads as a counter reset). Every test
-- in that last step is one index probe per counter row.
CREATE OR REPLACE FUNCTION pgq.maintain()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retention interval;
    expired bigint;
    purged bigint;
BEGIN
    SELECT s.archive_retention INTO STRICT retention FROM pgq.settings AS s;
    DELETE FROM pgq.dedup_key AS k WHERE k.expires_at <= clock_timestamp();
    GET DIAGNOSTICS expired = ROW_COUNT;
    PERFORM pgq._tally_consumed();
    purged := pgq.purge_archive(retention);
    DELETE FROM pgq.counter AS c
    WHERE NOT EXISTS (SELECT FROM pgq.queue AS q WHERE q.channel = c.channel)
      AND NOT EXISTS (SELECT FROM pgq.archive AS a WHERE a.channel = c.channel)
      AND NOT EXISTS (SELECT FROM pgq.dead_letter AS d WHERE d.channel = c.channel)
      AND NOT EXISTS (SELECT FROM pgq.channel_settings AS s WHERE s.channel = c.channel);
    RETURN jsonb_build_object('archive_purged', purged, 'dedup_keys_expired', expired);
END
$$;

COMMENT ON FUNCTION pgq.maintain() IS
$$Periodic housekeeping: removes dedup keys whose window has ended, folds consumed totals, purges archived messages
older than pgq.settings.archive_retention (default 7 days; in bounded batches, a backlog over several calls) and
forgets the totals of channels with nothing queued, archived, dead or configured. Idempotent.$$;

REVOKE ALL ON FUNCTION pgq.maintain() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pgq.maintain() FROM pgq_client;
GRANT EXECUTE ON FUNCTION pgq.maintain() TO pgq_admin, pgq_gateway, pgq_maintainer;

COMMIT;
