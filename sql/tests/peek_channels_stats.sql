-- peek never consumes; channels and stats describe what is queued.
BEGIN;
SELECT plan(16);

SELECT is_empty($$SELECT * FROM pgq.channels()$$, 'no channels while nothing is queued');
SELECT is_empty($$SELECT * FROM pgq.stats()$$, 'no stats while nothing is queued');

SELECT pgq.enqueue_batch('one', (SELECT jsonb_agg(jsonb_build_object('seq', g)) FROM generate_series(1, 40) AS g));
SELECT pgq.enqueue('two', '{"seq": 1}');
SELECT pgq.enqueue('abcd', '{"seq": 7}');

SELECT is((SELECT count(*)::int FROM pgq.peek('one')), 25, 'peek takes 25 by default');
SELECT results_eq($$SELECT message->>'seq' FROM pgq.peek('one', 28, 5)$$, ARRAY['29', '30', '31', '32', '33'],
    'peek skip 28 take 5 (the spec''s example, shifted to skip)');
SELECT is((SELECT count(*)::int FROM pgq.peek('one', 0, 300)), 40, 'peek take 300 returns all 40');
SELECT is_empty($$SELECT * FROM pgq.peek('one', 40, 10)$$, 'peek past the end returns nothing');
SELECT is((SELECT count(*)::int FROM pgq.queue WHERE channel = 'one'), 40, 'peek consumed nothing');
SELECT is((SELECT count(*)::int FROM pgq.archive), 0, 'peek archived nothing');

SELECT results_eq($$SELECT channel FROM pgq.channels()$$, ARRAY['abcd', 'one', 'two'], 'channels are listed sorted');
SELECT results_eq(
    $$SELECT channel, depth FROM pgq.stats()$$,
    $$VALUES ('abcd'::text, 1::bigint), ('one', 40), ('two', 1)$$,
    'stats gives the depth per channel');
SELECT ok((SELECT bool_and(oldest_age_seconds >= 0) FROM pgq.stats()), 'oldest_age_seconds is not negative');

UPDATE pgq.queue SET created_at = now() - interval '90 seconds' WHERE channel = 'two';
SELECT is((SELECT round(oldest_age_seconds)::int FROM pgq.stats() WHERE channel = 'two'), 90,
    'oldest_age_seconds measures the oldest message');

SELECT pgq.dequeue('two');
SELECT results_eq($$SELECT channel FROM pgq.channels()$$, ARRAY['abcd', 'one'], 'an emptied channel disappears from channels');
SELECT results_eq($$SELECT channel, depth, enqueued, consumed FROM pgq.stats() WHERE channel = 'two'$$,
    $$VALUES ('two'::text, 0::bigint, 1::bigint, 1::bigint)$$, 'stats keeps it, with depth 0 and its totals');

-- oldest_age_seconds is the age of the oldest READY message: an older leased
-- one and an older delayed one wait for no consumer, and do not count.
SELECT pgq.enqueue('later', '{"n": "leased"}');
SELECT id FROM pgq.lease('later');
SELECT pgq.enqueue('later', '{"n": "delayed"}', 3600);
SELECT pgq.enqueue('later', '{"n": "ready"}');
UPDATE pgq.queue SET created_at = now() - make_interval(secs => CASE message->>'n'
    WHEN 'leased' THEN 300 WHEN 'delayed' THEN 200 ELSE 30 END) WHERE channel = 'later';
SELECT results_eq(
    $$SELECT depth, round(oldest_age_seconds)::int, delayed, leased FROM pgq.stats() WHERE channel = 'later'$$,
    $$VALUES (1::bigint, 30, 1::bigint, 1::bigint)$$,
    'oldest_age_seconds is the oldest ready message''s age, not an older leased or delayed one''s');
SELECT id FROM pgq.lease('later');
SELECT is((SELECT oldest_age_seconds FROM pgq.stats() WHERE channel = 'later'), NULL,
    'oldest_age_seconds is null while nothing in the channel is ready');

SELECT * FROM finish();
ROLLBACK;
