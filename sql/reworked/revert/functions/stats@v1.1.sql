-- Revert pgqueue:functions/stats from pg: back to the stats of @v1.0

BEGIN;

DROP FUNCTION pgq.stats();
DROP TYPE pgq.channel_stats;

CREATE TYPE pgq.channel_stats AS (
    channel            text,
    depth              bigint,
    oldest_age_seconds double precision
);
COMMENT ON TYPE pgq.channel_stats IS 'One channel''s figures as returned by pgq.stats()';

-- Per-channel depth and age of the oldest message, in one aggregate pass, so
-- a metrics scrape costs one query however many channels there are.
CREATE FUNCTION pgq.stats()
RETURNS SETOF pgq.channel_stats
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT q.channel::text,
           count(*),
           extract(epoch FROM now() - min(q.created_at))::double precision
    FROM pgq.queue AS q
    GROUP BY q.channel
    ORDER BY q.channel;
$$;

COMMENT ON FUNCTION pgq.stats() IS
$$Per channel with queued messages: depth (messages waiting) and oldest_age_seconds (age of the oldest one).$$;

REVOKE ALL ON FUNCTION pgq.stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.stats() TO pgq_client;

COMMIT;
