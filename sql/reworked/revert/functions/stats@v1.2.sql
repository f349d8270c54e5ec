-- Revert pgqueue:functions/stats from pg: back to the stats of @v1.1, without the totals

BEGIN;

DROP FUNCTION pgq.stats();
DROP TYPE pgq.channel_stats;

CREATE TYPE pgq.channel_stats AS (
    channel            text,
    depth              bigint,
    oldest_age_seconds double precision,
    delayed            bigint,
    leased             bigint,
    dead               bigint
);
COMMENT ON TYPE pgq.channel_stats IS 'One channel''s figures as returned by pgq.stats()';

-- Per channel: ready messages (depth), delayed, leased and dead ones, and the
-- age of the oldest queued message, in one pass over each table, so a
-- metrics scrape costs one query however many channels there are. A channel
-- with only dead letters is listed too, since someone has to notice them.
CREATE FUNCTION pgq.stats()
RETURNS SETOF pgq.channel_stats
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH queued AS (
        SELECT q.channel,
               pgq._message_state(q.visible_at, q.receipt, statement_timestamp()) AS state,
               q.created_at
        FROM pgq.queue AS q
    ), per_channel AS (
        SELECT queued.channel,
               count(*) FILTER (WHERE queued.state = 'ready') AS depth,
               min(queued.created_at) AS oldest,
               count(*) FILTER (WHERE queued.state = 'delayed') AS delayed,
               count(*) FILTER (WHERE queued.state = 'leased') AS leased
        FROM queued
        GROUP BY queued.channel
    ), dead AS (
        SELECT d.channel, count(*) AS dead
        FROM pgq.dead_letter AS d
        GROUP BY d.channel
    )
    SELECT coalesce(p.channel, dead.channel)::text,
           coalesce(p.depth, 0),
           extract(epoch FROM now() - p.oldest)::double precision,
           coalesce(p.delayed, 0),
           coalesce(p.leased, 0),
           coalesce(dead.dead, 0)
    FROM per_channel AS p
    FULL JOIN dead ON dead.channel = p.channel
    ORDER BY 1;
$$;

COMMENT ON FUNCTION pgq.stats() IS
$$Per channel with queued messages or dead letters: depth (ready messages), oldest_age_seconds (age of the oldest
queued message, any state; null if none), delayed, leased, and dead (dead letters).$$;

REVOKE ALL ON FUNCTION pgq.stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.stats() TO pgq_client;

COMMIT;
