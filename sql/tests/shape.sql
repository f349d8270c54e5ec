-- The pgq API's shape: tables, signatures, parameter names, return types, volatility, security, comments.
BEGIN;
SELECT plan(119);

SELECT has_schema('pgq');
SELECT has_table('pgq', 'queue', 'queue table exists');
SELECT has_table('pgq', 'archive', 'archive table exists');
SELECT has_table('pgq', 'settings', 'settings table exists');
SELECT columns_are('pgq', 'queue', ARRAY['id', 'channel', 'message', 'created_at', 'visible_at', 'deliveries', 'receipt', 'group_key']);
SELECT columns_are('pgq', 'archive', ARRAY['id', 'channel', 'message', 'created_at', 'consumed_at', 'consumed_xid']);
SELECT col_type_is('pgq', 'queue', 'id', 'bigint', 'queue.id is bigint');
SELECT col_type_is('pgq', 'queue', 'channel', 'text', 'queue.channel is text');
SELECT col_type_is('pgq', 'queue', 'message', 'jsonb', 'queue.message is jsonb');
SELECT col_type_is('pgq', 'queue', 'created_at', 'timestamp with time zone', 'queue.created_at is timestamp with time zone');
SELECT col_default_is('pgq', 'queue', 'created_at', 'now()', 'queue.created_at defaults to now()');
SELECT has_index('pgq', 'queue', 'queue_channel_id', ARRAY['channel', 'id'], 'an index serves oldest-first per channel');
SELECT col_type_is('pgq', 'archive', 'consumed_at', 'timestamp with time zone', 'archive.consumed_at is timestamptz');

-- Signatures: parameter names are public API (PostgREST JSON keys, psql named arguments).
SELECT function_returns('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer', 'text'], 'bigint');
SELECT function_returns('pgq', 'enqueue_batch', ARRAY['text', 'jsonb', 'text'], 'setof bigint');
SELECT function_returns('pgq', 'dequeue', ARRAY['text', 'integer'], 'setof pgq.message');
SELECT function_returns('pgq', 'peek', ARRAY['text', 'integer', 'integer'], 'setof pgq.queued_message');
SELECT function_returns('pgq', 'channels', ARRAY[]::text[], 'setof text');
SELECT function_returns('pgq', 'stats', ARRAY[]::text[], 'setof pgq.channel_stats');
SELECT function_returns('pgq', 'purge_archive', ARRAY['interval'], 'bigint');
SELECT function_returns('pgq', 'maintain', ARRAY[]::text[], 'jsonb');

SELECT is(pg_get_function_arguments('pgq.enqueue(text, jsonb, integer, text)'::regprocedure),
          'channel text, message jsonb, delay_seconds integer DEFAULT 0, group_key text DEFAULT NULL::text',
          'enqueue parameter names and defaults');
SELECT is(pg_get_function_arguments('pgq.enqueue_batch(text, jsonb, text)'::regprocedure),
          'channel text, messages jsonb, group_key text DEFAULT NULL::text', 'enqueue_batch parameter names');
SELECT is(pg_get_function_arguments('pgq.dequeue(text, integer)'::regprocedure),
          'channel text, take integer DEFAULT 1', 'dequeue parameter names and default');
SELECT is(pg_get_function_arguments('pgq.peek(text, integer, integer)'::regprocedure),
          'channel text, skip integer DEFAULT 0, take integer DEFAULT 25', 'peek parameter names and defaults');
SELECT is(pg_get_function_result('pgq.channels()'::regprocedure), 'TABLE(channel text)', 'channels returns (channel text)');
SELECT is(pg_get_function_arguments('pgq.purge_archive(interval)'::regprocedure),
          'older_than interval', 'purge_archive parameter name');

-- No overloads: one function per API name, or calls become ambiguous (42725, PGRST203).
SELECT is(
    (SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'pgq'::regnamespace
     GROUP BY proname HAVING count(*) > 1 LIMIT 1),
    NULL, 'no pgq function is overloaded');

-- Never STRICT: a NULL argument must raise a named error, not return NULL.
SELECT is(
    (SELECT array_agg(proname::text) FROM pg_proc WHERE pronamespace = 'pgq'::regnamespace AND proisstrict),
    NULL, 'no pgq function is STRICT');

