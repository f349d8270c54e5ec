CREATE SCHEMA pgq;
COMMENT ON SCHEMA pgq IS 'pgQueue: a FIFO message broker inside PostgreSQL';
CREATE TYPE pgq.api_limit AS (
	name text,
	value bigint
);
COMMENT ON TYPE pgq.api_limit IS 'One bound of the API as returned by pgq.limits()';
CREATE TYPE pgq.channel_config AS (
	channel text,
	max_deliveries integer,
	dedup_window interval
);
COMMENT ON TYPE pgq.channel_config IS 'A channel''s limits as returned by pgq.configure()';
CREATE TYPE pgq.channel_stats AS (
	channel text,
	depth bigint,
	oldest_age_seconds double precision,
	delayed bigint,
	leased bigint,
	dead bigint,
	enqueued bigint,
	consumed bigint
);
COMMENT ON TYPE pgq.channel_stats IS 'One channel''s figures as returned by pgq.stats()';
CREATE TYPE pgq.dead_message AS (
	id bigint,
	channel text,
	message jsonb,
	created_at timestamp with time zone,
	deliveries integer,
	reason text,
	dead_at timestamp with time zone,
	group_key text
);
COMMENT ON TYPE pgq.dead_message IS 'A dead letter as returned by pgq.dead_letters';
CREATE TYPE pgq.enqueued AS (
	id bigint,
	duplicate boolean
);
COMMENT ON TYPE pgq.enqueued IS 'The result of pgq.enqueue_once: the message''s id, and whether the key was seen before';
CREATE TYPE pgq.horizon_state AS (
	held_seconds double precision,
	held_transactions bigint,
	queue_dead_versions bigint
);
COMMENT ON TYPE pgq.horizon_state IS 'What holds the horizon back, as returned by pgq.horizon()';
CREATE TYPE pgq.leased_message AS (
	id bigint,
	channel text,
	message jsonb,
	created_at timestamp with time zone,
	deliveries integer,
	receipt uuid,
	lease_expires_at timestamp with time zone,
	group_key text
);
COMMENT ON TYPE pgq.leased_message IS 'A message leased by pgq.lease, with its delivery count, receipt and lease end';
CREATE TYPE pgq.message AS (
	id bigint,
	channel text,
	message jsonb,
	created_at timestamp with time zone
);
COMMENT ON TYPE pgq.message IS 'A queued message as returned by pgq.dequeue';
CREATE TYPE pgq.queued_message AS (
	id bigint,
	channel text,
	message jsonb,
	created_at timestamp with time zone,
	visible_at timestamp with time zone,
	deliveries integer,
	state text,
	group_key text
);
COMMENT ON TYPE pgq.queued_message IS 'A queued message as returned by pgq.peek: state is ready, delayed or leased; visible_at is when a delay or lease ends';
CREATE FUNCTION pgq._adopt_objects() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    owner oid;
    object record;
