-- Revert pgqueue:functions/dequeue from pg: back to the definition of @v1.6, replaced in place so that
-- its owner and grants stay as they are.

BEGIN;

-- Consume the oldest ready messages of a channel: delete them from the queue
-- and archive them in the same statement, so a message is either still
-- queued or archived, never both and never neither.
--
-- FOR UPDATE SKIP LOCKED lets concurrent consumers pass over the rows another
-- transaction is taking instead of queueing behind its lock: N consumers take
-- N different messages at once, and none ever receives a message twice. The
-- price is that "oldest" means "oldest not being taken right now". An advisory
-- lock per message would add a second lock table and gain nothing here.
--
-- Ready means visible_at has passed. The scan walks the primary key
-- (channel, id) from the id pgq._ready_start gives, near the channel's first
-- ready message, so neither other channels, nor the channel's own leased and
-- delayed messages ahead, nor the index entries of consumed messages that a
-- held horizon keeps cost anything beyond those consumed since the last
-- refresh of the head (a quarter of a second). This relies on the head's
-- invariant (docs/sql.md, "The head of a channel"): every ready message is at
-- or above the id returned, or is found by a refresh that is at most a
-- quarter of a second away. The clock is read once per call, not
-- now(): a consumer inside a long transaction must still see messages
-- enqueued since it began. Nothing but the queue and the archive is written:
-- pgq.stats() counts consumed messages from the archive.
CREATE OR REPLACE FUNCTION pgq.dequeue(channel text, take integer DEFAULT 1)
RETURNS SETOF pgq.message
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ready_at constant timestamptz := clock_timestamp();
    start bigint;
BEGIN
    PERFORM pgq._check_channel(dequeue.channel);
    PERFORM pgq._check_range('take', dequeue.take, 1, pgq._limit('max_take'));
    start := pgq._ready_start(dequeue.channel);
    RETURN QUERY
    WITH next AS (
        SELECT q.id
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id >= start
          AND q.visible_at <= ready_at
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        USING next
        WHERE q.channel = dequeue.channel AND q.id = next.id
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT c.id, c.channel::text, c.message, c.created_at
    FROM consumed AS c
    ORDER BY c.id;
END
$$;

COMMENT ON FUNCTION pgq.dequeue(text, integer) IS
$$Consume the oldest 1-100 (take) ready messages of a channel, oldest first: at-most-once delivery.
Returns no rows when none is ready; delayed and leased messages are left alone.
Consumed messages move to the archive. Concurrent callers never receive the same message.$$;

REVOKE ALL ON FUNCTION pgq.dequeue(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.dequeue(text, integer) TO pgq_client;

COMMIT;
