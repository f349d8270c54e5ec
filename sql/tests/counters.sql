-- The running totals in pgq.stats(): consumed, from the archive plus the counters maintain() folds it into, and enqueued, derived.
BEGIN;
SELECT plan(15);

SELECT pgq.enqueue('c', '{"seq": 1}');
SELECT pgq.enqueue('c', '{"seq": 2}', delay_seconds => 60);
SELECT pgq.enqueue_batch('c', '[{"seq": 3}, {"seq": 4}, {"seq": 5}]');
SELECT results_eq($$SELECT enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$, $$VALUES (5::bigint, 0::bigint)$$,
    'enqueue, a delayed enqueue and a batch of 3 make 5 enqueued');
SELECT is_empty($$SELECT * FROM pgq.counter$$, 'enqueues write no counter');

SELECT pgq.dequeue('c', 2);
SELECT results_eq($$SELECT enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$, $$VALUES (5::bigint, 2::bigint)$$,
    'dequeue counts what it dequeues; enqueued stays');
SELECT is_empty($$SELECT * FROM pgq.counter$$, 'dequeue writes no counter: its archive rows are the count');

CREATE TEMP TABLE leased AS SELECT * FROM pgq.lease('c', take => 2);
SELECT results_eq($$SELECT enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$, $$VALUES (5::bigint, 2::bigint)$$,
    'a lease changes neither');
SELECT pgq.nack('c', id, receipt) FROM leased WHERE message->>'seq' = '5';
SELECT ok(NOT pgq.ack('c', id, receipt), 'a stale receipt does not ack') FROM leased WHERE message->>'seq' = '5';
SELECT pgq.ack('c', id, receipt) FROM leased WHERE message->>'seq' = '4';
SELECT results_eq($$SELECT enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$, $$VALUES (5::bigint, 3::bigint)$$,
    'only the ack counts: not the nack, not the stale ack');

-- Dead letters are still counted as enqueued, and a redrive does not count them twice.
SELECT pgq.configure('c', max_deliveries => 1);
UPDATE pgq.queue SET visible_at = now() WHERE channel = 'c';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT pgq.lease('c', take => 100);
UPDATE pgq.queue SET visible_at = now() WHERE channel = 'c';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT pgq.lease('c', take => 100);
SELECT results_eq($$SELECT dead, enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$,
    $$VALUES (2::bigint, 5::bigint, 3::bigint)$$, 'dead-lettering keeps the enqueued total');
SELECT pgq.redrive('c');
SELECT is((SELECT enqueued FROM pgq.stats() WHERE channel = 'c'), 5::bigint, 'and so does a redrive');

SELECT pgq.enqueue_once('c', '{"seq": 6}', 'k');
SELECT pgq.enqueue_once('c', '{"seq": 6}', 'k');
SELECT throws_ok($$SELECT pgq.enqueue_batch('c', '[{"seq": 7}, 8]')$$, '22023', NULL, 'a rejected batch');
SELECT is((SELECT enqueued FROM pgq.stats() WHERE channel = 'c'), 6::bigint, 'a duplicate and a rejected batch count nothing');

SELECT pgq.dequeue('empty');
SELECT is_empty($$SELECT * FROM pgq.counter WHERE channel = 'empty'$$, 'an empty poll writes no counter');

-- The folded total and the archive rows not folded yet add up.
INSERT INTO pgq.counter (channel, consumed) VALUES ('c', 30);
SELECT results_eq($$SELECT enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$, $$VALUES (36::bigint, 33::bigint)$$,
    'stats adds the folded total and the archive rows not folded yet');
SELECT pgq._count_consumed('folded', 2);
SELECT pgq._count_consumed('folded', 3);
SELECT results_eq($$SELECT channel COLLATE "default", consumed FROM pgq.counter WHERE channel = 'folded'$$,
    $$VALUES ('folded', 5::bigint)$$, 'what the fold and the purge count adds into the channel''s one row');

SELECT pgq.dequeue('c', 100);
SELECT pgq.purge_archive('0');
SELECT results_eq($$SELECT depth + delayed + leased + dead, enqueued, consumed FROM pgq.stats() WHERE channel = 'c'$$,
    $$VALUES (0::bigint, 36::bigint, 36::bigint)$$, 'an emptied and purged channel keeps its totals in stats');

SELECT * FROM finish();
ROLLBACK;