BEGIN
    IF current_setting('pgq.adopting', true) = 'on'
       OR NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() AS c WHERE c.schema_name = 'pgq') THEN
        RETURN;
    END IF;
    owner := to_regrole('pgq_owner');
    IF owner IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('pgq.adopting', 'on', true);  -- our own ALTERs fire this trigger again
    FOR object IN
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END AS kind,
               c.oid::regclass::text AS name
        FROM pg_class AS c
        WHERE c.relnamespace = 'pgq'::regnamespace AND c.relowner <> owner
          AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'S')
          AND NOT (c.relkind = 'S' AND EXISTS (  -- an identity or serial sequence follows its table
              SELECT FROM pg_depend AS d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 'TYPE', t.oid::regtype::text
        FROM pg_type AS t
        WHERE t.typnamespace = 'pgq'::regnamespace AND t.typowner <> owner AND t.typtype IN ('d', 'e', 'r')
        UNION ALL
        SELECT 'ROUTINE', p.oid::regprocedure::text
        FROM pg_proc AS p
        WHERE p.pronamespace = 'pgq'::regnamespace AND p.proowner <> owner
          AND p.prorettype <> 'event_trigger'::regtype
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO pgq_owner', object.kind, object.name);
    END LOOP;
    PERFORM set_config('pgq.adopting', '', true);
END
$$;
COMMENT ON FUNCTION pgq._adopt_objects() IS 'Event trigger: hands every table, sequence, type and function in pgq to pgq_owner
(event trigger functions excepted, which must stay a superuser''s). DDL outside pgq,
and any DDL while pgq_owner does not exist, it leaves as it is.';
CREATE FUNCTION pgq._channel_limits(channel text) RETURNS pgq.channel_config
    LANGUAGE sql STABLE
    AS $$
    SELECT _channel_limits.channel,
           coalesce(s.max_deliveries, 5),
           coalesce(s.dedup_window, interval '24 hours')
    FROM (SELECT) AS one
    LEFT JOIN pgq.channel_settings AS s ON s.channel = _channel_limits.channel;
$$;
CREATE FUNCTION pgq._check_channel(channel text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    PERFORM pgq._check_not_null('channel', _check_channel.channel);
    IF NOT pgq._valid_channel(_check_channel.channel) THEN
        RAISE EXCEPTION 'channel must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('got %s characters: %s', length(_check_channel.channel), left(_check_channel.channel, 80));
    END IF;
END
$$;
CREATE FUNCTION pgq._check_group_key(group_key text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF _check_group_key.group_key IS NOT NULL THEN
        PERFORM pgq._check_length('group_key', _check_group_key.group_key, 1, pgq._limit('group_key_length'));
    END IF;
END
$$;
CREATE FUNCTION pgq._check_length(name text, value text, lowest bigint, highest bigint) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    PERFORM pgq._check_not_null(_check_length.name, _check_length.value);
    PERFORM pgq._check_range('length of ' || _check_length.name, length(_check_length.value),
                             _check_length.lowest, _check_length.highest);
END
$$;
CREATE FUNCTION pgq._check_message(message jsonb, name text DEFAULT 'message'::text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    size bigint;
    depth bigint;
BEGIN
    PERFORM pgq._check_not_null(_check_message.name, _check_message.message);
    IF jsonb_typeof(_check_message.message) <> 'object' THEN
        RAISE EXCEPTION '% must be a JSON object, not %', _check_message.name, jsonb_typeof(_check_message.message)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pgq._message_fits(_check_message.message) THEN
        RETURN;
    END IF;
    size := octet_length(_check_message.message::text);
    IF size > pgq._limit('max_message_bytes') THEN
        RAISE EXCEPTION '% must take at most % bytes as JSON text, got %',
            _check_message.name, pgq._limit('max_message_bytes'), size
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    SELECT max(s.level) INTO depth
    FROM (SELECT sum(CASE WHEN b.bracket IN ('{', '[') THEN 1 ELSE -1 END) OVER (ORDER BY b.position) AS level
          FROM regexp_split_to_table(regexp_replace(regexp_replace(_check_message.message::text,
                                                                   '"(?:[^"\\]|\\.)*"', '', 'g'),
                                                    '[^][{}]', '', 'g'), '')
               WITH ORDINALITY AS b(bracket, position)) AS s;
    RAISE EXCEPTION '% must nest at most % levels deep, got %', _check_message.name, pgq._limit('max_message_depth'), depth
        USING ERRCODE = 'program_limit_exceeded';
END
$$;
CREATE FUNCTION pgq._check_not_null(name text, value anyelement) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF _check_not_null.value IS NULL THEN
        RAISE EXCEPTION '% must not be null', _check_not_null.name USING ERRCODE = 'null_value_not_allowed';
    END IF;
END
$$;
CREATE FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF _check_range.value IS NULL THEN  -- inline, not _check_not_null: the hot paths call this one
        RAISE EXCEPTION '% must not be null', _check_range.name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF _check_range.value < _check_range.lowest OR _check_range.value > _check_range.highest THEN
        RAISE EXCEPTION '% must be between % and %, got %',
            _check_range.name, _check_range.lowest, _check_range.highest, _check_range.value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
CREATE FUNCTION pgq._check_receipt(channel text, id bigint, receipt uuid) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    PERFORM pgq._check_channel(_check_receipt.channel);
    PERFORM pgq._check_not_null('id', _check_receipt.id);
    PERFORM pgq._check_not_null('receipt', _check_receipt.receipt);
END
$$;
CREATE FUNCTION pgq._checked_message(message jsonb, name text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    PERFORM pgq._check_message(_checked_message.message, _checked_message.name);
    RETURN _checked_message.message;
END
$$;
CREATE FUNCTION pgq._count_consumed(channel text, consumed bigint) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    INSERT INTO pgq.counter AS c (channel, consumed)
    VALUES (_count_consumed.channel, _count_consumed.consumed)
    ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE SET consumed = c.consumed + excluded.consumed;
$$;
CREATE FUNCTION pgq._group_deleted() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    at tid;
    first bigint;
    ready timestamptz;
    next_id bigint;
    next_visible timestamptz;
BEGIN
    SELECT m.ctid, m.first_id, m.ready_at INTO at, first, ready
    FROM pgq.message_group AS m
    WHERE m.channel = OLD.channel AND m.group_key = OLD.group_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT q.id, q.visible_at INTO next_id, next_visible
    FROM pgq.queue AS q
    WHERE q.channel = OLD.channel AND q.group_key = OLD.group_key AND q.id >= coalesce(first, 0)
    ORDER BY q.id
    LIMIT 1;
    IF next_id IS NULL THEN
        DELETE FROM pgq.message_group AS m WHERE m.ctid = at;
    ELSIF next_id IS DISTINCT FROM first OR next_visible IS DISTINCT FROM ready THEN
        UPDATE pgq.message_group AS m SET first_id = next_id, ready_at = next_visible WHERE m.ctid = at;
        PERFORM pg_advisory_xact_lock_shared('pgq.group_head'::regclass::oid::integer, hashtext(OLD.channel));
        UPDATE pgq.group_head AS h SET ready_from = next_id
        WHERE h.channel = OLD.channel AND h.ready_from > next_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION pgq._group_lowered() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared('pgq.group_head'::regclass::oid::integer, hashtext(NEW.channel));
    UPDATE pgq.group_head AS h
    SET ready_from = NEW.first_id
    WHERE h.channel = NEW.channel AND h.ready_from > NEW.first_id;
    RETURN NULL;
END
$$;
CREATE FUNCTION pgq._group_visible(channel text, first_id bigint, visible_at timestamp with time zone) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE pgq.message_group AS g
    SET ready_at = _group_visible.visible_at
    WHERE g.channel = _group_visible.channel AND g.first_id = _group_visible.first_id;
END
$$;
CREATE FUNCTION pgq._groups_start(channel text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    h pgq.group_head;
    locked pgq.group_head;
BEGIN
    SELECT * INTO h FROM pgq.group_head AS c WHERE c.channel = _groups_start.channel;
    IF NOT FOUND THEN
        IF pg_try_advisory_xact_lock('pgq.group_head'::regclass::oid::integer, hashtext(_groups_start.channel)) THEN
            INSERT INTO pgq.group_head (channel) VALUES (_groups_start.channel) ON CONFLICT DO NOTHING;
        END IF;
        RETURN 0;
    END IF;
    IF (h.refreshed_at <= seen_at - refresh_interval OR h.rescan_at <= seen_at)
       AND current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock('pgq.group_head'::regclass::oid::integer, hashtext(_groups_start.channel)) THEN
        SELECT * INTO locked FROM pgq.group_head AS c WHERE c.channel = _groups_start.channel FOR UPDATE SKIP LOCKED;
        IF FOUND AND (locked.refreshed_at <= seen_at - refresh_interval OR locked.rescan_at <= seen_at) THEN
            h := pgq._refresh_group_head(locked);
        END IF;
    END IF;
    RETURN CASE WHEN h.rescan_at <= seen_at THEN 0 ELSE h.ready_from END;
END
$$;
CREATE FUNCTION pgq._head_fence() RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    f pgq.head_fence;
    handed bigint;
    holders text[];
BEGIN
    SELECT * INTO STRICT f FROM pgq.head_fence;
    IF f.refreshed_at > seen_at - refresh_interval THEN
        RETURN f.safe_through;
    END IF;
    SELECT * INTO f FROM pgq.head_fence FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR f.refreshed_at > seen_at - refresh_interval THEN
        RETURN (SELECT c.safe_through FROM pgq.head_fence AS c);
    END IF;
    handed := coalesce(pg_sequence_last_value('pgq.queue_id_seq'), 0);
    SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') INTO holders
    FROM pg_locks AS l
    WHERE l.locktype = 'relation'
      AND l.database = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
      AND l.relation = 'pgq.queue_id_seq'::regclass;
    IF f.pending_id IS NOT NULL AND NOT (f.pending_holders && holders) THEN
        f.safe_through := greatest(f.safe_through, f.pending_id);
    END IF;
    UPDATE pgq.head_fence
    SET safe_through = f.safe_through, pending_id = handed, pending_holders = holders, refreshed_at = seen_at;
    RETURN f.safe_through;
END
$$;
CREATE FUNCTION pgq._join_group(channel text, group_key text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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
CREATE FUNCTION pgq._limit(name text) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    bound bigint;
BEGIN
    SELECT l.value INTO bound FROM pgq.limits() AS l WHERE l.name = _limit.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pgq.limits() has no limit named %', _limit.name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN bound;
END
$$;
COMMENT ON FUNCTION pgq._limit(name text) IS 'The value of the pgq.limits() row called name.';
CREATE FUNCTION pgq._lock_group(channel text, group_key text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO pgq.message_group AS g (channel, group_key)
    VALUES (_lock_group.channel, _lock_group.group_key)
    ON CONFLICT ON CONSTRAINT message_group_pkey DO UPDATE SET first_id = g.first_id;
END
$$;
CREATE FUNCTION pgq._lower_head(channel text, id bigint, ready boolean) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    UPDATE pgq.head AS h
    SET ready_from = CASE WHEN _lower_head.ready THEN least(h.ready_from, _lower_head.id) ELSE h.ready_from END,
        checked_from = least(h.checked_from, _lower_head.id),
        settled_below = least(h.settled_below, _lower_head.id)
    WHERE h.channel = _lower_head.channel
      AND (h.checked_from > _lower_head.id OR h.settled_below > _lower_head.id
           OR (_lower_head.ready AND h.ready_from > _lower_head.id));
$$;
CREATE FUNCTION pgq._message_fits(message jsonb) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN ((((pg_column_compression(message) IS NULL) AND (pg_column_size(message) < ((8 * (pgq._limit('max_message_depth'::text) + 1)) - 3))) OR (NOT jsonb_path_exists(message, ((('strict $.**{'::text || pgq._limit('max_message_depth'::text)) || '} ? (@.type() == "object" || @.type() == "array")'::text))::jsonpath))) AND (((pg_column_compression(message) IS NULL) AND (pg_column_size(message) <= (pgq._limit('max_message_bytes'::text) / 14746))) OR (octet_length((message)::text) <= pgq._limit('max_message_bytes'::text))));
CREATE FUNCTION pgq._message_state(visible_at timestamp with time zone, receipt uuid, moment timestamp with time zone) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (visible_at <= moment) THEN 'ready'::text WHEN (receipt IS NOT NULL) THEN 'leased'::text ELSE 'delayed'::text END;
CREATE FUNCTION pgq._notify_pgrst() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF TG_EVENT = 'sql_drop' THEN
        IF NOT EXISTS (SELECT FROM pg_event_trigger_dropped_objects() AS d
                       WHERE d.schema_name = 'pgq' OR (d.object_type = 'schema' AND d.object_identity = 'pgq')) THEN
            RETURN;
        END IF;
    ELSIF NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() AS c
                      WHERE c.schema_name = 'pgq' OR (c.object_type = 'schema' AND c.object_identity = 'pgq')) THEN
        RETURN;
    END IF;
    NOTIFY pgrst, 'reload schema';
END
$$;
COMMENT ON FUNCTION pgq._notify_pgrst() IS 'Event trigger: NOTIFY pgrst, ''reload schema'' after DDL on objects in pgq, and only then.';
CREATE FUNCTION pgq._ready_groups(channel text, ready_at timestamp with time zone, take integer) RETURNS SETOF bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_sort TO 'off'
    AS $$
DECLARE
    start constant bigint := pgq._groups_start(_ready_groups.channel);
BEGIN
    RETURN QUERY
    SELECT g.first_id
    FROM pgq.message_group AS g
    WHERE g.channel = _ready_groups.channel AND g.first_id >= start AND g.ready_at <= _ready_groups.ready_at
    ORDER BY g.first_id
    LIMIT _ready_groups.take
    FOR UPDATE SKIP LOCKED;
END
$$;
CREATE FUNCTION pgq._ready_start(channel text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    h pgq.head;
    locked pgq.head;
BEGIN
    SELECT * INTO h FROM pgq.head AS c WHERE c.channel = _ready_start.channel;
    IF NOT FOUND THEN
        -- A first consumer creates the head; a second one that comes while the
        -- first has not committed does not wait for it (an INSERT would): it
        -- scans the channel from its start this once.
        IF pg_try_advisory_xact_lock('pgq.head'::regclass::oid::integer, hashtext(_ready_start.channel)) THEN
            INSERT INTO pgq.head (channel) VALUES (_ready_start.channel) ON CONFLICT DO NOTHING;
        END IF;
        RETURN 0;
    END IF;
    IF (h.refreshed_at <= seen_at - refresh_interval OR h.rescan_at <= seen_at)
       AND current_setting('transaction_isolation') = 'read committed' THEN
        SELECT * INTO locked FROM pgq.head AS c WHERE c.channel = _ready_start.channel FOR UPDATE SKIP LOCKED;
        IF FOUND AND (locked.refreshed_at <= seen_at - refresh_interval OR locked.rescan_at <= seen_at) THEN
            h := pgq._refresh_head(locked);
        END IF;
    END IF;
    RETURN CASE WHEN h.rescan_at <= seen_at THEN h.settled_below ELSE h.ready_from END;
END
$$;
CREATE TABLE pgq.group_head (
    channel text NOT NULL COLLATE pg_catalog."C",
    ready_from bigint DEFAULT 0 NOT NULL,
    rescan_at timestamp with time zone DEFAULT 'infinity'::timestamp with time zone NOT NULL,
    refreshed_at timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL
)
WITH (fillfactor='10', autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='1000');
COMMENT ON TABLE pgq.group_head IS 'Where the consumers of a channel start looking for a ready group; kept by pgq._groups_start, see docs/sql.md';
COMMENT ON COLUMN pgq.group_head.ready_from IS 'Consumers choose groups from this first_id while rescan_at is in the future';
COMMENT ON COLUMN pgq.group_head.rescan_at IS 'The earliest ready_at of the groups stepped over below ready_from';
CREATE FUNCTION pgq._refresh_group_head(h pgq.group_head) RETURNS pgq.group_head
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_sort TO 'off'
    SET jit TO 'off'
    AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    full_scan constant boolean := h.rescan_at <= seen_at;
    scan_from constant bigint := CASE WHEN full_scan THEN 0 ELSE h.ready_from END;
    safe_through constant bigint := pgq._head_fence();
    first_ready bigint;
    earliest timestamptz;
BEGIN
    SELECT g.first_id INTO first_ready
    FROM pgq.message_group AS g
    WHERE g.channel = h.channel AND g.first_id >= scan_from AND g.ready_at <= seen_at
    ORDER BY g.first_id
    LIMIT 1;
    h.ready_from := least(coalesce(first_ready, safe_through + 1), safe_through + 1);
    SELECT min(g.ready_at) INTO earliest
    FROM pgq.message_group AS g
    WHERE g.channel = h.channel AND g.first_id >= scan_from AND g.first_id < h.ready_from;
    h.rescan_at := CASE WHEN full_scan THEN coalesce(earliest, 'infinity')
                        ELSE least(h.rescan_at, coalesce(earliest, 'infinity')) END;
    h.refreshed_at := seen_at;
    UPDATE pgq.group_head AS c
    SET ready_from = h.ready_from, rescan_at = h.rescan_at, refreshed_at = h.refreshed_at
    WHERE c.channel = h.channel;
    RETURN h;
END
$$;
CREATE TABLE pgq.head (
    channel text NOT NULL COLLATE pg_catalog."C",
    ready_from bigint DEFAULT 0 NOT NULL,
    checked_from bigint DEFAULT 0 NOT NULL,
    settled_below bigint DEFAULT 0 NOT NULL,
    rescan_at timestamp with time zone DEFAULT 'infinity'::timestamp with time zone NOT NULL,
    refreshed_at timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL
)
WITH (fillfactor='10', autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='1000');
COMMENT ON TABLE pgq.head IS 'Where the consumers of a channel start looking; kept by pgq._ready_start, see docs/sql.md';
COMMENT ON COLUMN pgq.head.ready_from IS 'Consumers scan the channel from this id while rescan_at is in the future';
COMMENT ON COLUMN pgq.head.checked_from IS 'The next refresh scans from this id: late commits at or above it are found there';
COMMENT ON COLUMN pgq.head.settled_below IS 'No queued row of the channel has a lower id; peek and rescans start here';
COMMENT ON COLUMN pgq.head.rescan_at IS 'The earliest visible_at of the rows stepped over below checked_from';
CREATE FUNCTION pgq._refresh_head(h pgq.head) RETURNS pgq.head
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_sort TO 'off'
    SET jit TO 'off'
    AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    full_scan constant boolean := h.rescan_at <= seen_at;
    scan_from constant bigint := CASE WHEN full_scan THEN h.settled_below ELSE h.checked_from END;
    safe_through constant bigint := pgq._head_fence();
    handed constant bigint := coalesce(pg_sequence_last_value('pgq.queue_id_seq'), 0);
    first_ready bigint;
    first_queued bigint;
    earliest timestamptz;
BEGIN
    SELECT q.id INTO first_ready
    FROM pgq.queue AS q
    WHERE q.channel = h.channel AND q.id >= scan_from AND q.visible_at <= seen_at AND q.group_key IS NULL
    ORDER BY q.id
    LIMIT 1;
    SELECT min(q.visible_at) FILTER (WHERE q.group_key IS NULL), min(q.id) FILTER (WHERE q.group_key IS NULL)
    INTO earliest, first_queued
    FROM pgq.queue AS q
    WHERE q.channel = h.channel AND q.id >= scan_from AND q.id < coalesce(first_ready, handed + 1);
    h.ready_from := coalesce(first_ready, handed + 1);
    h.checked_from := least(h.ready_from, safe_through + 1);
    h.rescan_at := CASE WHEN full_scan THEN coalesce(earliest, 'infinity')
                        ELSE least(h.rescan_at, coalesce(earliest, 'infinity')) END;
    IF h.rescan_at = 'infinity' THEN
        h.settled_below := h.checked_from;
    ELSIF full_scan THEN
        h.settled_below := least(coalesce(first_queued, first_ready, h.ready_from), h.checked_from);
    END IF;
    h.refreshed_at := seen_at;
    UPDATE pgq.head AS c
    SET ready_from = h.ready_from, checked_from = h.checked_from, settled_below = h.settled_below,
        rescan_at = h.rescan_at, refreshed_at = h.refreshed_at
    WHERE c.channel = h.channel;
    RETURN h;
END
$$;
CREATE FUNCTION pgq._tally_consumed() RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    slice_rows constant integer := 25000;
    since xid8;
    still_pending xid8[];
    snapshot pg_snapshot;
    own xid8;
    ended xid8[];
    running xid8[];
    upto xid8;
    cut xid8;
    folded bigint := 0;
    fold_channel text;
    fold_count bigint;
BEGIN
    SELECT t.counted_below, t.pending INTO STRICT since, still_pending FROM pgq.tally AS t FOR UPDATE;
    -- A statement of its own, so a snapshot taken after the lock: no fold or
    -- purge can be in between. The lock gave this transaction its id.
    SELECT pg_current_snapshot(), pg_current_xact_id_if_assigned() INTO snapshot, own;
    IF since > pg_snapshot_xmax(snapshot) THEN
        FOR fold_channel, fold_count IN
            SELECT a.channel, count(*) FROM pgq.archive AS a
            WHERE a.consumed_xid >= since OR a.consumed_xid = ANY (still_pending)
            GROUP BY a.channel
        LOOP
            PERFORM pgq._count_consumed(fold_channel, fold_count);
            folded := folded + fold_count;
        END LOOP;
        since := pg_snapshot_xmin(pg_current_snapshot());
        UPDATE pgq.archive AS a SET consumed_xid = '0' WHERE a.consumed_xid >= since;
        UPDATE pgq.tally SET counted_below = since, pending = '{}';
        RETURN folded;
    END IF;
    -- The pending transactions that have ended since the last fold.
    SELECT coalesce(array_agg(p.x) FILTER (WHERE p.ended), '{}'), coalesce(array_agg(p.x) FILTER (WHERE NOT p.ended), '{}')
    INTO ended, still_pending
    FROM (SELECT u.x, pg_visible_in_snapshot(u.x, snapshot) AND u.x IS DISTINCT FROM own AS ended
          FROM unnest(still_pending) AS u(x)) AS p;
    IF cardinality(ended) > 0 THEN
        FOR fold_channel, fold_count IN
            SELECT a.channel, count(*) FROM pgq.archive AS a WHERE a.consumed_xid = ANY (ended) GROUP BY a.channel
        LOOP
            PERFORM pgq._count_consumed(fold_channel, fold_count);
            folded := folded + fold_count;
        END LOOP;
    END IF;
    -- The slice: rows at or above the bound, below the snapshot's xmax, of
    -- transactions that had ended when it was taken.
    upto := greatest(pg_snapshot_xmax(snapshot), since);
    SELECT coalesce(array_agg(r.x), '{}') INTO running
    FROM (SELECT pg_snapshot_xip(snapshot) UNION SELECT own) AS r(x)
    WHERE r.x >= since AND r.x < upto;
    SELECT a.consumed_xid INTO cut
    FROM pgq.archive AS a
    WHERE a.consumed_xid >= since AND a.consumed_xid < upto AND a.consumed_xid <> ALL (running)
    ORDER BY a.consumed_xid
    OFFSET slice_rows LIMIT 1;
    IF cut IS NOT NULL THEN
        -- The first slice_rows rows end below cut, unless they all belong to
        -- cut's transaction: one transaction bigger than a slice is folded whole.
        upto := CASE WHEN cut = (SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                 WHERE a.consumed_xid >= since AND a.consumed_xid < upto
                                   AND a.consumed_xid <> ALL (running))
                     THEN coalesce((SELECT min(a.consumed_xid) FROM pgq.archive AS a
                                    WHERE a.consumed_xid > cut AND a.consumed_xid < upto
                                      AND a.consumed_xid <> ALL (running)), upto)
                     ELSE cut END;
    END IF;
    FOR fold_channel, fold_count IN
        SELECT a.channel, count(*)
        FROM pgq.archive AS a
        WHERE a.consumed_xid >= since AND a.consumed_xid < upto AND a.consumed_xid <> ALL (running)
        GROUP BY a.channel
    LOOP
        PERFORM pgq._count_consumed(fold_channel, fold_count);
        folded := folded + fold_count;
    END LOOP;
    UPDATE pgq.tally
    SET counted_below = upto,
        pending = still_pending || ARRAY(SELECT r.x FROM unnest(running) AS r(x) WHERE r.x < upto ORDER BY r.x);
    RETURN folded;
END
$$;
CREATE FUNCTION pgq._ungrouped_channel(channel text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (SELECT g.group_key FROM pgq.message_group AS g
            WHERE g.channel = _ungrouped_channel.channel
            ORDER BY g.group_key
            LIMIT 1) IS NULL;
END
$$;
CREATE FUNCTION pgq._valid_channel(channel text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (channel ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'::text);
CREATE FUNCTION pgq._wake(channel text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF EXISTS (SELECT FROM pgq.waiting AS w WHERE w.channel = _wake.channel AND w.expires_at > clock_timestamp()) THEN
        PERFORM pg_notify('pgq_ready', _wake.channel);
    END IF;
END
$$;
CREATE FUNCTION pgq.ack(channel text, id bigint, receipt uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    settled boolean;
BEGIN
    PERFORM pgq._check_receipt(ack.channel, ack.id, ack.receipt);
    WITH consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.id = ack.id AND q.channel = ack.channel AND q.receipt = ack.receipt
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT EXISTS (SELECT FROM consumed) INTO settled;
    RETURN settled;
END
$$;
COMMENT ON FUNCTION pgq.ack(channel text, id bigint, receipt uuid) IS 'Acknowledge a leased message: it moves to the archive. True only if receipt is still the message''s current one
in this channel; false, with nothing changed, for a stale receipt, another channel or an unknown id.';
CREATE FUNCTION pgq.channels() RETURNS TABLE(channel text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
COMMENT ON FUNCTION pgq.channels() IS 'The channels that have queued messages, sorted by name.';
CREATE FUNCTION pgq.configure(channel text, max_deliveries integer DEFAULT NULL::integer, dedup_window interval DEFAULT NULL::interval) RETURNS pgq.channel_config
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    result pgq.channel_config;
BEGIN
    PERFORM pgq._check_channel(configure.channel);
    IF configure.max_deliveries IS NOT NULL THEN
        PERFORM pgq._check_range('max_deliveries', configure.max_deliveries, 1, pgq._limit('max_deliveries'));
    END IF;
    IF configure.dedup_window <= interval '0' OR configure.dedup_window > make_interval(secs => pgq._limit('max_dedup_window_seconds')) THEN
        RAISE EXCEPTION 'dedup_window must be more than 0 and at most 7 days, got %', configure.dedup_window
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF configure.max_deliveries IS NULL AND configure.dedup_window IS NULL THEN
        RETURN pgq._channel_limits(configure.channel);
    END IF;
    INSERT INTO pgq.channel_settings AS s (channel, max_deliveries, dedup_window)
    SELECT c.channel,
           coalesce(configure.max_deliveries, c.max_deliveries),
           coalesce(configure.dedup_window, c.dedup_window)
    FROM pgq._channel_limits(configure.channel) AS c
    ON CONFLICT ON CONSTRAINT channel_settings_pkey DO UPDATE
    SET max_deliveries = coalesce(configure.max_deliveries, s.max_deliveries),
        dedup_window = coalesce(configure.dedup_window, s.dedup_window)
    RETURNING s.channel, s.max_deliveries, s.dedup_window INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION pgq.configure(channel text, max_deliveries integer, dedup_window interval) IS 'Set and return a channel''s limits. max_deliveries (1-1000, default 5): leases before a message is dead-lettered.
dedup_window (more than 0, at most 7 days; default 24 hours): how long enqueue_once remembers a dedup_key.
An omitted limit keeps its value; with both omitted, the current limits are returned unchanged.';
CREATE FUNCTION pgq.dead_letters(channel text, skip integer DEFAULT 0, take integer DEFAULT 25) RETURNS SETOF pgq.dead_message
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(dead_letters.channel);
    PERFORM pgq._check_range('skip', dead_letters.skip, 0, pgq._limit('max_skip'));
    PERFORM pgq._check_range('take', dead_letters.take, 1, pgq._limit('max_list_take'));
    RETURN QUERY
    SELECT d.id, d.channel::text, d.message, d.created_at, d.deliveries, d.reason, d.dead_at, d.group_key
    FROM pgq.dead_letter AS d
    WHERE d.channel = dead_letters.channel
    ORDER BY d.id
    OFFSET dead_letters.skip
    LIMIT dead_letters.take;
END
$$;
COMMENT ON FUNCTION pgq.dead_letters(channel text, skip integer, take integer) IS 'List up to take (1-300) dead letters of a channel, oldest first, after skipping skip (>= 0),
with their delivery count, the reason, when they died and their group_key.';
CREATE FUNCTION pgq.dequeue(channel text, take integer DEFAULT 1) RETURNS SETOF pgq.message
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    ready_at constant timestamptz := clock_timestamp();
    start bigint;
BEGIN
    IF dequeue.channel IS NULL OR NOT pgq._valid_channel(dequeue.channel)
       OR dequeue.take IS NULL OR dequeue.take NOT BETWEEN 1 AND pgq._limit('max_take') THEN
        PERFORM pgq._check_channel(dequeue.channel);
        PERFORM pgq._check_range('take', dequeue.take, 1, pgq._limit('max_take'));
    END IF;
    start := pgq._ready_start(dequeue.channel);
    RETURN QUERY
    WITH next AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id >= start
          AND q.visible_at <= ready_at
          AND pgq._ungrouped_channel(dequeue.channel)
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n))
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT c.id, c.channel::text, c.message, c.created_at
    FROM consumed AS c
    ORDER BY c.id;
    IF FOUND OR pgq._ungrouped_channel(dequeue.channel) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH ungrouped AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id >= start
          AND q.visible_at <= ready_at
          AND q.group_key IS NULL
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), grouped AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id IN (SELECT pgq._ready_groups(dequeue.channel, ready_at, dequeue.take))
          AND q.visible_at <= ready_at
        FOR UPDATE SKIP LOCKED
    ), next AS (
        SELECT * FROM ungrouped UNION ALL SELECT * FROM grouped
        ORDER BY id
        LIMIT dequeue.take
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n))
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
COMMENT ON FUNCTION pgq.dequeue(channel text, take integer) IS 'Consume the oldest 1-100 (take) ready messages of a channel, oldest first: at-most-once delivery.
Returns no rows when none is ready; delayed and leased messages are left alone.
Consumed messages move to the archive. Concurrent callers never receive the same message.
Of each ordered group (group_key) only the first queued message is taken, and only while none of the group is leased.';
CREATE FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer DEFAULT 0, group_key text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    new_id bigint;
    waited boolean;
BEGIN
    IF enqueue.channel IS NULL OR NOT pgq._valid_channel(enqueue.channel)
       OR enqueue.message IS NULL OR jsonb_typeof(enqueue.message) <> 'object' OR NOT pgq._message_fits(enqueue.message) THEN
        PERFORM pgq._check_channel(enqueue.channel);
        PERFORM pgq._check_message(enqueue.message);
    END IF;
    IF enqueue.delay_seconds IS DISTINCT FROM 0 THEN
        PERFORM pgq._check_range('delay_seconds', enqueue.delay_seconds, 0, pgq._limit('max_delay_seconds'));
    END IF;
    IF enqueue.group_key IS NOT NULL THEN
        PERFORM pgq._check_group_key(enqueue.group_key);
        PERFORM pgq._lock_group(enqueue.channel, enqueue.group_key);
    END IF;
    INSERT INTO pgq.queue (channel, message, visible_at, group_key)
    VALUES (enqueue.channel, enqueue.message, now() + make_interval(secs => enqueue.delay_seconds), enqueue.group_key)
    RETURNING queue.id,
              enqueue.delay_seconds = 0 AND EXISTS (
                  SELECT FROM pgq.waiting AS w WHERE w.channel = enqueue.channel AND w.expires_at > clock_timestamp())
    INTO new_id, waited;
    IF enqueue.group_key IS NOT NULL THEN
        PERFORM pgq._join_group(enqueue.channel, enqueue.group_key);
    END IF;
    IF waited THEN
        PERFORM pg_notify('pgq_ready', enqueue.channel);
    END IF;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer, group_key text) IS 'Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.
message: nested at most 200 levels deep, at most 1 MiB (1048576 bytes) as JSON text.
delay_seconds (0-604800, default 0): consumers do not see the message before then.
group_key (1-128 characters, default NULL: no group): messages of a channel with the same group_key are delivered
one at a time, in id order; a later one waits until the one before is acked, dead-lettered or dequeued.';
CREATE FUNCTION pgq.enqueue_batch(channel text, messages jsonb, group_key text DEFAULT NULL::text) RETURNS SETOF bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF enqueue_batch.channel IS NULL OR NOT pgq._valid_channel(enqueue_batch.channel) THEN
        PERFORM pgq._check_channel(enqueue_batch.channel);
    END IF;
    IF enqueue_batch.messages IS NULL THEN
        PERFORM pgq._check_not_null('messages', enqueue_batch.messages);
    END IF;
    IF jsonb_typeof(enqueue_batch.messages) <> 'array' THEN
        RAISE EXCEPTION 'messages must be a JSON array of objects, not %', jsonb_typeof(enqueue_batch.messages)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(enqueue_batch.messages) NOT BETWEEN 1 AND pgq._limit('max_batch') THEN
        PERFORM pgq._check_range('number of messages', jsonb_array_length(enqueue_batch.messages), 1, pgq._limit('max_batch'));
    END IF;
    -- With a group_key, every message joins that group, in input order.
    IF enqueue_batch.group_key IS NOT NULL THEN
        PERFORM pgq._check_group_key(enqueue_batch.group_key);
        PERFORM pgq._lock_group(enqueue_batch.channel, enqueue_batch.group_key);
    END IF;
    -- Identity values are drawn in the order rows are inserted, which follows
    -- the ORDER BY; sorting the result by id therefore restores input order.
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO pgq.queue (channel, message, group_key)
        SELECT enqueue_batch.channel,
               CASE WHEN jsonb_typeof(e.element) = 'object' AND pgq._message_fits(e.element) THEN e.element
                    ELSE pgq._checked_message(e.element, format('messages[%s]', e.position - 1)) END,
               enqueue_batch.group_key
        FROM jsonb_array_elements(enqueue_batch.messages) WITH ORDINALITY AS e(element, position)
        ORDER BY e.position
        RETURNING queue.id
    )
    SELECT inserted.id FROM inserted ORDER BY inserted.id;
    IF enqueue_batch.group_key IS NOT NULL THEN
        PERFORM pgq._join_group(enqueue_batch.channel, enqueue_batch.group_key);
    END IF;
    PERFORM pgq._wake(enqueue_batch.channel);
END
$$;
COMMENT ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb, group_key text) IS 'Append 1-10000 messages (a JSON array of objects, each within pgq.enqueue''s limits) to a channel in one transaction;
returns their ids in input order. All or nothing.
group_key (1-128 characters, default NULL: no group): every message of the call joins that ordered group (see pgq.enqueue).';
CREATE FUNCTION pgq.enqueue_once(channel text, message jsonb, dedup_key text, delay_seconds integer DEFAULT 0, group_key text DEFAULT NULL::text) RETURNS pgq.enqueued
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    original bigint;
    new_id bigint;
BEGIN
    PERFORM pgq._check_channel(enqueue_once.channel);
    PERFORM pgq._check_message(enqueue_once.message);
    PERFORM pgq._check_length('dedup_key', enqueue_once.dedup_key, 1, pgq._limit('dedup_key_length'));
    PERFORM pgq._check_range('delay_seconds', enqueue_once.delay_seconds, 0, pgq._limit('max_delay_seconds'));
    PERFORM pgq._check_group_key(enqueue_once.group_key);
    SELECT k.id INTO original
    FROM pgq.dedup_key AS k
    WHERE k.channel = enqueue_once.channel AND k.key = enqueue_once.dedup_key AND k.expires_at > seen_at;
    IF FOUND THEN
        RETURN (original, true)::pgq.enqueued;
    END IF;
    new_id := pgq.enqueue(enqueue_once.channel, enqueue_once.message, enqueue_once.delay_seconds, enqueue_once.group_key);
    INSERT INTO pgq.dedup_key AS k (channel, key, id, expires_at)
    VALUES (enqueue_once.channel, enqueue_once.dedup_key, new_id,
            seen_at + (pgq._channel_limits(enqueue_once.channel)).dedup_window)
    ON CONFLICT ON CONSTRAINT dedup_key_pkey DO UPDATE
    SET id = excluded.id, expires_at = excluded.expires_at
    WHERE k.expires_at <= seen_at;
    IF FOUND THEN
        RETURN (new_id, false)::pgq.enqueued;
    END IF;
    DELETE FROM pgq.queue AS q WHERE q.channel = enqueue_once.channel AND q.id = new_id;
    SELECT k.id INTO STRICT original
    FROM pgq.dedup_key AS k
    WHERE k.channel = enqueue_once.channel AND k.key = enqueue_once.dedup_key;
    RETURN (original, true)::pgq.enqueued;
END
$$;
COMMENT ON FUNCTION pgq.enqueue_once(channel text, message jsonb, dedup_key text, delay_seconds integer, group_key text) IS 'Enqueue like pgq.enqueue unless dedup_key (1-128 characters) was used in this channel within its dedup window
(pgq.configure, default 24 hours): then nothing is inserted and the original id comes back with duplicate = true.
Keys are remembered even after their message is consumed, until the window ends.
group_key (1-128 characters, default NULL: no group): the message joins that ordered group (see pgq.enqueue).';
CREATE FUNCTION pgq.extend_lease(channel text, id bigint, receipt uuid, seconds integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    until timestamptz;
    leased_group text;
BEGIN
    PERFORM pgq._check_receipt(extend_lease.channel, extend_lease.id, extend_lease.receipt);
    PERFORM pgq._check_range('seconds', extend_lease.seconds, 1, pgq._limit('max_visibility_seconds'));
    UPDATE pgq.queue AS q
    SET visible_at = clock_timestamp() + make_interval(secs => extend_lease.seconds)
    WHERE q.id = extend_lease.id AND q.channel = extend_lease.channel AND q.receipt = extend_lease.receipt
    RETURNING q.visible_at, q.group_key INTO until, leased_group;
    IF leased_group IS NOT NULL THEN
        PERFORM pgq._group_visible(extend_lease.channel, extend_lease.id, until);
    END IF;
    RETURN until IS NOT NULL;
END
$$;
COMMENT ON FUNCTION pgq.extend_lease(channel text, id bigint, receipt uuid, seconds integer) IS 'Make a lease end seconds (1-43200) from now, keeping its receipt. True only for the current receipt;
false, with nothing changed, otherwise.';
CREATE FUNCTION pgq.extend_lease_until(channel text, id bigint, receipt uuid, seconds integer) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    ends timestamptz;
BEGIN
    IF pgq.extend_lease(extend_lease_until.channel, extend_lease_until.id, extend_lease_until.receipt,
                        extend_lease_until.seconds) THEN
        SELECT q.visible_at INTO STRICT ends
        FROM pgq.queue AS q
        WHERE q.channel = extend_lease_until.channel AND q.id = extend_lease_until.id;
    END IF;
    RETURN ends;
END
$$;
COMMENT ON FUNCTION pgq.extend_lease_until(channel text, id bigint, receipt uuid, seconds integer) IS 'pgq.extend_lease, answering when the lease now ends: seconds (1-43200) from now, receipt kept. Null, with
nothing changed, unless receipt is the message''s current one in this channel.';
CREATE FUNCTION pgq.horizon() RETURNS SETOF pgq.horizon_state
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    WITH holders AS (
        SELECT a.xact_start, coalesce(a.backend_xid, a.backend_xmin) AS xmin
        FROM pg_stat_activity AS a
        WHERE (a.backend_xid IS NOT NULL OR a.backend_xmin IS NOT NULL)
          AND (a.datname = current_database() OR a.backend_type = 'walsender')
          AND a.pid <> pg_backend_pid()
        UNION ALL
        SELECT NULL, coalesce(s.xmin, s.catalog_xmin)
        FROM pg_replication_slots AS s
        WHERE s.xmin IS NOT NULL OR (s.catalog_xmin IS NOT NULL AND s.database = current_database())
    )
    SELECT coalesce(extract(epoch FROM statement_timestamp() - min(h.xact_start)), 0)::double precision,
           coalesce(max(age(h.xmin)), 0)::bigint,
           pg_stat_get_dead_tuples('pgq.queue'::regclass)
    FROM holders AS h;
$$;
COMMENT ON FUNCTION pgq.horizon() IS 'What holds the horizon back: held_seconds, the age of the oldest open transaction of this database that holds
an xid or a snapshot (0 if none); held_transactions, how many transaction ids ago the oldest transaction,
replication slot or standby''s feedback began holding; queue_dead_versions, dead row versions in pgq.queue that
autovacuum could not remove yet.';
CREATE FUNCTION pgq.lease(channel text, visibility_seconds integer DEFAULT 30, take integer DEFAULT 1) RETURNS SETOF pgq.leased_message
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    ready_at constant timestamptz := clock_timestamp();
    allowed integer;
    wanted integer;
    leased pgq.leased_message[];
    dead_lettered_count bigint;
    start bigint;
BEGIN
    PERFORM pgq._check_channel(lease.channel);
    PERFORM pgq._check_range('visibility_seconds', lease.visibility_seconds, 1, pgq._limit('max_visibility_seconds'));
    PERFORM pgq._check_range('take', lease.take, 1, pgq._limit('max_take'));
    allowed := (pgq._channel_limits(lease.channel)).max_deliveries;
    wanted := lease.take;
    start := pgq._ready_start(lease.channel);
    LOOP
        leased := '{}';
        dead_lettered_count := 0;
        IF pgq._ungrouped_channel(lease.channel) THEN
            WITH next AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id >= start
                  AND q.visible_at <= ready_at
                  AND pgq._ungrouped_channel(lease.channel)
                ORDER BY q.id
                LIMIT wanted
                FOR UPDATE SKIP LOCKED
            ), dead AS (
                DELETE FROM pgq.queue AS q
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries
            ), dead_lettered AS (
                INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason)
                SELECT d.id, d.channel, d.message, d.created_at, d.deliveries,
                       format('not acknowledged after %s deliveries (max_deliveries %s)', d.deliveries, allowed)
                FROM dead AS d
            ), taken AS (
                UPDATE pgq.queue AS q
                SET deliveries = q.deliveries + 1,
                    receipt = gen_random_uuid(),
                    visible_at = ready_at + make_interval(secs => lease.visibility_seconds)
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE NOT n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.receipt, q.visible_at
            )
            SELECT coalesce(array_agg((t.id, t.channel, t.message, t.created_at, t.deliveries, t.receipt, t.visible_at,
                                       NULL)::pgq.leased_message
                                      ORDER BY t.id), '{}'),
                   (SELECT count(*) FROM dead)
            INTO leased, dead_lettered_count
            FROM taken AS t;
        END IF;
        IF cardinality(leased) = 0 AND dead_lettered_count = 0 AND NOT pgq._ungrouped_channel(lease.channel) THEN
            WITH ungrouped AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent, q.group_key
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id >= start
                  AND q.visible_at <= ready_at
                  AND q.group_key IS NULL
                ORDER BY q.id
                LIMIT wanted
                FOR UPDATE SKIP LOCKED
            ), grouped AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent, q.group_key
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id IN (SELECT pgq._ready_groups(lease.channel, ready_at, wanted))
                  AND q.visible_at <= ready_at
                FOR UPDATE SKIP LOCKED
            ), next AS (
                SELECT * FROM ungrouped UNION ALL SELECT * FROM grouped
                ORDER BY id
                LIMIT wanted
            ), dead AS (
                DELETE FROM pgq.queue AS q
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.group_key
            ), dead_lettered AS (
                INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason, group_key)
                SELECT d.id, d.channel, d.message, d.created_at, d.deliveries,
                       format('not acknowledged after %s deliveries (max_deliveries %s)', d.deliveries, allowed),
                       d.group_key
                FROM dead AS d
            ), taken AS (
                UPDATE pgq.queue AS q
                SET deliveries = q.deliveries + 1,
                    receipt = gen_random_uuid(),
                    visible_at = ready_at + make_interval(secs => lease.visibility_seconds)
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE NOT n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.receipt, q.visible_at, q.group_key
            )
            SELECT coalesce(array_agg((t.id, t.channel, t.message, t.created_at, t.deliveries, t.receipt, t.visible_at,
                                       t.group_key)::pgq.leased_message
                                      ORDER BY t.id), '{}'),
                   (SELECT count(*) FROM dead)
            INTO leased, dead_lettered_count
            FROM taken AS t;
            PERFORM pgq._group_visible(lease.channel, l.id, l.lease_expires_at)
            FROM unnest(leased) AS l
            WHERE l.group_key IS NOT NULL;
        END IF;
        RETURN QUERY SELECT * FROM unnest(leased);
        wanted := wanted - cardinality(leased);
        EXIT WHEN wanted = 0 OR dead_lettered_count = 0;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgq.lease(channel text, visibility_seconds integer, take integer) IS 'Lease the oldest 1-100 (take) ready messages of a channel for visibility_seconds (1-43200, default 30): at-least-once delivery.
Each comes with deliveries (this one included), a fresh receipt and lease_expires_at. Settle it with pgq.ack or pgq.nack
using that receipt; unsettled, it is ready again at lease_expires_at. A message already delivered max_deliveries times
(pgq.configure, default 5) moves to the dead letters instead. Returns no rows when none is ready.
Of each ordered group (group_key) only the first queued message is leased, and only while no other is leased.';
CREATE FUNCTION pgq.limits() RETURNS SETOF pgq.api_limit
    LANGUAGE sql IMMUTABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    VALUES ('channel_length', 64::bigint),      -- characters in a channel name
           ('max_delay_seconds', 604800),       -- enqueue's and enqueue_once's delay_seconds: 7 days
           ('max_visibility_seconds', 43200),   -- a lease's visibility, extend_lease's seconds, nack's delay: 12 hours
           ('max_take', 100),                   -- messages per dequeue or lease
           ('max_list_take', 300),              -- rows per peek or dead_letters page
           ('max_skip', 2147483647),            -- peek's and dead_letters' skip: an integer
           ('max_batch', 10000),                -- messages per enqueue_batch
           ('dedup_key_length', 128),           -- characters in an enqueue_once dedup_key
           ('group_key_length', 128),           -- characters in a message's group_key (ordered groups)
           ('max_dedup_window_seconds', 604800),-- configure's dedup_window: 7 days
           ('max_deliveries', 1000),            -- configure's max_deliveries
           ('listener_length', 64),             -- characters in a watch listener
           ('max_watched_channels', 10000),     -- channels per watch call
           ('max_watch_ttl_seconds', 3600),     -- how long a watch registration lasts unless renewed
           ('max_message_depth', 200),          -- levels a message nests: {} is 1, {"a": {}} is 2
           ('max_message_bytes', 1048576)       -- bytes of a message as JSON text (jsonb's own output): 1 MiB
$$;
COMMENT ON FUNCTION pgq.limits() IS 'Every bound the API checks, by name: the largest (or, for lengths, the longest) value a parameter may take.';
CREATE FUNCTION pgq.maintain() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
COMMENT ON FUNCTION pgq.maintain() IS 'Periodic housekeeping, bounded per call (a backlog is worked off over several calls): removes dedup keys whose
window has ended, folds consumed totals, purges archived messages older than pgq.settings.archive_retention
(default 7 days), forgets the totals of channels with nothing queued, archived, dead or configured, and the heads
of channels with nothing queued that no consumer used for an hour. Idempotent.';
CREATE FUNCTION pgq.nack(channel text, id bigint, receipt uuid, delay_seconds integer DEFAULT 0) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    back_at timestamptz;
    nacked_group text;
BEGIN
    PERFORM pgq._check_receipt(nack.channel, nack.id, nack.receipt);
    PERFORM pgq._check_range('delay_seconds', nack.delay_seconds, 0, pgq._limit('max_visibility_seconds'));
    UPDATE pgq.queue AS q
    SET visible_at = clock_timestamp() + make_interval(secs => nack.delay_seconds),
        receipt = NULL
    WHERE q.id = nack.id AND q.channel = nack.channel AND q.receipt = nack.receipt
    RETURNING q.visible_at, q.group_key INTO back_at, nacked_group;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF nacked_group IS NULL THEN
        PERFORM pgq._lower_head(nack.channel, nack.id, nack.delay_seconds = 0);
    ELSE
        PERFORM pgq._group_visible(nack.channel, nack.id, back_at);
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION pgq.nack(channel text, id bigint, receipt uuid, delay_seconds integer) IS 'Return a leased message unprocessed: it is ready again after delay_seconds (0-43200, default 0), keeping its id
and its delivery count. True only for the current receipt; false, with nothing changed, otherwise.';
CREATE FUNCTION pgq.peek(channel text, skip integer DEFAULT 0, take integer DEFAULT 25) RETURNS SETOF pgq.queued_message
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(peek.channel);
    PERFORM pgq._check_range('skip', peek.skip, 0, pgq._limit('max_skip'));
    PERFORM pgq._check_range('take', peek.take, 1, pgq._limit('max_list_take'));
    RETURN QUERY
    SELECT q.id, q.channel::text, q.message, q.created_at, q.visible_at, q.deliveries,
           pgq._message_state(q.visible_at, q.receipt, statement_timestamp()), q.group_key
    FROM pgq.queue AS q
    WHERE q.channel = peek.channel
      AND q.id >= least(coalesce((SELECT h.settled_below FROM pgq.head AS h WHERE h.channel = peek.channel), 0),
                        (SELECT min(g.first_id) FROM pgq.message_group AS g WHERE g.channel = peek.channel))
    ORDER BY q.id
    OFFSET peek.skip
    LIMIT peek.take;
END
$$;
COMMENT ON FUNCTION pgq.peek(channel text, skip integer, take integer) IS 'List up to take (1-300) messages of a channel, oldest first, after skipping skip (>= 0); nothing is consumed.
Each has its state (ready, delayed or leased), visible_at (when a delay or lease ends), deliveries and group_key.';
CREATE FUNCTION pgq.purge(channel text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    batch constant integer := 10000;
    budget_ends constant timestamptz := clock_timestamp() + interval '1 second';
    reached bigint := -9223372036854775808;
    upto bigint;
    deleted bigint;
    removed bigint := 0;
BEGIN
    PERFORM pgq._check_channel(purge.channel);
    LOOP
        SELECT b.id INTO upto
        FROM pgq.queue AS b
        WHERE b.channel = purge.channel AND b.id > reached
        ORDER BY b.id
        OFFSET batch - 1
        LIMIT 1;
        IF upto IS NULL THEN
            DELETE FROM pgq.queue AS q WHERE q.channel = purge.channel AND q.id > reached;
        ELSE
            DELETE FROM pgq.queue AS q WHERE q.channel = purge.channel AND q.id > reached AND q.id <= upto;
        END IF;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        removed := removed + deleted;
        EXIT WHEN upto IS NULL OR clock_timestamp() >= budget_ends;
        reached := upto;
    END LOOP;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION pgq.purge(channel text) IS 'Delete a channel''s queued messages (ready, delayed and leased; not archived, not its dead letters), in batches for
at most about a second; returns how many were deleted (call again until it answers 0).';
CREATE FUNCTION pgq.purge_archive(older_than interval) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    batch constant integer := 10000;
    budget_ends constant timestamptz := clock_timestamp() + interval '1 second';
    cutoff timestamptz;
    counted_below xid8;
    pending xid8[];
    reached timestamptz := '-infinity';
    deleted bigint;
    removed bigint := 0;
    uncounted text[];
BEGIN
    PERFORM pgq._check_not_null('older_than', purge_archive.older_than);
    IF purge_archive.older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative, got %', purge_archive.older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - purge_archive.older_than;
    SELECT t.counted_below, t.pending INTO STRICT counted_below, pending FROM pgq.tally AS t FOR UPDATE;
    LOOP
        WITH gone AS (
            DELETE FROM pgq.archive AS a
            WHERE a.ctid = ANY (ARRAY(
                SELECT b.ctid
                FROM pgq.archive AS b
                WHERE b.consumed_at >= reached AND b.consumed_at < cutoff
                ORDER BY b.consumed_at
                LIMIT batch))
            RETURNING a.channel, a.consumed_at,
                      a.consumed_xid >= counted_below OR a.consumed_xid = ANY (pending) AS not_folded
        )
        SELECT count(*), coalesce(max(g.consumed_at), reached), array_agg(g.channel) FILTER (WHERE g.not_folded)
        INTO deleted, reached, uncounted
        FROM gone AS g;
        PERFORM pgq._count_consumed(u.channel, count(*))
        FROM unnest(uncounted) AS u(channel)
        GROUP BY u.channel;
        removed := removed + deleted;
        EXIT WHEN deleted < batch OR clock_timestamp() >= budget_ends;
    END LOOP;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION pgq.purge_archive(older_than interval) IS 'Delete archived messages consumed more than older_than ago, oldest first, in batches for at most about a second;
returns how many were removed (call again to continue a larger backlog).';
CREATE FUNCTION pgq.redrive(channel text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    moved integer;
    lowest bigint;
    grouped bigint[];
BEGIN
    PERFORM pgq._check_channel(redrive.channel);
    WITH revived AS (
        DELETE FROM pgq.dead_letter AS d
        WHERE d.channel = redrive.channel
        RETURNING d.id, d.channel, d.message, d.created_at, d.group_key
    ), requeued AS (
        INSERT INTO pgq.queue (id, channel, message, created_at, group_key)
        OVERRIDING SYSTEM VALUE
        SELECT r.id, r.channel, r.message, r.created_at, r.group_key FROM revived AS r
        RETURNING queue.id, queue.group_key
    )
    SELECT count(*), min(requeued.id) FILTER (WHERE requeued.group_key IS NULL),
           array_agg(requeued.id) FILTER (WHERE requeued.group_key IS NOT NULL)
    INTO moved, lowest, grouped FROM requeued;
    IF lowest IS NOT NULL THEN
        PERFORM pgq._lower_head(redrive.channel, lowest, true);
    END IF;
    -- Grouped ones go back to the front of their groups, in key order so that
    -- concurrent redrives and enqueues lock groups in one order.
    INSERT INTO pgq.message_group AS g (channel, group_key, first_id, ready_at)
    SELECT redrive.channel, q.group_key, min(q.id), clock_timestamp()
    FROM pgq.queue AS q
    WHERE q.channel = redrive.channel AND q.id = ANY (grouped)
    GROUP BY q.group_key
    ORDER BY q.group_key
    ON CONFLICT ON CONSTRAINT message_group_pkey DO UPDATE SET first_id = least(g.first_id, excluded.first_id);
    RETURN moved;
END
$$;
COMMENT ON FUNCTION pgq.redrive(channel text) IS 'Move every dead letter of a channel back to the queue, ready now at its original id with deliveries reset;
returns how many were moved.';
CREATE FUNCTION pgq.settings_of(channel text) RETURNS pgq.channel_config
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(settings_of.channel);
    RETURN pgq._channel_limits(settings_of.channel);
END
$$;
COMMENT ON FUNCTION pgq.settings_of(channel text) IS 'A channel''s limits, as pgq.configure sets them: its own, or the defaults (max_deliveries 5, dedup_window 24 hours).';
CREATE FUNCTION pgq.stats() RETURNS SETOF pgq.channel_stats
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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
        UNION ALL
        SELECT a.channel, 1
        FROM pgq.archive AS a
        WHERE a.consumed_xid = ANY ((SELECT t.pending FROM pgq.tally AS t)::xid8[])
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
COMMENT ON FUNCTION pgq.stats() IS 'Per channel with queued messages, dead letters or consumed messages so far: depth (ready messages), oldest_age_seconds
(age of the oldest ready message; null if none is ready), delayed, leased, dead (dead letters), and the running
totals enqueued and consumed (dequeued or acked).';
CREATE FUNCTION pgq.unconfigure(channel text) RETURNS pgq.channel_config
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(unconfigure.channel);
    DELETE FROM pgq.channel_settings AS s WHERE s.channel = unconfigure.channel;
    RETURN pgq._channel_limits(unconfigure.channel);
END
$$;
COMMENT ON FUNCTION pgq.unconfigure(channel text) IS 'Return a channel to the default limits (max_deliveries 5, dedup_window 24 hours), dropping its own settings;
returns the limits now in force.';
CREATE FUNCTION pgq.watch(listener text, channels text[], ttl_seconds integer DEFAULT 30) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    bad text;
BEGIN
    PERFORM pgq._check_length('listener', watch.listener, 1, pgq._limit('listener_length'));
    PERFORM pgq._check_not_null('channels', watch.channels);
    PERFORM pgq._check_range('number of channels', cardinality(watch.channels), 0, pgq._limit('max_watched_channels'));
    SELECT c INTO bad FROM unnest(watch.channels) AS c WHERE c IS NULL OR NOT pgq._valid_channel(c) LIMIT 1;
    IF FOUND THEN
        PERFORM pgq._check_channel(bad);
    END IF;
    PERFORM pgq._check_range('ttl_seconds', watch.ttl_seconds, 1, pgq._limit('max_watch_ttl_seconds'));
    DELETE FROM pgq.waiting AS w
    WHERE w.expires_at <= seen_at
       OR (w.listener = watch.listener AND w.channel <> ALL (watch.channels));
    UPDATE pgq.waiting AS w
    SET expires_at = seen_at + make_interval(secs => watch.ttl_seconds)
    WHERE w.listener = watch.listener
      AND w.channel = ANY (watch.channels)
      AND w.expires_at < seen_at + make_interval(secs => watch.ttl_seconds / 2.0);
    INSERT INTO pgq.waiting (channel, listener, expires_at)
    SELECT DISTINCT c, watch.listener, seen_at + make_interval(secs => watch.ttl_seconds)
    FROM unnest(watch.channels) AS c
    ON CONFLICT ON CONSTRAINT waiting_pkey DO NOTHING;
    RETURN QUERY
    SELECT DISTINCT c
    FROM unnest(watch.channels) AS c
    WHERE EXISTS (SELECT FROM pgq.queue AS q WHERE q.channel = c AND q.visible_at <= seen_at)
    ORDER BY c;
END
$$;
COMMENT ON FUNCTION pgq.watch(listener text, channels text[], ttl_seconds integer) IS 'For the gateway''s long polling: register exactly these channels (0-10000) for listener (1-64 characters, one per
gateway process) until ttl_seconds (1-3600, default 30) from now, so that enqueues on them NOTIFY pgq_ready with the
channel as payload; an empty array unregisters. Returns those of the channels that have a ready message now.';
CREATE TABLE pgq.archive (
    id bigint NOT NULL,
    channel text NOT NULL COLLATE pg_catalog."C",
    message jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    consumed_at timestamp with time zone DEFAULT now() NOT NULL,
    consumed_xid xid8 DEFAULT pg_current_xact_id() NOT NULL
);
COMMENT ON TABLE pgq.archive IS 'Consumed messages, purged after the retention in pgq.settings';
CREATE TABLE pgq.channel_settings (
    channel text NOT NULL COLLATE pg_catalog."C",
    max_deliveries integer NOT NULL,
    dedup_window interval NOT NULL,
    CONSTRAINT channel_settings_channel_valid CHECK (pgq._valid_channel(channel)),
    CONSTRAINT channel_settings_dedup_window_range CHECK (((dedup_window > '00:00:00'::interval) AND (dedup_window <= '7 days'::interval))),
    CONSTRAINT channel_settings_max_deliveries_range CHECK (((max_deliveries >= 1) AND (max_deliveries <= 1000)))
);
COMMENT ON TABLE pgq.channel_settings IS 'Per-channel limits set by pgq.configure(); absent channels use the defaults';
CREATE TABLE pgq.counter (
    channel text NOT NULL COLLATE pg_catalog."C",
    consumed bigint NOT NULL
)
WITH (fillfactor='50');
COMMENT ON TABLE pgq.counter IS 'Consumed messages per channel folded in from the archive; pgq.stats() adds the archive rows not folded yet';
CREATE TABLE pgq.dead_letter (
    id bigint NOT NULL,
    channel text NOT NULL COLLATE pg_catalog."C",
    message jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    deliveries integer NOT NULL,
    reason text NOT NULL,
    dead_at timestamp with time zone DEFAULT now() NOT NULL,
    group_key text COLLATE pg_catalog."C"
);
COMMENT ON TABLE pgq.dead_letter IS 'Messages delivered max_deliveries times without an ack; see pgq.dead_letters() and pgq.redrive()';
CREATE TABLE pgq.dedup_key (
    channel text NOT NULL COLLATE pg_catalog."C",
    key text NOT NULL COLLATE pg_catalog."C",
    id bigint NOT NULL,
    expires_at timestamp with time zone NOT NULL
);
COMMENT ON TABLE pgq.dedup_key IS 'Idempotency keys of pgq.enqueue_once; pgq.maintain() removes them once expired';
CREATE TABLE pgq.head_fence (
    singleton boolean DEFAULT true NOT NULL,
    safe_through bigint DEFAULT 0 NOT NULL,
    pending_id bigint,
    pending_holders text[],
    refreshed_at timestamp with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL,
    CONSTRAINT head_fence_one_row CHECK (singleton)
)
WITH (fillfactor='10');
COMMENT ON TABLE pgq.head_fence IS 'Ids up to safe_through are committed or never will be; kept by pgq._head_fence';
COMMENT ON COLUMN pgq.head_fence.pending_id IS 'The sequence''s value at the last refresh: safe once no pending_holders is left';
COMMENT ON COLUMN pgq.head_fence.pending_holders IS 'Transactions (virtual ids) that had drawn ids from pgq.queue_id_seq when pending_id was read';
CREATE TABLE pgq.message_group (
    channel text NOT NULL COLLATE pg_catalog."C",
    group_key text NOT NULL COLLATE pg_catalog."C",
    first_id bigint,
    ready_at timestamp with time zone
)
WITH (fillfactor='50', autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='1000');
COMMENT ON TABLE pgq.message_group IS 'The head of each ordered group: its first queued id and when it is ready; see docs/sql.md';
COMMENT ON COLUMN pgq.message_group.first_id IS 'The lowest queued id of the group: the only one lease and dequeue may take';
COMMENT ON COLUMN pgq.message_group.ready_at IS 'visible_at of the message at first_id: when its lease or delay ends';
CREATE TABLE pgq.queue (
    id bigint NOT NULL,
    channel text NOT NULL COLLATE pg_catalog."C",
    message jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    visible_at timestamp with time zone DEFAULT now() NOT NULL,
    deliveries integer DEFAULT 0 NOT NULL,
    receipt uuid,
    group_key text COLLATE pg_catalog."C"
)
WITH (autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='5000', autovacuum_vacuum_insert_scale_factor='0', autovacuum_vacuum_insert_threshold='5000', autovacuum_analyze_scale_factor='0.02', autovacuum_vacuum_cost_delay='0', fillfactor='80');
COMMENT ON TABLE pgq.queue IS 'Messages waiting in their channel; use the pgq functions, not this table';
ALTER TABLE pgq.queue ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME pgq.queue_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE pgq.settings (
    singleton boolean DEFAULT true NOT NULL,
    archive_retention interval DEFAULT '7 days'::interval NOT NULL,
    CONSTRAINT settings_one_row CHECK (singleton),
    CONSTRAINT settings_retention_not_negative CHECK ((archive_retention >= '00:00:00'::interval))
);
COMMENT ON TABLE pgq.settings IS 'Broker-wide settings (one row); archive_retention is used by pgq.maintain()';
CREATE TABLE pgq.tally (
    singleton boolean DEFAULT true NOT NULL,
    counted_below xid8 NOT NULL,
    pending xid8[] DEFAULT '{}'::xid8[] NOT NULL,
    CONSTRAINT tally_one_row CHECK (singleton)
);
COMMENT ON TABLE pgq.tally IS 'Archive rows with consumed_xid below counted_below and not in pending are counted in pgq.counter';
COMMENT ON COLUMN pgq.tally.pending IS 'Transactions below counted_below that were in progress at the last fold: counted from the archive until folded';
CREATE TABLE pgq.waiting (
    channel text NOT NULL COLLATE pg_catalog."C",
    listener text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);
COMMENT ON TABLE pgq.waiting IS 'Channels with waiting long-poll consumers, per gateway process (listener); maintained by pgq.watch()';
ALTER TABLE ONLY pgq.archive
    ADD CONSTRAINT archive_pkey PRIMARY KEY (channel, id);
ALTER TABLE ONLY pgq.channel_settings
    ADD CONSTRAINT channel_settings_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY pgq.counter
    ADD CONSTRAINT counter_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY pgq.dead_letter
    ADD CONSTRAINT dead_letter_pkey PRIMARY KEY (id);
ALTER TABLE ONLY pgq.dedup_key
    ADD CONSTRAINT dedup_key_pkey PRIMARY KEY (channel, key);
ALTER TABLE ONLY pgq.group_head
    ADD CONSTRAINT group_head_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY pgq.head_fence
    ADD CONSTRAINT head_fence_pkey PRIMARY KEY (singleton);
ALTER TABLE ONLY pgq.head
    ADD CONSTRAINT head_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY pgq.message_group
    ADD CONSTRAINT message_group_pkey PRIMARY KEY (channel, group_key);
ALTER TABLE ONLY pgq.queue
    ADD CONSTRAINT queue_channel_id PRIMARY KEY (channel, id);
ALTER TABLE ONLY pgq.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (singleton);
ALTER TABLE ONLY pgq.tally
    ADD CONSTRAINT tally_pkey PRIMARY KEY (singleton);
ALTER TABLE ONLY pgq.waiting
    ADD CONSTRAINT waiting_pkey PRIMARY KEY (channel, listener);
CREATE INDEX archive_consumed_at ON pgq.archive USING btree (consumed_at);
CREATE INDEX archive_consumed_xid ON pgq.archive USING btree (consumed_xid);
CREATE INDEX dead_letter_channel_id ON pgq.dead_letter USING btree (channel, id);
CREATE INDEX dedup_key_expires_at ON pgq.dedup_key USING btree (expires_at);
CREATE INDEX message_group_first ON pgq.message_group USING btree (channel, first_id);
CREATE INDEX queue_group ON pgq.queue USING btree (channel, group_key, id) WHERE (group_key IS NOT NULL);
CREATE TRIGGER message_group_lower AFTER UPDATE ON pgq.message_group FOR EACH ROW WHEN (((new.first_id < old.first_id) OR ((new.first_id = old.first_id) AND (new.ready_at < old.ready_at)))) EXECUTE FUNCTION pgq._group_lowered();
CREATE TRIGGER message_group_lower_new AFTER INSERT ON pgq.message_group FOR EACH ROW WHEN ((new.first_id IS NOT NULL)) EXECUTE FUNCTION pgq._group_lowered();
CREATE TRIGGER queue_group_next AFTER DELETE ON pgq.queue FOR EACH ROW WHEN ((old.group_key IS NOT NULL)) EXECUTE FUNCTION pgq._group_deleted();
GRANT USAGE ON SCHEMA pgq TO pgq_client;
GRANT USAGE ON SCHEMA pgq TO pgq_owner;
GRANT USAGE ON SCHEMA pgq TO pgq_admin;
GRANT USAGE ON SCHEMA pgq TO pgq_maintainer;
REVOKE ALL ON FUNCTION pgq._adopt_objects() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._channel_limits(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_channel(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_group_key(group_key text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_length(name text, value text, lowest bigint, highest bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_message(message jsonb, name text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_not_null(name text, value anyelement) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_receipt(channel text, id bigint, receipt uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._checked_message(message jsonb, name text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._count_consumed(channel text, consumed bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._group_deleted() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._group_lowered() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._group_visible(channel text, first_id bigint, visible_at timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._groups_start(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._head_fence() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._join_group(channel text, group_key text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._limit(name text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._lock_group(channel text, group_key text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._lower_head(channel text, id bigint, ready boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._message_fits(message jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._message_state(visible_at timestamp with time zone, receipt uuid, moment timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._notify_pgrst() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._ready_groups(channel text, ready_at timestamp with time zone, take integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._ready_start(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._refresh_group_head(h pgq.group_head) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._refresh_head(h pgq.head) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._tally_consumed() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._ungrouped_channel(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._valid_channel(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._wake(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq.ack(channel text, id bigint, receipt uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.ack(channel text, id bigint, receipt uuid) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.channels() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.channels() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.configure(channel text, max_deliveries integer, dedup_window interval) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.configure(channel text, max_deliveries integer, dedup_window interval) TO pgq_admin;
REVOKE ALL ON FUNCTION pgq.dead_letters(channel text, skip integer, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.dead_letters(channel text, skip integer, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.dequeue(channel text, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.dequeue(channel text, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer, group_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer, group_key text) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb, group_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb, group_key text) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.enqueue_once(channel text, message jsonb, dedup_key text, delay_seconds integer, group_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.enqueue_once(channel text, message jsonb, dedup_key text, delay_seconds integer, group_key text) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.extend_lease(channel text, id bigint, receipt uuid, seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.extend_lease(channel text, id bigint, receipt uuid, seconds integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.extend_lease_until(channel text, id bigint, receipt uuid, seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.extend_lease_until(channel text, id bigint, receipt uuid, seconds integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.horizon() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.horizon() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.lease(channel text, visibility_seconds integer, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.lease(channel text, visibility_seconds integer, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.limits() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.limits() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.maintain() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.maintain() TO pgq_admin;
GRANT ALL ON FUNCTION pgq.maintain() TO pgq_gateway;
GRANT ALL ON FUNCTION pgq.maintain() TO pgq_maintainer;
REVOKE ALL ON FUNCTION pgq.nack(channel text, id bigint, receipt uuid, delay_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.nack(channel text, id bigint, receipt uuid, delay_seconds integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.peek(channel text, skip integer, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.peek(channel text, skip integer, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.purge(channel text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.purge(channel text) TO pgq_admin;
REVOKE ALL ON FUNCTION pgq.purge_archive(older_than interval) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.purge_archive(older_than interval) TO pgq_admin;
REVOKE ALL ON FUNCTION pgq.redrive(channel text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.redrive(channel text) TO pgq_admin;
REVOKE ALL ON FUNCTION pgq.settings_of(channel text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.settings_of(channel text) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.stats() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.stats() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.unconfigure(channel text) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.unconfigure(channel text) TO pgq_admin;
REVOKE ALL ON FUNCTION pgq.watch(listener text, channels text[], ttl_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.watch(listener text, channels text[], ttl_seconds integer) TO pgq_gateway;
