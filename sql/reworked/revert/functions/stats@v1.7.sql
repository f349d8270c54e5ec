-- Revert pgqueue:functions/stats from pg: back to the body of @v1.6, replaced in place so that its owner and
-- grants stay as they are.

BEGIN;

-- Per channel: ready messages (depth), delayed, leased and dead ones, the
-- age of the oldest ready message (how long the head of the line has waited
-- for a consumer; a delayed or leased message waits for no one), and the
-- running totals of messages consumed (the counters, plus the archive rows
-- committed since the last fold, found through archive_consumed_xid) and
-- enqueued (every message ever enqueued is queued, dead or consumed), so a
-- metrics scrape costs one query however many channels there are, and what
-- it reads of the archive follows what was consumed since the last
-- pgq.maintain(), not the archive's size. A channel with only dead letters is
-- listed too, since someone has to notice them, and so is one that is empty
-- now but has consumed messages: its totals must not vanish from a counter
-- that only goes up, until pgq.maintain() forgets a channel that has nothing
-- queued, archived, dead or configured left. Deleting from the pgq tables by
-- hand, rather than through the functions, lowers the enqueued total.
CREATE OR REPLACE FUNCTION pgq.stats()
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
               min(queued.created_at) FILTER (WHERE queued.state = 'ready') AS oldest,
               count(*) FILTER (WHERE queued.state = 'delayed') AS delayed,
               count(*) FILTER (WHERE queued.state = 'leased') AS leased,
               count(*) AS queued
        FROM queued
        GROUP BY queued.channel
    ), dead AS (
        SELECT d.channel, count(*) AS dead
        FROM pgq.dead_letter AS d
        GROUP BY d.channel
    ), consumed AS (
        SELECT c.channel, c.consumed
        FROM pgq.counter AS c
        UNION ALL
        SELECT a.channel, 1
        FROM pgq.archive AS a
        WHERE a.consumed_xid >= (SELECT t.counted_below FROM pgq.tally AS t)
    ), totals AS (
        SELECT consumed.channel, sum(consumed.consumed)::bigint AS consumed
        FROM consumed
        GROUP BY consumed.channel
    )
    SELECT coalesce(p.channel, dead.channel, totals.channel)::text,
           coalesce(p.depth, 0),
           extract(epoch FROM now() - p.oldest)::double precision,
           coalesce(p.delayed, 0),
           coalesce(p.leased, 0),
           coalesce(dead.dead, 0),
           coalesce(p.queued, 0) + coalesce(dead.dead, 0) + coalesce(totals.consumed, 0),
           coalesce(totals.consumed, 0)
    FROM per_channel AS p
    FULL JOIN dead ON dead.channel = p.channel
    FULL JOIN totals ON totals.channel = coalesce(p.channel, dead.channel)
    ORDER BY 1;
$$;

COMMENT ON FUNCTION pgq.stats() IS
$$Per channel with queued messages, dead letters or consumed messages so far: depth (ready messages), oldest_age_seconds
(age of the oldest ready message; null if none is ready), delayed, leased, dead (dead letters), and the running
totals enqueued and consumed (popped or acked).$$;

REVOKE ALL ON FUNCTION pgq.stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.stats() TO pgq_client;

COMMIT;
