-- Every bad input raises a named SQLSTATE (22004 null, 22023 invalid) with a readable message, and changes nothing.
BEGIN;
SELECT plan(96);

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

-- The delivery API, with a message held under a lease.
CREATE TEMP TABLE held AS SELECT * FROM pgq.lease('keep');
CREATE TEMP TABLE queue_before AS SELECT * FROM pgq.queue;

-- enqueue delay_seconds
SELECT throws_ok($$SELECT pgq.enqueue('two', '{}', -1)$$, '22023', 'delay_seconds must be between 0 and 604800, got -1', 'enqueue: negative delay');
SELECT throws_ok($$SELECT pgq.enqueue('two', '{}', 604801)$$, '22023', 'delay_seconds must be between 0 and 604800, got 604801', 'enqueue: delay over 7 days');
SELECT throws_ok($$SELECT pgq.enqueue('two', '{}', NULL)$$, '22004', 'delay_seconds must not be null', 'enqueue: NULL delay');
SELECT lives_ok($$SELECT pgq.enqueue('two', '{}') WHERE false$$, 'two-argument enqueue still resolves');

-- lease
SELECT throws_ok($$SELECT * FROM pgq.lease(NULL)$$, '22004', 'channel must not be null', 'lease: NULL channel');
SELECT throws_ok($$SELECT * FROM pgq.lease('a b')$$, '22023', NULL, 'lease: invalid channel');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', 0)$$, '22023', 'visibility_seconds must be between 1 and 43200, got 0', 'lease: visibility 0');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', 43201)$$, '22023', 'visibility_seconds must be between 1 and 43200, got 43201', 'lease: visibility over 12 hours');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', NULL)$$, '22004', 'visibility_seconds must not be null', 'lease: NULL visibility');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', 30, 0)$$, '22023', 'take must be between 1 and 100, got 0', 'lease: take 0');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', 30, 101)$$, '22023', 'take must be between 1 and 100, got 101', 'lease: take 101');
SELECT throws_ok($$SELECT * FROM pgq.lease('two', 30, NULL)$$, '22004', 'take must not be null', 'lease: NULL take');
SELECT lives_ok($$SELECT * FROM pgq.lease('two', 43200, 100) WHERE false$$, 'lease: the upper bounds are allowed');

-- ack, nack, extend_lease
SELECT throws_ok($$SELECT pgq.ack(NULL, 1, gen_random_uuid())$$, '22004', 'channel must not be null', 'ack: NULL channel');
SELECT throws_ok($$SELECT pgq.ack('..', 1, gen_random_uuid())$$, '22023', NULL, 'ack: invalid channel');
SELECT throws_ok($$SELECT pgq.ack('keep', NULL, gen_random_uuid())$$, '22004', 'id must not be null', 'ack: NULL id');
SELECT throws_ok($$SELECT pgq.ack('keep', 1, NULL)$$, '22004', 'receipt must not be null', 'ack: NULL receipt');
SELECT throws_ok($$SELECT pgq.ack('keep', 1, 'not-a-uuid')$$, '22P02', NULL, 'ack: a malformed receipt never reaches the function');
SELECT throws_ok($$SELECT pgq.nack(NULL, 1, gen_random_uuid())$$, '22004', NULL, 'nack: NULL channel');
SELECT throws_ok($$SELECT pgq.nack('keep', NULL, gen_random_uuid())$$, '22004', 'id must not be null', 'nack: NULL id');
SELECT throws_ok($$SELECT pgq.nack('keep', 1, NULL)$$, '22004', 'receipt must not be null', 'nack: NULL receipt');
SELECT throws_ok($$SELECT pgq.nack('keep', 1, gen_random_uuid(), -1)$$, '22023', 'delay_seconds must be between 0 and 43200, got -1', 'nack: negative delay');
SELECT throws_ok($$SELECT pgq.nack('keep', 1, gen_random_uuid(), 43201)$$, '22023', 'delay_seconds must be between 0 and 43200, got 43201', 'nack: delay over 12 hours');
SELECT throws_ok($$SELECT pgq.nack('keep', 1, gen_random_uuid(), NULL)$$, '22004', 'delay_seconds must not be null', 'nack: NULL delay');
SELECT throws_ok($$SELECT pgq.extend_lease('bad/channel', 1, gen_random_uuid(), 10)$$, '22023', NULL, 'extend_lease: invalid channel');
SELECT throws_ok($$SELECT pgq.extend_lease('keep', NULL, gen_random_uuid(), 10)$$, '22004', 'id must not be null', 'extend_lease: NULL id');
SELECT throws_ok($$SELECT pgq.extend_lease('keep', 1, NULL, 10)$$, '22004', 'receipt must not be null', 'extend_lease: NULL receipt');
SELECT throws_ok($$SELECT pgq.extend_lease('keep', 1, gen_random_uuid(), 0)$$, '22023', 'seconds must be between 1 and 43200, got 0', 'extend_lease: 0 seconds');
SELECT throws_ok($$SELECT pgq.extend_lease('keep', 1, gen_random_uuid(), 43201)$$, '22023', 'seconds must be between 1 and 43200, got 43201', 'extend_lease: over 12 hours');
SELECT throws_ok($$SELECT pgq.extend_lease('keep', 1, gen_random_uuid(), NULL)$$, '22004', 'seconds must not be null', 'extend_lease: NULL seconds');
-- A bad argument fails even with the current receipt: nothing is settled half-way.
SELECT throws_ok(format($$SELECT pgq.nack('keep', %s, %L, -1)$$, id, receipt), '22023', NULL, 'nack: bad delay with a good receipt') FROM held;
SELECT throws_ok(format($$SELECT pgq.extend_lease('keep', %s, %L, 0)$$, id, receipt), '22023', NULL, 'extend_lease: bad seconds with a good receipt') FROM held;

