-- A message nests at most max_message_depth (200) levels and takes at most max_message_bytes (1 MiB) of JSON
-- text, on every path that stores one: past either, 54000 (program_limit_exceeded) names the parameter, the
-- rule and the value, and nothing is stored. The shortcuts of pgq._message_fits() are checked at their bounds.
BEGIN;
SELECT plan(27);

-- nested(n): an object nested n levels deep; flat(n): an object of exactly n bytes as JSON text.
CREATE FUNCTION pg_temp.nested(levels integer) RETURNS jsonb LANGUAGE sql
RETURN (repeat('{"x":', levels - 1) || '{}' || repeat('}', levels - 1))::jsonb;
CREATE FUNCTION pg_temp.flat(bytes integer) RETURNS jsonb LANGUAGE sql
RETURN jsonb_build_object('s', repeat('x', bytes - 9));  -- {"s": "..."} is 9 bytes besides the x's

SELECT is((SELECT array_agg(l.value ORDER BY l.name) FROM pgq.limits() AS l
           WHERE l.name IN ('max_message_bytes', 'max_message_depth')), ARRAY[1048576, 200]::bigint[],
          'pgq.limits(): max_message_bytes 1048576, max_message_depth 200');
SELECT is(octet_length(pg_temp.flat(1048576)::text), 1048576, 'flat(1048576) is 1 MiB of JSON text');

-- depth: 200 is fine, 201 is refused, on the three paths
SELECT lives_ok($$SELECT pgq.enqueue('limits', pg_temp.nested(200))$$, 'enqueue: nested 200 deep');
SELECT throws_ok($$SELECT pgq.enqueue('limits', pg_temp.nested(201))$$, '54000',
    'message must nest at most 200 levels deep, got 201', 'enqueue: nested 201 deep');
SELECT lives_ok($$SELECT pgq.enqueue_once('limits', pg_temp.nested(200), 'deep-200')$$, 'enqueue_once: nested 200 deep');
SELECT throws_ok($$SELECT pgq.enqueue_once('limits', pg_temp.nested(201), 'deep-201')$$, '54000',
    'message must nest at most 200 levels deep, got 201', 'enqueue_once: nested 201 deep');
SELECT lives_ok($$SELECT pgq.enqueue_batch('limits', jsonb_build_array('{}'::jsonb, pg_temp.nested(200)))$$,
    'enqueue_batch: nested 200 deep');
SELECT throws_ok($$SELECT pgq.enqueue_batch('limits', jsonb_build_array('{}'::jsonb, pg_temp.nested(201), pg_temp.nested(300)))$$,
    '54000', 'messages[1] must nest at most 200 levels deep, got 201', 'enqueue_batch: names the first element nested 201 deep');
SELECT throws_ok($$SELECT pgq.enqueue('limits', pg_temp.nested(300))$$, '54000',
    'message must nest at most 200 levels deep, got 300', 'enqueue: issue 19''s 300 levels, the depth counted');
SELECT throws_ok($$SELECT pgq.enqueue('limits', jsonb_build_object('s', repeat('[{', 300), 'd', pg_temp.nested(200)))$$,
    '54000', 'message must nest at most 200 levels deep, got 201', 'enqueue: brackets inside strings are not levels');

-- size: exactly 1 MiB is fine, one byte more is refused, on the three paths
SELECT lives_ok($$SELECT pgq.enqueue('limits', pg_temp.flat(1048576))$$, 'enqueue: exactly 1 MiB');
SELECT throws_ok($$SELECT pgq.enqueue('limits', pg_temp.flat(1048577))$$, '54000',
    'message must take at most 1048576 bytes as JSON text, got 1048577', 'enqueue: 1 MiB and a byte');
SELECT lives_ok($$SELECT pgq.enqueue_once('limits', pg_temp.flat(1048576), 'big-1')$$, 'enqueue_once: exactly 1 MiB');
SELECT throws_ok($$SELECT pgq.enqueue_once('limits', pg_temp.flat(1048577), 'big-2')$$, '54000',
    'message must take at most 1048576 bytes as JSON text, got 1048577', 'enqueue_once: 1 MiB and a byte');
