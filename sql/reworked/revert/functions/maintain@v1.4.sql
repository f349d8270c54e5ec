-- Revert pgqueue:functions/maintain from pg: back to the maintain of @v1.2

BEGIN;

DROP FUNCTION pgq.maintain();

-- The broker's periodic housekeeping, run every minute by pg_cron where it is
-- installed and by the gateway otherwise. It is idempotent and takes its
-- limits from pgq.settings and the keys' own expiry only, so it is safe for
-- any client to call. Returns a JSON object of what it did.
--
-- An expired key is already ignored by enqueue_once; removing it only keeps
-- the table small, so running late is harmless.
CREATE FUNCTION pgq.maintain()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retention interval;
    expired bigint;
BEGIN
    SELECT s.archive_retention INTO STRICT retention FROM pgq.settings AS s;
    DELETE FROM pgq.dedup_key AS k WHERE k.expires_at <= clock_timestamp();
    GET DIAGNOSTICS expired = ROW_COUNT;
    RETURN jsonb_build_object('archive_purged', pgq.purge_archive(retention), 'dedup_keys_expired', expired);
END
$$;

COMMENT ON FUNCTION pgq.maintain() IS
$$Periodic housekeeping: purges archived messages older than pgq.settings.archive_retention (default 7 days)
and removes dedup keys whose window has ended. Idempotent.$$;

REVOKE ALL ON FUNCTION pgq.maintain() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.maintain() TO pgq_client;

COMMIT;
