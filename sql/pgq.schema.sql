CREATE SCHEMA pgq;
COMMENT ON SCHEMA pgq IS 'pgQueue: a FIFO message broker inside PostgreSQL';
CREATE TYPE pgq.channel_stats AS (
	channel text,
	depth bigint,
	oldest_age_seconds double precision
);
COMMENT ON TYPE pgq.channel_stats IS 'One channel''s figures as returned by pgq.stats()';
CREATE TYPE pgq.message AS (
	id bigint,
	channel text,
	message jsonb,
	created_at timestamp with time zone
);
COMMENT ON TYPE pgq.message IS 'A queued message as returned by pgq.dequeue and pgq.peek';
CREATE FUNCTION pgq._check_channel(channel text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF channel IS NULL THEN
        RAISE EXCEPTION 'channel must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT pgq._valid_channel(channel) THEN
        RAISE EXCEPTION 'channel must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('got %s characters: %s', length(channel), left(channel, 80));
    END IF;
END
$$;
CREATE FUNCTION pgq._check_message(message jsonb, name text DEFAULT 'message'::text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF message IS NULL THEN
        RAISE EXCEPTION '% must not be null', name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(message) <> 'object' THEN
        RAISE EXCEPTION '% must be a JSON object, not %', name, jsonb_typeof(message)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
CREATE FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF value IS NULL THEN
        RAISE EXCEPTION '% must not be null', name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF value < lowest OR value > highest THEN
        RAISE EXCEPTION '% must be between % and %, got %', name, lowest, highest, value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
CREATE FUNCTION pgq._notify_pgrst() RETURNS event_trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NOTIFY pgrst, 'reload schema';
END
$$;
CREATE FUNCTION pgq._valid_channel(channel text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (channel ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'::text);
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
CREATE FUNCTION pgq.dequeue(channel text, take integer DEFAULT 1) RETURNS SETOF pgq.message
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(dequeue.channel);
    PERFORM pgq._check_range('take', dequeue.take, 1, 100);
    RETURN QUERY
    WITH next AS (
        SELECT q.id
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        USING next
        WHERE q.id = next.id
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
COMMENT ON FUNCTION pgq.dequeue(channel text, take integer) IS 'Consume the oldest 1-100 (take) messages of a channel, oldest first. Returns no rows when the channel is empty.
Consumed messages move to the archive. Concurrent callers never receive the same message.';
CREATE FUNCTION pgq.enqueue(channel text, message jsonb) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM pgq._check_channel(enqueue.channel);
    PERFORM pgq._check_message(enqueue.message);
    INSERT INTO pgq.queue (channel, message)
    VALUES (enqueue.channel, enqueue.message)
    RETURNING queue.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION pgq.enqueue(channel text, message jsonb) IS 'Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.';
CREATE FUNCTION pgq.enqueue_batch(channel text, messages jsonb) RETURNS SETOF bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    bad_position bigint;
    bad_type text;
BEGIN
    PERFORM pgq._check_channel(enqueue_batch.channel);
    IF messages IS NULL THEN
        RAISE EXCEPTION 'messages must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(messages) <> 'array' THEN
        RAISE EXCEPTION 'messages must be a JSON array of objects, not %', jsonb_typeof(messages)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pgq._check_range('number of messages', jsonb_array_length(messages), 1, 10000);
    SELECT e.position, jsonb_typeof(e.element) INTO bad_position, bad_type
    FROM jsonb_array_elements(messages) WITH ORDINALITY AS e(element, position)
    WHERE jsonb_typeof(e.element) <> 'object'
    ORDER BY e.position
    LIMIT 1;
    IF bad_position IS NOT NULL THEN
        RAISE EXCEPTION 'messages[%] must be a JSON object, not %', bad_position - 1, bad_type
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Identity values are drawn in the order rows are inserted, which follows
    -- the ORDER BY; sorting the result by id therefore restores input order.
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO pgq.queue (channel, message)
        SELECT enqueue_batch.channel, e.element
        FROM jsonb_array_elements(messages) WITH ORDINALITY AS e(element, position)
        ORDER BY e.position
        RETURNING queue.id
    )
    SELECT inserted.id FROM inserted ORDER BY inserted.id;
END
$$;
COMMENT ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb) IS 'Append 1-10000 messages (a JSON array of objects) to a channel in one transaction; returns their ids in input order. All or nothing.';
CREATE FUNCTION pgq.maintain() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    retention interval;
BEGIN
    SELECT s.archive_retention INTO STRICT retention FROM pgq.settings AS s;
    RETURN jsonb_build_object('archive_purged', pgq.purge_archive(retention));
END
$$;
COMMENT ON FUNCTION pgq.maintain() IS 'Periodic housekeeping: purges archived messages older than pgq.settings.archive_retention (default 7 days). Idempotent.';
CREATE FUNCTION pgq.peek(channel text, skip integer DEFAULT 0, take integer DEFAULT 25) RETURNS SETOF pgq.message
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM pgq._check_channel(peek.channel);
    PERFORM pgq._check_range('skip', peek.skip, 0, 2147483647);
    PERFORM pgq._check_range('take', peek.take, 1, 300);
    RETURN QUERY
    SELECT q.id, q.channel::text, q.message, q.created_at
    FROM pgq.queue AS q
    WHERE q.channel = peek.channel
    ORDER BY q.id
    OFFSET peek.skip
    LIMIT peek.take;
END
$$;
COMMENT ON FUNCTION pgq.peek(channel text, skip integer, take integer) IS 'List up to take (1-300) messages of a channel, oldest first, after skipping skip (>= 0); nothing is consumed.';
CREATE FUNCTION pgq.purge_archive(older_than interval) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    removed bigint;
BEGIN
    IF older_than IS NULL THEN
        RAISE EXCEPTION 'older_than must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative, got %', older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM pgq.archive AS a WHERE a.consumed_at < now() - older_than;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION pgq.purge_archive(older_than interval) IS 'Delete archived messages consumed more than older_than ago; returns how many were removed.';
CREATE FUNCTION pgq.stats() RETURNS SETOF pgq.channel_stats
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT q.channel::text,
           count(*),
           extract(epoch FROM now() - min(q.created_at))::double precision
    FROM pgq.queue AS q
    GROUP BY q.channel
    ORDER BY q.channel;
$$;
COMMENT ON FUNCTION pgq.stats() IS 'Per channel with queued messages: depth (messages waiting) and oldest_age_seconds (age of the oldest one).';
CREATE TABLE pgq.archive (
    id bigint NOT NULL,
    channel text NOT NULL COLLATE pg_catalog."C",
    message jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    consumed_at timestamp with time zone DEFAULT now() NOT NULL
);
COMMENT ON TABLE pgq.archive IS 'Consumed messages, purged after the retention in pgq.settings';
CREATE TABLE pgq.queue (
    id bigint NOT NULL,
    channel text NOT NULL COLLATE pg_catalog."C",
    message jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT queue_channel_valid CHECK (pgq._valid_channel(channel)),
    CONSTRAINT queue_message_is_object CHECK ((jsonb_typeof(message) = 'object'::text))
)
WITH (autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='5000', autovacuum_vacuum_insert_scale_factor='0', autovacuum_vacuum_insert_threshold='5000', autovacuum_analyze_scale_factor='0.02', autovacuum_vacuum_cost_delay='0');
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
ALTER TABLE ONLY pgq.archive
    ADD CONSTRAINT archive_pkey PRIMARY KEY (id);
ALTER TABLE ONLY pgq.queue
    ADD CONSTRAINT queue_pkey PRIMARY KEY (id);
ALTER TABLE ONLY pgq.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (singleton);
CREATE INDEX archive_consumed_at ON pgq.archive USING brin (consumed_at);
CREATE INDEX queue_channel_id ON pgq.queue USING btree (channel, id);
GRANT USAGE ON SCHEMA pgq TO pgq_client;
REVOKE ALL ON FUNCTION pgq._check_channel(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_message(message jsonb, name text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._notify_pgrst() FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq._valid_channel(channel text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq.channels() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.channels() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.dequeue(channel text, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.dequeue(channel text, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.enqueue(channel text, message jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.enqueue(channel text, message jsonb) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.enqueue_batch(channel text, messages jsonb) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.maintain() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.maintain() TO pgq_client;
REVOKE ALL ON FUNCTION pgq.peek(channel text, skip integer, take integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.peek(channel text, skip integer, take integer) TO pgq_client;
REVOKE ALL ON FUNCTION pgq.purge_archive(older_than interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgq.stats() FROM PUBLIC;
GRANT ALL ON FUNCTION pgq.stats() TO pgq_client;
