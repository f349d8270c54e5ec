-- The state table: ready, delayed, leased, dead, consumed, as dequeue, lease, peek and stats see them.
BEGIN;
SELECT plan(22);

-- One message in each state, in one channel, oldest first: delayed, leased, dead, consumed, ready.
SELECT pgq.configure('s', max_deliveries => 1);
CREATE TEMP TABLE delayed AS SELECT pgq.enqueue('s', '{"n": "delayed"}', delay_seconds => 60) AS id;
SELECT pgq.enqueue('s', '{"n": "leased"}');
SELECT pgq.enqueue('s', '{"n": "dead"}');
CREATE TEMP TABLE leased AS SELECT * FROM pgq.lease('s', 60, 2);
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE message->>'n' = 'dead';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT pgq.enqueue('s', '{"n": "consumed"}');
SELECT pgq.enqueue('s', '{"n": "ready"}');
CREATE TEMP TABLE consumed AS SELECT * FROM pgq.lease('s');
SELECT results_eq($$SELECT message->>'n' FROM consumed$$, ARRAY['consumed'],
    'lease passes over the delayed and leased ones, buries the spent one and leases the next');
SELECT ok(pgq.ack('s', id, receipt), 'which is acked') FROM consumed;
SELECT results_eq($$SELECT message->>'n' FROM pgq.dead_letters('s')$$, ARRAY['dead'], 'the spent one is a dead letter');

SELECT results_eq($$SELECT message->>'n', state FROM pgq.peek('s')$$,
    $$VALUES ('delayed', 'delayed'), ('leased', 'leased'), ('ready', 'ready')$$,
    'peek shows delayed, leased and ready messages with their state, oldest first; not dead or consumed ones');
SELECT results_eq($$SELECT visible_at FROM pgq.peek('s') WHERE state = 'delayed'$$,
    $$SELECT visible_at FROM pgq.queue WHERE id = (SELECT id FROM delayed)$$, 'a delayed message shows its visible_at');
SELECT ok((SELECT visible_at BETWEEN now() + interval '60 seconds' AND clock_timestamp() + interval '60 seconds'
           FROM pgq.peek('s') WHERE state = 'delayed'), 'which is the enqueue time plus the delay');
SELECT results_eq($$SELECT visible_at, deliveries FROM pgq.peek('s') WHERE state = 'leased'$$,
    $$SELECT lease_expires_at, deliveries FROM leased WHERE message->>'n' = 'leased'$$,
    'a leased message shows its deliveries, and the lease end as visible_at');
SELECT is((SELECT deliveries FROM pgq.peek('s') WHERE state = 'ready'), 0, 'a never-leased message has 0 deliveries');

SELECT results_eq($$SELECT channel, depth, delayed, leased, dead FROM pgq.stats()$$,
    $$VALUES ('s'::text, 1::bigint, 1::bigint, 1::bigint, 1::bigint)$$, 'stats counts each state');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('s', 100)$$, ARRAY['ready'],
    'dequeue pops only the ready message');
SELECT results_eq($$SELECT depth, delayed, leased, dead FROM pgq.stats()$$,
    $$VALUES (0::bigint, 1::bigint, 1::bigint, 1::bigint)$$, 'depth counts ready messages only');

-- Delays run out by themselves: no scheduler.
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE id = (SELECT id FROM delayed);
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT results_eq($$SELECT state FROM pgq.peek('s') WHERE id = (SELECT id FROM delayed)$$, ARRAY['ready'],
    'a delay that has passed makes the message ready');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('s')$$, ARRAY['delayed'], 'and dequeue takes it');

-- So do leases: an expired lease is ready again.
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE channel = 's';
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT results_eq($$SELECT state, deliveries FROM pgq.peek('s')$$, $$VALUES ('ready', 1)$$, 'an expired lease is ready');
SELECT results_eq($$SELECT depth, delayed, leased FROM pgq.stats()$$, $$VALUES (1::bigint, 0::bigint, 0::bigint)$$,
    'and counted as depth');

-- A channel with only dead letters stays visible in stats.
SELECT pgq.dequeue('s', 100);
SELECT results_eq($$SELECT channel, depth, oldest_age_seconds, delayed, leased, dead FROM pgq.stats()$$,
    $$VALUES ('s'::text, 0::bigint, NULL::double precision, 0::bigint, 0::bigint, 1::bigint)$$,
    'a channel with only dead letters is listed, with no oldest age');
SELECT is_empty($$SELECT * FROM pgq.channels()$$, 'while channels() lists channels with queued messages only');
SELECT pgq.redrive('s');
SELECT results_eq($$SELECT depth, dead FROM pgq.stats()$$, $$VALUES (1::bigint, 0::bigint)$$, 'redrive: ready again');

-- Delayed enqueue: the bounds.
CREATE TEMP TABLE week AS SELECT pgq.enqueue('week', '{}', 604800) AS id;
SELECT ok((SELECT visible_at BETWEEN now() + interval '604800 seconds' AND clock_timestamp() + interval '604800 seconds'
           FROM pgq.queue WHERE id = (SELECT id FROM week)), 'a delay of 7 days (604800 s) is allowed');
SELECT is_empty($$SELECT * FROM pgq.lease('week')$$, 'a delayed message is not leased early');
CREATE TEMP TABLE at_once AS SELECT pgq.enqueue('now', '{}', 0) AS id;
SELECT ok((SELECT visible_at = created_at FROM pgq.queue WHERE id = (SELECT id FROM at_once)), 'delay 0: visible at once');
SELECT is((SELECT count(*)::int FROM pgq.dequeue('now')), 1, 'and consumed at once');

SELECT * FROM finish();
ROLLBACK;