SELECT lives_ok($$SELECT pgq.enqueue_batch('limits', jsonb_build_array(pg_temp.flat(1048576), '{}'::jsonb))$$,
    'enqueue_batch: exactly 1 MiB');
SELECT throws_ok($$SELECT pgq.enqueue_batch('limits', jsonb_build_array('{}'::jsonb, '{}'::jsonb, pg_temp.flat(1048577)))$$,
    '54000', 'messages[2] must take at most 1048576 bytes as JSON text, got 1048577', 'enqueue_batch: 1 MiB and a byte');

-- The shortcuts' bounds. Depth: a value nested 201 deep takes at least 8 * 201 - 3 bytes of jsonb, so
-- nothing under that is walked; the smallest such message (an object over 200 empty arrays) is refused.
SELECT cmp_ok(pg_column_size(('{"":' || repeat('[', 200) || repeat(']', 200) || '}')::jsonb), '>=', 8 * 201 - 3,
    'the smallest message nested 201 deep takes at least 8 * 201 - 3 bytes of jsonb');
SELECT throws_ok($$SELECT pgq.enqueue('limits', ('{"":' || repeat('[', 200) || repeat(']', 200) || '}')::jsonb)$$, '54000',
    'message must nest at most 200 levels deep, got 201', 'enqueue: the smallest message nested 201 deep');
-- Size: a number writes far more text than it stores, so the stored size proves nothing past 71 bytes;
-- eight numbers of 147,457 characters each store in under 200 bytes and write more than 1 MiB.
CREATE TEMP TABLE wide AS
SELECT jsonb_build_object('n', jsonb_agg(('1' || repeat('0', 131071) || '.' || repeat('0', 16383))::numeric)) AS message
FROM generate_series(1, 8);
SELECT ok((SELECT pg_column_size(message) < 200 AND octet_length(message::text) > 1048576 FROM wide),
    'eight long numbers: under 200 bytes of jsonb, over 1 MiB of text');
SELECT throws_ok($$SELECT pgq.enqueue('limits', (SELECT message FROM wide))$$, '54000', NULL,
    'enqueue: measures the text, not the stored size');
-- A compressed value (read from a table) stores fewer bytes than it holds: it is always measured.
CREATE TEMP TABLE packed AS SELECT jsonb_build_object('pad', repeat('x', 5000), 'deep', pg_temp.nested(200)) AS message;
SELECT ok((SELECT pg_column_compression(message) IS NOT NULL AND pg_column_size(message) < 8 * 201 - 3 FROM packed),
    'a compressed message nested 201 deep stores fewer than 8 * 201 - 3 bytes');
SELECT throws_ok($$SELECT pgq.enqueue('limits', message) FROM packed$$, '54000',
    'message must nest at most 200 levels deep, got 201', 'enqueue: a compressed message is walked');
-- In an ordered group too: the message is refused before its group is locked or joined.
SELECT throws_ok($$SELECT pgq.enqueue('limits', pg_temp.nested(201), group_key => 'g')$$, '54000',
    'message must nest at most 200 levels deep, got 201', 'enqueue with a group_key: nested 201 deep');
SELECT throws_ok($$SELECT pgq.enqueue_batch('limits', jsonb_build_array('{}'::jsonb, pg_temp.flat(1048577)), group_key => 'g')$$,
    '54000', 'messages[1] must take at most 1048576 bytes as JSON text, got 1048577',
    'enqueue_batch with a group_key: 1 MiB and a byte');
SELECT is_empty($$SELECT FROM pgq.message_group WHERE channel = 'limits'$$, 'a refused message leaves no group behind');
-- Nothing refused was stored: the accepted messages only, and no dedup key of a refused call.
SELECT is((SELECT count(*) FROM pgq.queue WHERE channel = 'limits'), 8::bigint,
    'the queue holds the 8 accepted messages and none of the refused');
SELECT is((SELECT array_agg(key ORDER BY key) FROM pgq.dedup_key WHERE channel = 'limits'), ARRAY['big-1', 'deep-200']::text[],
    'enqueue_once recorded the keys of the accepted messages only');
SELECT * FROM finish();
ROLLBACK;
