-- Deploy pgqueue:functions/maintain to pg
-- requires: functions/maintain@v1.5
-- requires: functions/_tally_consumed
-- requires: functions/_head
--
-- The whole current definition of pgq.maintain: bounded work per call, and the heads of idle channels
-- forgotten. CREATE OR REPLACE keeps its owner; the grants below restate them.

BEGIN;

-- The broker's periodic housekeeping, run every minute by pg_cron where it is
-- installed and by the gateway otherwise. It is idempotent and takes its
-- limits from pgq.settings and the keys' own expiry only, so it is safe for
-- any client to call. Returns a JSON object of what it did.
--
-- Every step does bounded work and saves its progress, so that one call ends
-- well within the gateway role's 5 s statement_timeout whatever piled up
-- (a horizon held while millions of messages were consumed, then released):
-- expired dedup keys go in batches of 10,000 (enqueue_once ignores them
-- already, so running late is harmless); archive rows committed since the
-- last run are folded into pgq.counter in slices, at most 10 of them
-- (pgq._tally_consumed saves its bound after each: 250,000 rows a call, more
-- than a minute of consumption at any rate measured here), which keeps what pgq.stats() reads of the archive
-- small; the archive is purged in batches; each of these three stops starting
-- new batches once its share of the time is used. Then, at most 1,000 rows
-- each, the counters of a channel with nothing queued, archived, dead or
-- configured are deleted, so channels that are gone leave no rows behind
-- (their totals restart from zero if the channel comes back, which
-- Prometheus reads as a counter reset), and so are the heads of channels
-- with nothing queued that no consumer refreshed for an hour (a consumer
-- that comes back starts a new head, at the channel's first id). A queue probe
-- starts at the channel's head (settled_below, the invariant of pgq.head in
-- docs/sql.md), so it does not walk what a held horizon keeps.
CREATE OR REPLACE FUNCTION pgq.maintain()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    batch constant integer := 10000;
    started constant timestamptz := clock_timestamp();
    retention interval;
    expired bigint := 0;
    deleted bigint;
    folded bigint := 0;
    slice bigint;
    slices integer := 0;
    purged bigint;
BEGIN
    SELECT s.archive_retention INTO STRICT retention FROM pgq.settings AS s;
    LOOP
        DELETE FROM pgq.dedup_key AS k
        WHERE k.ctid = ANY (ARRAY(
            SELECT e.ctid FROM pgq.dedup_key AS e
            WHERE e.expires_at <= clock_timestamp()
            ORDER BY e.expires_at
            LIMIT batch));
        GET DIAGNOSTICS deleted = ROW_COUNT;
        expired := expired + deleted;
        EXIT WHEN deleted < batch OR clock_timestamp() >= started + interval '1 second';
    END LOOP;
    LOOP
        slice := pgq._tally_consumed();
        folded := folded + slice;
        slices := slices + 1;
        EXIT WHEN slice = 0 OR slices = 10 OR clock_timestamp() >= started + interval '2 seconds';
    END LOOP;
    purged := pgq.purge_archive(retention);
    DELETE FROM pgq.counter AS c
    WHERE c.ctid = ANY (ARRAY(
        SELECT g.ctid FROM pgq.counter AS g
        WHERE NOT EXISTS (SELECT FROM pgq.queue AS q
                          WHERE q.channel = g.channel
                            AND q.id >= coalesce((SELECT h.settled_below FROM pgq.head AS h
                                                  WHERE h.channel = g.channel), 0))
          AND NOT EXISTS (SELECT FROM pgq.archive AS a WHERE a.channel = g.channel)
          AND NOT EXISTS (SELECT FROM pgq.dead_letter AS d WHERE d.channel = g.channel)
          AND NOT EXISTS (SELECT FROM pgq.channel_settings AS s WHERE s.channel = g.channel)
        LIMIT 1000));
    DELETE FROM pgq.head AS h
    WHERE h.ctid = ANY (ARRAY(
        SELECT g.ctid FROM pgq.head AS g
        WHERE g.refreshed_at < clock_timestamp() - interval '1 hour'
          AND NOT EXISTS (SELECT FROM pgq.queue AS q WHERE q.channel = g.channel AND q.id >= g.settled_below)
        LIMIT 1000));
    RETURN jsonb_build_object('archive_purged', purged, 'dedup_keys_expired', expired, 'consumed_folded', folded);
END
$$;

COMMENT ON FUNCTION pgq.maintain() IS
$$Periodic housekeeping, bounded per call (a backlog is worked off over several calls): removes dedup keys whose
window has ended, folds consumed totals, purges archived messages older than pgq.settings.archive_retention
(default 7 days), forgets the totals of channels with nothing queued, archived, dead or configured, and the heads
of channels with nothing queued that no consumer used for an hour. Idempotent.$$;

REVOKE ALL ON FUNCTION pgq.maintain() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pgq.maintain() FROM pgq_client;
GRANT EXECUTE ON FUNCTION pgq.maintain() TO pgq_admin, pgq_gateway, pgq_maintainer;

COMMIT;
