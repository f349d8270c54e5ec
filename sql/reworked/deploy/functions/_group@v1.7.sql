-- Deploy pgqueue:functions/_group to pg
-- requires: schema/message_group
-- requires: functions/limits
-- requires: functions/_validation

BEGIN;

-- group_key is optional (NULL: no group); when given, 1-group_key_length characters.
CREATE FUNCTION pgq._check_group_key(group_key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF _check_group_key.group_key IS NOT NULL THEN
        PERFORM pgq._check_length('group_key', _check_group_key.group_key, 1, pgq._limit('group_key_length'));
    END IF;
END
$$;

-- An enqueue into a group takes the group's row lock before its message
-- draws an id, and keeps it to the end of its transaction: producers of one
-- group draw their ids in the order they commit, so a group is never handed
-- a lower id after a higher one was delivered, and a consumer settling the
-- group's last message either sees the new one or is seen by it (it waits
-- for this lock, then looks again). A new group's row has no first_id until
-- pgq._join_group gives it one, so no consumer takes it in the meantime.
CREATE FUNCTION pgq._lock_group(channel text, group_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO pgq.message_group AS g (channel, group_key)
    VALUES (_lock_group.channel, _lock_group.group_key)
    ON CONFLICT ON CONSTRAINT message_group_pkey DO UPDATE SET first_id = g.first_id;
END
$$;

-- After the enqueue's INSERT: a group created by pgq._lock_group in this
-- transaction starts at its lowest queued id, the first message of the call
-- (every queued message of a new group is this transaction's), ready at its
-- visible_at. An existing group keeps its head: the new messages wait behind it.
CREATE FUNCTION pgq._join_group(channel text, group_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE pgq.message_group AS g
    SET (first_id, ready_at) = (
        SELECT q.id, q.visible_at
        FROM pgq.queue AS q
        WHERE q.channel = g.channel AND q.group_key = g.group_key
        ORDER BY q.id
        LIMIT 1)
    WHERE g.channel = _join_group.channel AND g.group_key = _join_group.group_key AND g.first_id IS NULL;
END
$$;

-- True when channel has no ordered group: no row in pgq.message_group, so,
-- by that table's invariant, no grouped message queued in the snapshot that
-- asks. Called in a statement's WHERE clause with nothing but parameters, it
-- is a one-time test (a gate) that moves no row estimate and so no plan; and
-- as a STABLE function it reads the snapshot of the statement that calls it.
-- PL/pgSQL, not an inlined SQL function, so that the caller's statement does
-- not plan message_group at each of its (custom) plans; and no SET clause,
-- which would cost every call of dequeue and lease a configuration change:
-- it runs with its callers' pinned search_path, and its names are qualified.
-- One probe of message_group_pkey, in its order, so that no statistics turn
-- it into a scan of every channel's groups.
CREATE FUNCTION pgq._ungrouped_channel(channel text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT g.group_key FROM pgq.message_group AS g
            WHERE g.channel = _ungrouped_channel.channel
            ORDER BY g.group_key
            LIMIT 1) IS NULL;
END
$$;

-- The heads of up to take groups of channel that are ready at ready_at (their
-- first message is neither leased nor delayed), oldest first, each group row
-- locked: a caller takes the message at first_id and nothing else of the
-- group, and concurrent callers skip the groups it holds. The scan walks the
-- group rows of the channel in first_id order and steps over the groups
-- whose head is leased or delayed, never over the messages behind them: its
-- cost is the groups in flight, whatever the backlog. Told to walk the index
-- whatever the statistics say, as pgq._refresh_head is. The helpers are
-- PL/pgSQL, not SQL: PostgreSQL 15 plans a SQL function again at every call
-- that cannot inline it, PL/pgSQL once per session.
CREATE FUNCTION pgq._ready_groups(channel text, ready_at timestamptz, take integer)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
BEGIN
    RETURN QUERY
    SELECT g.first_id
    FROM pgq.message_group AS g
    WHERE g.channel = _ready_groups.channel AND g.ready_at <= _ready_groups.ready_at
    ORDER BY g.first_id
    LIMIT _ready_groups.take
    FOR UPDATE SKIP LOCKED;
END
$$;

-- The first message of a group has left the queue (ack, dequeue, dead
-- letter, or an enqueue_once that gave its message back): the group moves
-- on to its next queued message, or its row goes. Locks the group's row
-- first (waiting for an enqueue into the group to commit), then looks in a
-- statement of its own, so it sees what that enqueue committed. One probe of
-- the index queue_group from first_id: neither the rest of the channel nor
-- the group's messages consumed before first_id are walked.
CREATE FUNCTION pgq._next_in_group(channel text, group_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g pgq.message_group;
    next_id bigint;
    next_visible timestamptz;
BEGIN
    SELECT * INTO g FROM pgq.message_group AS m
    WHERE m.channel = _next_in_group.channel AND m.group_key = _next_in_group.group_key
    FOR UPDATE;
    SELECT q.id, q.visible_at INTO next_id, next_visible
    FROM pgq.queue AS q
    WHERE q.channel = _next_in_group.channel AND q.group_key = _next_in_group.group_key
      AND q.id >= coalesce(g.first_id, 0)
    ORDER BY q.id
    LIMIT 1;
    IF next_id IS NULL THEN
        DELETE FROM pgq.message_group AS m
        WHERE m.channel = _next_in_group.channel AND m.group_key = _next_in_group.group_key;
    ELSIF next_id IS DISTINCT FROM g.first_id OR next_visible IS DISTINCT FROM g.ready_at THEN
        UPDATE pgq.message_group AS m SET first_id = next_id, ready_at = next_visible
        WHERE m.channel = _next_in_group.channel AND m.group_key = _next_in_group.group_key;
    END IF;
END
$$;

-- Whatever removes a grouped message from the queue (ack, dequeue, a lease
-- that dead-letters it, an enqueue_once giving its message back, a hand-made
-- DELETE) hands its group on: an AFTER trigger, which runs once the
-- statement's changes are visible, and only for rows with a group_key, so an
-- ungrouped message costs its WHEN test and nothing else.
CREATE FUNCTION pgq._group_deleted()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._next_in_group(OLD.channel, OLD.group_key);
    RETURN NULL;
END
$$;

CREATE TRIGGER queue_group_next AFTER DELETE ON pgq.queue
FOR EACH ROW WHEN (OLD.group_key IS NOT NULL) EXECUTE FUNCTION pgq._group_deleted();

-- The leased message of a group has a new visible_at (lease, nack,
-- extend_lease): so has the group. A group has at most one message leased,
-- so the row follows it.
CREATE FUNCTION pgq._group_visible(channel text, group_key text, visible_at timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE pgq.message_group AS g
    SET ready_at = _group_visible.visible_at
    WHERE g.channel = _group_visible.channel AND g.group_key = _group_visible.group_key;
END
$$;

REVOKE ALL ON FUNCTION
    pgq._check_group_key(text),
    pgq._lock_group(text, text),
    pgq._join_group(text, text),
    pgq._ungrouped_channel(text),
    pgq._ready_groups(text, timestamptz, integer),
    pgq._next_in_group(text, text),
    pgq._group_deleted(),
    pgq._group_visible(text, text, timestamptz)
FROM PUBLIC;

COMMIT;
