-- Enqueue and dequeue: FIFO per channel, channels apart, empty means no rows, consumed means archived.
BEGIN;
SELECT plan(20);

SELECT lives_ok($$SELECT pgq.enqueue('one', '{"seq": 1}')$$, 'enqueue a message');
SELECT isnt(pgq.enqueue('one', '{"seq": 2}'), NULL, 'enqueue returns the new id');
SELECT pgq.enqueue('two', '{"seq": 100}');
SELECT pgq.enqueue('one', '{"seq": 3}');

SELECT results_eq(
    $$SELECT message->>'seq' FROM pgq.peek('one')$$,
    ARRAY['1', '2', '3'],
    'peek lists a channel oldest first');

SELECT results_eq($$SELECT message FROM pgq.dequeue('one')$$, $$VALUES ('{"seq": 1}'::jsonb)$$, 'dequeue takes the oldest');
SELECT results_eq($$SELECT message FROM pgq.dequeue('two')$$, $$VALUES ('{"seq": 100}'::jsonb)$$, 'channels do not interfere');
SELECT results_eq($$SELECT message FROM pgq.dequeue('one')$$, $$VALUES ('{"seq": 2}'::jsonb)$$, 'then the next oldest');
SELECT is_empty($$SELECT * FROM pgq.dequeue('two')$$, 'an empty channel gives zero rows, never a placeholder');
SELECT is_empty($$SELECT * FROM pgq.dequeue('never-used')$$, 'an unknown channel gives zero rows');

SELECT is((SELECT count(*)::int FROM pgq.archive), 3, 'consumed messages land in the archive');
SELECT results_eq(
    $$SELECT channel COLLATE "default", message FROM pgq.archive ORDER BY id$$,
    $$VALUES ('one'::text, '{"seq": 1}'::jsonb), ('one', '{"seq": 2}'), ('two', '{"seq": 100}')$$,
    'the archive keeps channel and message');
SELECT ok((SELECT bool_and(consumed_at IS NOT NULL AND consumed_at >= created_at) FROM pgq.archive), 'consumed_at is set');
SELECT is_empty(
    $$SELECT id FROM pgq.queue INTERSECT SELECT id FROM pgq.archive$$,
    'no message is both queued and archived');

-- take: several at once, oldest first, and never more than there are.
SELECT pgq.enqueue_batch('batch', '[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}, {"n": 5}]');
SELECT results_eq(
    $$SELECT message->>'n' FROM pgq.dequeue('batch', 3)$$, ARRAY['1', '2', '3'], 'dequeue take => 3 returns three, oldest first');
SELECT results_eq(
    $$SELECT message->>'n' FROM pgq.dequeue(channel => 'batch', take => 100)$$, ARRAY['4', '5'], 'take beyond the depth returns what there is');

-- enqueue_batch: ids in input order, all in one channel.
CREATE TEMP TABLE batch_ids AS
SELECT b.id, b.position FROM pgq.enqueue_batch('order', '[{"k": "c"}, {"k": "a"}, {"k": "b"}]') WITH ORDINALITY AS b(id, position);
SELECT results_eq(
    $$SELECT q.message->>'k' FROM batch_ids AS b JOIN pgq.queue AS q USING (id) ORDER BY b.position$$,
    ARRAY['c', 'a', 'b'], 'enqueue_batch returns ids in input order');
SELECT results_eq(
    $$SELECT message->>'k' FROM pgq.dequeue('order', 3)$$, ARRAY['c', 'a', 'b'], 'and they are consumed in input order');

-- created_at comes from the server clock.
SELECT pgq.enqueue('clock', '{}');
SELECT ok((SELECT created_at = now() FROM pgq.queue WHERE channel = 'clock'), 'created_at defaults to now()');

-- Named arguments work as DBAs type them.
SELECT isnt(pgq.enqueue(channel => 'named', message => '{"a": 1}'), NULL, 'enqueue with named arguments');
SELECT results_eq($$SELECT message FROM pgq.dequeue(channel => 'named')$$, $$VALUES ('{"a": 1}'::jsonb)$$, 'dequeue with named arguments');
SELECT is((SELECT count(*)::int FROM pgq.dequeue('named')), 0, 'and the channel is empty afterwards');

SELECT * FROM finish();
ROLLBACK;