SELECT volatility_is('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer', 'text'], 'volatile');
SELECT volatility_is('pgq', 'enqueue_batch', ARRAY['text', 'jsonb', 'text'], 'volatile');
SELECT volatility_is('pgq', 'dequeue', ARRAY['text', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'peek', ARRAY['text', 'integer', 'integer'], 'stable');
SELECT volatility_is('pgq', 'channels', ARRAY[]::text[], 'stable');
SELECT volatility_is('pgq', 'stats', ARRAY[]::text[], 'stable');
SELECT volatility_is('pgq', 'maintain', ARRAY[]::text[], 'volatile');

SELECT is_definer('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer', 'text']);
SELECT is_definer('pgq', 'enqueue_batch', ARRAY['text', 'jsonb', 'text']);
SELECT is_definer('pgq', 'dequeue', ARRAY['text', 'integer']);
SELECT is_definer('pgq', 'peek', ARRAY['text', 'integer', 'integer']);
SELECT is_definer('pgq', 'channels', ARRAY[]::text[]);
SELECT is_definer('pgq', 'stats', ARRAY[]::text[]);
SELECT is_definer('pgq', 'maintain', ARRAY[]::text[]);

-- Every SECURITY DEFINER function pins its search_path.
SELECT is(
    (SELECT array_agg(proname::text) FROM pg_proc
     WHERE pronamespace = 'pgq'::regnamespace AND prosecdef
       AND NOT coalesce(proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
    NULL, 'every SECURITY DEFINER function sets search_path = pg_catalog, pg_temp');

-- PostgREST turns these comments into its OpenAPI descriptions.
SELECT is(
    (SELECT array_agg(proname::text) FROM pg_proc
     WHERE pronamespace = 'pgq'::regnamespace AND proname !~ '^_' AND obj_description(oid, 'pg_proc') IS NULL),
    NULL, 'every API function has a COMMENT');

SELECT is(
    (SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc AS p
     WHERE p.pronamespace = 'pgq'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')),
    NULL, 'PUBLIC may execute no pgq function');

SELECT is(
    (SELECT reloptions FROM pg_class WHERE oid = 'pgq.queue'::regclass) @> ARRAY['autovacuum_vacuum_scale_factor=0'],
    true, 'queue table has churn-tuned autovacuum settings');

SELECT is((SELECT archive_retention FROM pgq.settings), interval '7 days', 'default archive retention is 7 days');

SELECT ok(pgq._valid_channel('a'), 'one character is a channel');
SELECT ok(pgq._valid_channel(repeat('x', 64)), '64 characters is a channel');
SELECT ok(NOT pgq._valid_channel(repeat('x', 65)), '65 characters is not');
SELECT ok(pgq._valid_channel('A.b_c-9'), 'letters, digits, dot, underscore and dash');
SELECT ok(NOT pgq._valid_channel('.hidden') AND NOT pgq._valid_channel('..') AND NOT pgq._valid_channel('-x'),
          'a channel starts with a letter or digit');
SELECT ok(NOT pgq._valid_channel('caf' || chr(233)) AND NOT pgq._valid_channel('a b') AND NOT pgq._valid_channel('a/b'),
          'accents, spaces and slashes are not allowed');

-- The delivery API: lease, settle, dead letters, enqueue_once, configure.
SELECT has_table('pgq', 'dead_letter', 'dead-letter table exists');
SELECT has_table('pgq', 'dedup_key', 'dedup key table exists');
SELECT has_table('pgq', 'channel_settings', 'channel settings table exists');
SELECT columns_are('pgq', 'dead_letter', ARRAY['id', 'channel', 'message', 'created_at', 'deliveries', 'reason', 'dead_at', 'group_key']);
SELECT columns_are('pgq', 'dedup_key', ARRAY['channel', 'key', 'id', 'expires_at']);
SELECT columns_are('pgq', 'channel_settings', ARRAY['channel', 'max_deliveries', 'dedup_window']);
SELECT col_type_is('pgq', 'queue', 'visible_at', 'timestamp with time zone', 'queue.visible_at is timestamptz');
SELECT col_not_null('pgq', 'queue', 'visible_at', 'queue.visible_at is never null');
SELECT col_default_is('pgq', 'queue', 'visible_at', 'now()', 'queue.visible_at defaults to now()');
SELECT col_type_is('pgq', 'queue', 'deliveries', 'integer', 'queue.deliveries is integer');
SELECT col_type_is('pgq', 'queue', 'receipt', 'uuid', 'queue.receipt is uuid');
SELECT has_pk('pgq', 'dedup_key', 'one row per (channel, key)');
SELECT col_is_pk('pgq', 'dedup_key', ARRAY['channel', 'key'], 'the key is unique per channel');
SELECT has_index('pgq', 'dedup_key', 'dedup_key_expires_at', ARRAY['expires_at'], 'maintain sweeps keys by expiry');
SELECT has_index('pgq', 'dead_letter', 'dead_letter_channel_id', ARRAY['channel', 'id'], 'dead letters are listed per channel');

SELECT function_returns('pgq', 'lease', ARRAY['text', 'integer', 'integer'], 'setof pgq.leased_message');
SELECT function_returns('pgq', 'ack', ARRAY['text', 'bigint', 'uuid'], 'boolean');
SELECT function_returns('pgq', 'nack', ARRAY['text', 'bigint', 'uuid', 'integer'], 'boolean');
SELECT function_returns('pgq', 'extend_lease', ARRAY['text', 'bigint', 'uuid', 'integer'], 'boolean');
SELECT function_returns('pgq', 'configure', ARRAY['text', 'integer', 'interval'], 'pgq.channel_config');
SELECT function_returns('pgq', 'dead_letters', ARRAY['text', 'integer', 'integer'], 'setof pgq.dead_message');
SELECT function_returns('pgq', 'redrive', ARRAY['text'], 'integer');
SELECT function_returns('pgq', 'enqueue_once', ARRAY['text', 'jsonb', 'text', 'integer', 'text'], 'pgq.enqueued');

SELECT is(pg_get_function_arguments('pgq.lease(text, integer, integer)'::regprocedure),
    'channel text, visibility_seconds integer DEFAULT 30, take integer DEFAULT 1', 'lease parameter names and defaults');
SELECT is(pg_get_function_arguments('pgq.ack(text, bigint, uuid)'::regprocedure),
    'channel text, id bigint, receipt uuid', 'ack parameter names');
SELECT is(pg_get_function_arguments('pgq.nack(text, bigint, uuid, integer)'::regprocedure),
    'channel text, id bigint, receipt uuid, delay_seconds integer DEFAULT 0', 'nack parameter names and default');
SELECT is(pg_get_function_arguments('pgq.extend_lease(text, bigint, uuid, integer)'::regprocedure),
    'channel text, id bigint, receipt uuid, seconds integer', 'extend_lease parameter names');
SELECT is(pg_get_function_arguments('pgq.configure(text, integer, interval)'::regprocedure),
    'channel text, max_deliveries integer DEFAULT NULL::integer, dedup_window interval DEFAULT NULL::interval',
    'configure parameter names; omitted limits are NULL (unchanged)');
SELECT is(pg_get_function_arguments('pgq.dead_letters(text, integer, integer)'::regprocedure),
    'channel text, skip integer DEFAULT 0, take integer DEFAULT 25', 'dead_letters parameter names and defaults');
SELECT is(pg_get_function_arguments('pgq.redrive(text)'::regprocedure), 'channel text', 'redrive parameter name');
SELECT is(pg_get_function_arguments('pgq.enqueue_once(text, jsonb, text, integer, text)'::regprocedure),
    'channel text, message jsonb, dedup_key text, delay_seconds integer DEFAULT 0, group_key text DEFAULT NULL::text',
    'enqueue_once parameter names and defaults');

-- The row types are API: PostgREST and the gateway read these names.
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.leased_message'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['id', 'channel', 'message', 'created_at', 'deliveries', 'receipt', 'lease_expires_at', 'group_key'], 'pgq.leased_message columns');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.queued_message'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['id', 'channel', 'message', 'created_at', 'visible_at', 'deliveries', 'state', 'group_key'], 'pgq.queued_message (peek) columns');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.channel_stats'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['channel', 'depth', 'oldest_age_seconds', 'delayed', 'leased', 'dead', 'enqueued', 'consumed'],
    'pgq.channel_stats columns, new ones last');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.dead_message'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['id', 'channel', 'message', 'created_at', 'deliveries', 'reason', 'dead_at', 'group_key'], 'pgq.dead_message columns');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.enqueued'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['id', 'duplicate'], 'pgq.enqueued columns');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'pgq.channel_config'::regclass AND attnum > 0 ORDER BY attnum),
    ARRAY['channel', 'max_deliveries', 'dedup_window'], 'pgq.channel_config columns');

