-- Revert pgqueue:functions/dead_letters from pg: back to the definition of @v1.6, replaced in place so that
-- its owner and grants stay as they are.

BEGIN;

-- Look at a channel's dead letters, oldest first, paged like peek.
CREATE OR REPLACE FUNCTION pgq.dead_letters(channel text, skip integer DEFAULT 0, take integer DEFAULT 25)
RETURNS SETOF pgq.dead_message
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._check_channel(dead_letters.channel);
    PERFORM pgq._check_range('skip', dead_letters.skip, 0, pgq._limit('max_skip'));
    PERFORM pgq._check_range('take', dead_letters.take, 1, pgq._limit('max_list_take'));
    RETURN QUERY
    SELECT d.id, d.channel::text, d.message, d.created_at, d.deliveries, d.reason, d.dead_at
    FROM pgq.dead_letter AS d
    WHERE d.channel = dead_letters.channel
    ORDER BY d.id
    OFFSET dead_letters.skip
    LIMIT dead_letters.take;
END
$$;

COMMENT ON FUNCTION pgq.dead_letters(text, integer, integer) IS
$$List up to take (1-300) dead letters of a channel, oldest first, after skipping skip (>= 0),
with their delivery count, the reason and when they died.$$;

-- Once the cause is fixed: every dead letter of the channel is ready again,
-- at its own id (so ahead of newer messages) and with a clean delivery count.
-- Moved in one statement, so a message is never in both tables or neither.
-- The ids are old ones, below the channel's head: the head is lowered to the
-- lowest of them in the same transaction, which keeps its invariant
-- (docs/sql.md) and puts them back in front of the consumers.
CREATE OR REPLACE FUNCTION pgq.redrive(channel text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    moved integer;
    lowest bigint;
BEGIN
    PERFORM pgq._check_channel(redrive.channel);
    WITH revived AS (
        DELETE FROM pgq.dead_letter AS d
        WHERE d.channel = redrive.channel
        RETURNING d.id, d.channel, d.message, d.created_at
    ), requeued AS (
        INSERT INTO pgq.queue (id, channel, message, created_at)
        OVERRIDING SYSTEM VALUE
        SELECT r.id, r.channel, r.message, r.created_at FROM revived AS r
        RETURNING queue.id
    )
    SELECT count(*), min(requeued.id) INTO moved, lowest FROM requeued;
    IF lowest IS NOT NULL THEN
        PERFORM pgq._lower_head(redrive.channel, lowest, true);
    END IF;
    RETURN moved;
END
$$;

COMMENT ON FUNCTION pgq.redrive(text) IS
$$Move every dead letter of a channel back to the queue, ready now at its original id with deliveries reset;
returns how many were moved.$$;

REVOKE ALL ON FUNCTION pgq.dead_letters(text, integer, integer), pgq.redrive(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.dead_letters(text, integer, integer) TO pgq_client;
GRANT EXECUTE ON FUNCTION pgq.redrive(text) TO pgq_admin;

COMMIT;
