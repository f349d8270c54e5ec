-- Every bad input raises a named SQLSTATE with a readable message, and changes nothing.
BEGIN;
SELECT plan(37);

SELECT pgq.enqueue('keep', '{"seq": 1}');

-- channel
SELECT throws_ok($$SELECT pgq.enqueue(NULL, '{}')$$, '22004', 'channel must not be null', 'enqueue: NULL channel');
SELECT throws_ok($$SELECT pgq.enqueue('', '{}')$$, '22023',
    'channel must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit', 'enqueue: empty channel');
SELECT throws_ok($$SELECT pgq.enqueue(repeat('x', 65), '{}')$$, '22023', NULL, 'enqueue: 65-character channel');
SELECT throws_ok($$SELECT pgq.enqueue('abcdefghijk', '{}') WHERE false UNION ALL SELECT pgq.enqueue('..', '{}')$$, '22023', NULL, 'enqueue: ".." channel');
SELECT throws_ok($$SELECT pgq.enqueue('a/b', '{}')$$, '22023', NULL, 'enqueue: slash in channel');
SELECT throws_ok($$SELECT pgq.enqueue('two''; DROP TABLE pgq.queue; --', '{}')$$, '22023', NULL, 'enqueue: injection string as channel');
SELECT throws_ok($$SELECT pgq.enqueue('🚀', '{}')$$, '22023', NULL, 'enqueue: emoji channel');
SELECT throws_ok($$SELECT * FROM pgq.dequeue(NULL)$$, '22004', NULL, 'dequeue: NULL channel');
SELECT throws_ok($$SELECT * FROM pgq.dequeue('bad channel')$$, '22023', NULL, 'dequeue: invalid channel');
SELECT throws_ok($$SELECT * FROM pgq.peek('.')$$, '22023', NULL, 'peek: "." channel');
SELECT throws_ok($$SELECT * FROM pgq.enqueue_batch('', '[{}]')$$, '22023', NULL, 'enqueue_batch: empty channel');
SELECT lives_ok($$SELECT pgq.enqueue(repeat('x', 64), '{}')$$, 'a 64-character channel is fine (varchar(10) is gone)');

-- message
SELECT throws_ok($$SELECT pgq.enqueue('two', NULL)$$, '22004', 'message must not be null', 'enqueue: NULL message');
SELECT throws_ok($$SELECT pgq.enqueue('two', '[1, 2]')$$, '22023', 'message must be a JSON object, not array', 'enqueue: array message');
SELECT throws_ok($$SELECT pgq.enqueue('two', '"text"')$$, '22023', 'message must be a JSON object, not string', 'enqueue: string message');
SELECT throws_ok($$SELECT pgq.enqueue('two', '42')$$, '22023', 'message must be a JSON object, not number', 'enqueue: number message');
SELECT throws_ok($$SELECT pgq.enqueue('two', 'null')$$, '22023', 'message must be a JSON object, not null', 'enqueue: JSON null message');
SELECT throws_ok($$SELECT pgq.enqueue('two', '{"a": "\u0000"}')$$, '22P05', NULL, 'enqueue: \u0000 inside JSON is rejected by jsonb');

-- messages (batch)
SELECT throws_ok($$SELECT pgq.enqueue_batch('two', NULL)$$, '22004', 'messages must not be null', 'enqueue_batch: NULL');
SELECT throws_ok($$SELECT pgq.enqueue_batch(NULL, '[{}]')$$, '22004', 'channel must not be null', 'enqueue_batch: NULL channel');
SELECT throws_ok($$SELECT pgq.enqueue_batch('two', '{}')$$, '22023', 'messages must be a JSON array of objects, not object', 'enqueue_batch: object');
SELECT throws_ok($$SELECT pgq.enqueue_batch('two', '[]')$$, '22023', 'number of messages must be between 1 and 10000, got 0', 'enqueue_batch: empty array');
SELECT throws_ok($$SELECT pgq.enqueue_batch('two', '[{}, 1, {}]')$$, '22023', 'messages[1] must be a JSON object, not number', 'enqueue_batch: names the bad element');
SELECT throws_ok($$SELECT pgq.enqueue_batch('two', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 10001)))$$,
    '22023', NULL, 'enqueue_batch: more than 10000 messages');

-- take and skip
SELECT throws_ok($$SELECT * FROM pgq.dequeue('two', 0)$$, '22023', 'take must be between 1 and 100, got 0', 'dequeue: take 0');
SELECT throws_ok($$SELECT * FROM pgq.dequeue('two', 101)$$, '22023', 'take must be between 1 and 100, got 101', 'dequeue: take 101');
SELECT throws_ok($$SELECT * FROM pgq.dequeue('two', NULL)$$, '22004', 'take must not be null', 'dequeue: NULL take');
SELECT throws_ok($$SELECT * FROM pgq.peek('two', -1)$$, '22023', NULL, 'peek: negative skip');
SELECT throws_ok($$SELECT * FROM pgq.peek('two', NULL)$$, '22004', 'skip must not be null', 'peek: NULL skip');
SELECT throws_ok($$SELECT * FROM pgq.peek('two', 0, 0)$$, '22023', 'take must be between 1 and 300, got 0', 'peek: take 0');
SELECT throws_ok($$SELECT * FROM pgq.peek('two', 0, 301)$$, '22023', 'take must be between 1 and 300, got 301', 'peek: take 301');
SELECT throws_ok($$SELECT * FROM pgq.peek('two', 0, NULL)$$, '22004', NULL, 'peek: NULL take');

-- purge_archive
SELECT throws_ok($$SELECT pgq.purge_archive(NULL)$$, '22004', 'older_than must not be null', 'purge_archive: NULL');
SELECT throws_ok($$SELECT pgq.purge_archive('-1 day')$$, '22023', NULL, 'purge_archive: negative interval');

-- A wrong type never reaches the function: PostgreSQL names it (22P02).
SELECT throws_ok($$SELECT pgq.enqueue('two', 'not json')$$, '22P02', NULL, 'enqueue: text that is not JSON');

-- None of the above changed anything.
SELECT results_eq($$SELECT channel COLLATE "default", message FROM pgq.queue ORDER BY id$$,
    $$VALUES ('keep'::text, '{"seq": 1}'::jsonb), (repeat('x', 64), '{}')$$, 'bad input left the queue untouched');
SELECT is((SELECT count(*)::int FROM pgq.archive), 0, 'and the archive');

SELECT * FROM finish();
ROLLBACK;