-- configure
SELECT throws_ok($$SELECT pgq.configure(NULL)$$, '22004', 'channel must not be null', 'configure: NULL channel');
SELECT throws_ok($$SELECT pgq.configure('', 3)$$, '22023', NULL, 'configure: empty channel');
SELECT throws_ok($$SELECT pgq.configure('two', 0)$$, '22023', 'max_deliveries must be between 1 and 1000, got 0', 'configure: max_deliveries 0');
SELECT throws_ok($$SELECT pgq.configure('two', 1001)$$, '22023', 'max_deliveries must be between 1 and 1000, got 1001', 'configure: max_deliveries 1001');
SELECT throws_ok($$SELECT pgq.configure('two', dedup_window => '0')$$, '22023', 'dedup_window must be more than 0 and at most 7 days, got 00:00:00', 'configure: zero window');
SELECT throws_ok($$SELECT pgq.configure('two', dedup_window => '-1 hour')$$, '22023', NULL, 'configure: negative window');
SELECT throws_ok($$SELECT pgq.configure('two', dedup_window => '7 days 1 second')$$, '22023', NULL, 'configure: window over 7 days');
SELECT throws_ok($$SELECT pgq.configure('two', dedup_window => '1 mon')$$, '22023', NULL, 'configure: a month is over 7 days');

-- dead_letters, redrive
SELECT throws_ok($$SELECT * FROM pgq.dead_letters(NULL)$$, '22004', 'channel must not be null', 'dead_letters: NULL channel');
SELECT throws_ok($$SELECT * FROM pgq.dead_letters('two', -1)$$, '22023', 'skip must be between 0 and 2147483647, got -1', 'dead_letters: negative skip');
SELECT throws_ok($$SELECT * FROM pgq.dead_letters('two', 0, 301)$$, '22023', 'take must be between 1 and 300, got 301', 'dead_letters: take 301');
SELECT throws_ok($$SELECT * FROM pgq.dead_letters('two', 0, NULL)$$, '22004', 'take must not be null', 'dead_letters: NULL take');
SELECT throws_ok($$SELECT * FROM pgq.dead_letters('two', NULL)$$, '22004', 'skip must not be null', 'dead_letters: NULL skip');
SELECT throws_ok($$SELECT * FROM pgq.dead_letters('two', 0, 0)$$, '22023', 'take must be between 1 and 300, got 0', 'dead_letters: take 0');
SELECT throws_ok($$SELECT pgq.redrive(NULL)$$, '22004', 'channel must not be null', 'redrive: NULL channel');
SELECT throws_ok($$SELECT pgq.redrive('.')$$, '22023', NULL, 'redrive: invalid channel');

-- enqueue_once
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '{}', NULL)$$, '22004', 'dedup_key must not be null', 'enqueue_once: NULL key');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '{}', '')$$, '22023', 'length of dedup_key must be between 1 and 128, got 0', 'enqueue_once: empty key');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '{}', repeat('k', 129))$$, '22023', 'length of dedup_key must be between 1 and 128, got 129', 'enqueue_once: 129-character key');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '[]', 'k')$$, '22023', 'message must be a JSON object, not array', 'enqueue_once: array message');
SELECT throws_ok($$SELECT pgq.enqueue_once(NULL, '{}', 'k')$$, '22004', 'channel must not be null', 'enqueue_once: NULL channel');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', NULL, 'k')$$, '22004', 'message must not be null', 'enqueue_once: NULL message');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '{}', 'k', NULL)$$, '22004', 'delay_seconds must not be null', 'enqueue_once: NULL delay');
SELECT throws_ok($$SELECT pgq.enqueue_once('two', '{}', 'k', 604801)$$, '22023', NULL, 'enqueue_once: delay over 7 days');

-- None of the above changed anything.
SELECT results_eq($$SELECT * FROM pgq.queue ORDER BY id$$, $$SELECT * FROM queue_before ORDER BY id$$, 'the queue is untouched');
SELECT is_empty($$SELECT FROM pgq.channel_settings UNION ALL SELECT FROM pgq.dead_letter UNION ALL SELECT FROM pgq.dedup_key$$,
    'no settings, dead letters or dedup keys were written');
SELECT is((SELECT count(*)::int FROM pgq.archive), 0, 'nothing was archived');

SELECT * FROM finish();
ROLLBACK;
