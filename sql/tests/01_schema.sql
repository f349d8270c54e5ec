-- The pgq API's shape: signatures, return types, volatility, security, comments.
BEGIN;
SELECT plan(54);

SELECT has_schema('pgq');
SELECT has_table('pgq', 'queue', 'queue table exists');
SELECT has_table('pgq', 'archive', 'archive table exists');
SELECT has_table('pgq', 'settings', 'settings table exists');
SELECT columns_are('pgq', 'queue', ARRAY['id', 'channel', 'message', 'created_at', 'visible_at', 'deliveries', 'receipt']);
SELECT columns_are('pgq', 'archive', ARRAY['id', 'channel', 'message', 'created_at', 'consumed_at', 'consumed_xid']);
SELECT col_type_is('pgq', 'queue', 'id', 'bigint', 'queue.id is bigint');
SELECT col_type_is('pgq', 'queue', 'channel', 'text', 'queue.channel is text');
SELECT col_type_is('pgq', 'queue', 'message', 'jsonb', 'queue.message is jsonb');
SELECT col_type_is('pgq', 'queue', 'created_at', 'timestamp with time zone', 'queue.created_at is timestamp with time zone');
SELECT col_default_is('pgq', 'queue', 'created_at', 'now()', 'queue.created_at defaults to now()');
SELECT has_index('pgq', 'queue', 'queue_channel_id', ARRAY['channel', 'id'], 'an index serves oldest-first per channel');
SELECT col_type_is('pgq', 'archive', 'consumed_at', 'timestamp with time zone', 'archive.consumed_at is timestamptz');

-- Signatures: parameter names are public API (PostgREST JSON keys, psql named arguments).
SELECT function_returns('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer'], 'bigint');
SELECT function_returns('pgq', 'enqueue_batch', ARRAY['text', 'jsonb'], 'setof bigint');
SELECT function_returns('pgq', 'dequeue', ARRAY['text', 'integer'], 'setof pgq.message');
SELECT function_returns('pgq', 'peek', ARRAY['text', 'integer', 'integer'], 'setof pgq.queued_message');
SELECT function_returns('pgq', 'channels', ARRAY[]::text[], 'setof text');
SELECT function_returns('pgq', 'stats', ARRAY[]::text[], 'setof pgq.channel_stats');
SELECT function_returns('pgq', 'purge_archive', ARRAY['interval'], 'bigint');
SELECT function_returns('pgq', 'maintain', ARRAY[]::text[], 'jsonb');

SELECT is(pg_get_function_arguments('pgq.enqueue(text, jsonb, integer)'::regprocedure),
          'channel text, message jsonb, delay_seconds integer DEFAULT 0', 'enqueue parameter names and default');
SELECT is(pg_get_function_arguments('pgq.enqueue_batch(text, jsonb)'::regprocedure),
          'channel text, messages jsonb', 'enqueue_batch parameter names');
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

SELECT volatility_is('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'enqueue_batch', ARRAY['text', 'jsonb'], 'volatile');
SELECT volatility_is('pgq', 'dequeue', ARRAY['text', 'integer'], 'volatile');
SELECT volatility_is('pgq', 'peek', ARRAY['text', 'integer', 'integer'], 'stable');
SELECT volatility_is('pgq', 'channels', ARRAY[]::text[], 'stable');
SELECT volatility_is('pgq', 'stats', ARRAY[]::text[], 'stable');
SELECT volatility_is('pgq', 'maintain', ARRAY[]::text[], 'volatile');

SELECT is_definer('pgq', 'enqueue', ARRAY['text', 'jsonb', 'integer']);
SELECT is_definer('pgq', 'enqueue_batch', ARRAY['text', 'jsonb']);
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

SELECT * FROM finish();
ROLLBACK;
