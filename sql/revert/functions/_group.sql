-- Revert pgqueue:functions/_group from pg: back to the definition of @v1.7 (consumers choose groups from
-- the channel's first group), replaced in place so that owners and grants stay as they are.

BEGIN;

DROP TRIGGER message_group_lower_new ON pgq.message_group;
DROP TRIGGER message_group_lower ON pgq.message_group;
DROP FUNCTION pgq._group_lowered();

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
CREATE OR REPLACE FUNCTION pgq._ready_groups(channel text, ready_at timestamptz, take integer)
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

DROP FUNCTION pgq._group_visible(text, bigint, timestamptz);
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

REVOKE ALL ON FUNCTION pgq._group_visible(text, text, timestamptz) FROM PUBLIC;

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
CREATE OR REPLACE FUNCTION pgq._group_deleted()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._next_in_group(OLD.channel, OLD.group_key);
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION pgq._next_in_group(text, text) FROM PUBLIC;

DROP FUNCTION pgq._groups_start(text);
DROP FUNCTION pgq._refresh_group_head(pgq.group_head);

COMMIT;
