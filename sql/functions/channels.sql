-- Deploy pgqueue:functions/channels to pg
-- requires: schema/queue

BEGIN;

-- The channels that have queued messages, sorted. A plain DISTINCT would read
-- every queued row; this recursive query hops from one channel to the next
-- along the (channel, id) index instead (a "loose index scan"), so its cost
-- grows with the number of channels, not of messages.
CREATE FUNCTION pgq.channels()
RETURNS TABLE (channel text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE found AS (
        (SELECT q.channel FROM pgq.queue AS q ORDER BY q.channel LIMIT 1)
        UNION ALL
        SELECT (SELECT q.channel FROM pgq.queue AS q WHERE q.channel > found.channel ORDER BY q.channel LIMIT 1)
        FROM found
        WHERE found.channel IS NOT NULL
    )
    SELECT found.channel::text FROM found WHERE found.channel IS NOT NULL;
$$;

COMMENT ON FUNCTION pgq.channels() IS
$$The channels that have queued messages, sorted by name.$$;

REVOKE ALL ON FUNCTION pgq.channels() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.channels() TO pgq_client;

COMMIT;
