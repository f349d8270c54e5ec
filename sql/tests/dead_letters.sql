-- configure and dead letters: a message delivered max_deliveries times is dead-lettered by the next lease.
BEGIN;
SELECT plan(28);

-- configure
SELECT results_eq($$SELECT * FROM pgq.configure('fresh')$$, $$VALUES ('fresh'::text, 5, interval '24 hours')$$,
    'defaults: 5 deliveries, 24-hour dedup window');
SELECT is_empty($$SELECT FROM pgq.channel_settings WHERE channel = 'fresh'$$, 'reading the limits stores nothing');
SELECT results_eq($$SELECT * FROM pgq.configure('tuned', max_deliveries => 3)$$, $$VALUES ('tuned'::text, 3, interval '24 hours')$$,
    'configure max_deliveries alone');
SELECT results_eq($$SELECT * FROM pgq.configure('tuned', dedup_window => '1 hour')$$, $$VALUES ('tuned'::text, 3, interval '1 hour')$$,
    'then dedup_window alone keeps max_deliveries');
SELECT results_eq($$SELECT * FROM pgq.configure(channel => 'tuned')$$, $$VALUES ('tuned'::text, 3, interval '1 hour')$$,
    'and both are stored');
SELECT results_eq($$SELECT * FROM pgq.configure('edge', 1000, '7 days')$$, $$VALUES ('edge'::text, 1000, interval '7 days')$$,
    'the upper bounds are allowed');
SELECT results_eq($$SELECT * FROM pgq.configure('edge', 1, '1 second')$$, $$VALUES ('edge'::text, 1, interval '1 second')$$,
    'and the lower ones');

-- max_deliveries 2: two leases, then the third lease buries it and serves the next message instead.
SELECT pgq.configure('poison', max_deliveries => 2);
SELECT pgq.enqueue_batch('poison', '[{"n": 1}, {"n": 2}]');
CREATE TEMP TABLE poisoned AS SELECT id FROM pgq.queue WHERE channel = 'poison' AND message->>'n' = '1';
SELECT results_eq($$SELECT message->>'n', deliveries FROM pgq.lease('poison')$$, $$VALUES ('1', 1)$$, 'first delivery');
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 'poison';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT results_eq($$SELECT message->>'n', deliveries FROM pgq.lease('poison')$$, $$VALUES ('1', 2)$$, 'second delivery');
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 'poison';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT results_eq($$SELECT message->>'n', deliveries FROM pgq.lease('poison')$$, $$VALUES ('2', 1)$$,
    'the third lease dead-letters the spent message and leases the next one in its place');
SELECT results_eq($$SELECT id, channel, message, deliveries FROM pgq.dead_letters('poison')$$,
    $$SELECT id, 'poison'::text, '{"n": 1}'::jsonb, 2 FROM poisoned$$, 'dead_letters lists it, same id, with its delivery count');
SELECT is((SELECT reason FROM pgq.dead_letters('poison')), 'not acknowledged after 2 deliveries (max_deliveries 2)',
    'and the reason');
SELECT ok((SELECT dead_at BETWEEN now() AND clock_timestamp() FROM pgq.dead_letters('poison')), 'and the time');
SELECT is((SELECT count(*)::int FROM pgq.queue WHERE message->>'n' = '1' AND channel = 'poison'), 0,
    'a dead letter is no longer queued');

-- The default is 5 deliveries.
SELECT pgq.enqueue('five', '{}');
SELECT pgq.lease('five') FROM generate_series(1, 5);
SELECT is((SELECT deliveries FROM pgq.queue WHERE channel = 'five'), 1, 'one lease per call while leased');
DO $$
BEGIN
    FOR i IN 2..5 LOOP
        UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 'five';
        DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
        PERFORM pgq.lease('five');
    END LOOP;
    UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 'five';
    DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
END
$$;
SELECT is((SELECT deliveries FROM pgq.queue WHERE channel = 'five'), 5, 'five deliveries by default');
SELECT is_empty($$SELECT * FROM pgq.lease('five')$$, 'the sixth lease finds it spent');
SELECT results_eq($$SELECT deliveries FROM pgq.dead_letters('five')$$, ARRAY[5], 'and dead-letters it');

-- A nack counts as a delivery too.
SELECT pgq.configure('once', max_deliveries => 1);
SELECT pgq.enqueue('once', '{}');
CREATE TEMP TABLE once AS SELECT * FROM pgq.lease('once');
SELECT pgq.nack('once', (SELECT id FROM once), (SELECT receipt FROM once));
SELECT is_empty($$SELECT * FROM pgq.lease('once')$$, 'max_deliveries 1: after a nack the next lease dead-letters it');
SELECT is((SELECT count(*)::int FROM pgq.dead_letters('once')), 1, 'and it is a dead letter');

-- dead_letters pages oldest first; redrive puts them back at their ids, deliveries reset.
SELECT pgq.configure('bulk', max_deliveries => 1);
SELECT pgq.enqueue_batch('bulk', (SELECT jsonb_agg(jsonb_build_object('n', g)) FROM generate_series(1, 5) AS g));
SELECT pgq.lease('bulk', 30, 5);
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 'bulk';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT is_empty($$SELECT * FROM pgq.lease('bulk', 30, 5)$$, 'five spent messages: the lease buries all five');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dead_letters('bulk', skip => 1, take => 2)$$, ARRAY['2', '3'],
    'dead_letters skip and take, oldest first');
SELECT is((SELECT count(*)::int FROM pgq.dead_letters('bulk')), 5, 'all five listed by default');
SELECT is_empty($$SELECT * FROM pgq.dead_letters('poison', 1)$$, 'past the end: nothing');

CREATE TEMP TABLE buried AS SELECT id FROM pgq.dead_letter WHERE channel = 'bulk';
SELECT pgq.enqueue('bulk', '{"n": 6}');
SELECT is(pgq.redrive('bulk'), 5, 'redrive returns how many it moved');
SELECT results_eq($$SELECT message->>'n', deliveries FROM pgq.lease('bulk', 30, 100)$$,
    $$VALUES ('1', 1), ('2', 1), ('3', 1), ('4', 1), ('5', 1), ('6', 1)$$,
    'redriven messages are ready again at their own ids, ahead of newer ones, deliveries reset');
SELECT is(pgq.redrive('bulk'), 0, 'a second redrive has nothing to move');
SELECT is_empty($$SELECT * FROM pgq.dead_letters('bulk')$$, 'and the channel has no dead letters');

SELECT * FROM finish();
ROLLBACK;