SELECT volatility_is('pgq', 'lease', ARRAY['text', 'integer', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'ack', ARRAY['text', 'bigint', 'uuid'], 'volatile');
SELECT volatility_is('pgq', 'nack', ARRAY['text', 'bigint', 'uuid', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'extend_lease', ARRAY['text', 'bigint', 'uuid', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'configure', ARRAY['text', 'integer', 'interval'], 'volatile');
SELECT volatility_is('pgq', 'dead_letters', ARRAY['text', 'integer', 'integer'], 'stable');
SELECT volatility_is('pgq', 'redrive', ARRAY['text'], 'volatile');
SELECT volatility_is('pgq', 'enqueue_once', ARRAY['text', 'jsonb', 'text', 'integer', 'text'], 'volatile');

SELECT is_definer('pgq', 'lease', ARRAY['text', 'integer', 'integer']);
SELECT is_definer('pgq', 'ack', ARRAY['text', 'bigint', 'uuid']);
SELECT is_definer('pgq', 'nack', ARRAY['text', 'bigint', 'uuid', 'integer']);
SELECT is_definer('pgq', 'extend_lease', ARRAY['text', 'bigint', 'uuid', 'integer']);
SELECT is_definer('pgq', 'configure', ARRAY['text', 'integer', 'interval']);
SELECT is_definer('pgq', 'dead_letters', ARRAY['text', 'integer', 'integer']);
SELECT is_definer('pgq', 'redrive', ARRAY['text']);
SELECT is_definer('pgq', 'enqueue_once', ARRAY['text', 'jsonb', 'text', 'integer', 'text']);

-- The admin role sets the limits; the client role drives the whole cycle, and reaches no table.
SET LOCAL ROLE pgq_admin;
SELECT lives_ok($$SELECT pgq.configure('cycle', max_deliveries => 2, dedup_window => '1 hour')$$, 'admin: configure');
SET LOCAL ROLE pgq_client;
SELECT lives_ok($$SELECT pgq.enqueue_once('cycle', '{"n": 1}', 'k1')$$, 'client: enqueue_once');
SELECT lives_ok($$SELECT pgq.enqueue('cycle', '{"n": 2}', 0)$$, 'client: enqueue with a delay argument');
SELECT lives_ok($$CREATE TEMP TABLE cycle AS SELECT * FROM pgq.lease('cycle', 30, 2)$$, 'client: lease');
SELECT ok((SELECT pgq.extend_lease('cycle', id, receipt, 60) FROM cycle WHERE message->>'n' = '1'), 'client: extend_lease');
SELECT ok((SELECT pgq.ack('cycle', id, receipt) FROM cycle WHERE message->>'n' = '1'), 'client: ack');
SELECT ok((SELECT pgq.nack('cycle', id, receipt) FROM cycle WHERE message->>'n' = '2'), 'client: nack');
SELECT lives_ok($$SELECT * FROM pgq.dead_letters('cycle')$$, 'client: dead_letters');
SET LOCAL ROLE pgq_admin;
SELECT lives_ok($$SELECT pgq.redrive('cycle')$$, 'admin: redrive');
SET LOCAL ROLE pgq_client;
SELECT throws_ok($$SELECT * FROM pgq.dead_letter$$, '42501', NULL, 'client cannot read the dead letters table');
SELECT throws_ok($$SELECT * FROM pgq.dedup_key$$, '42501', NULL, 'client cannot read the dedup keys');
SELECT throws_ok($$UPDATE pgq.channel_settings SET max_deliveries = 1$$, '42501', NULL, 'client cannot write channel settings directly');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
