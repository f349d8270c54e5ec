-- lease, ack, nack, extend_lease: at-least-once delivery with receipts.
-- Time is simulated by moving visible_at into the past ("the lease ran out").
BEGIN;
SELECT plan(41);

SELECT pgq.enqueue_batch('work', '[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]');

CREATE TEMP TABLE first_lease AS SELECT * FROM pgq.lease('work');
SELECT results_eq($$SELECT message->>'n', deliveries FROM first_lease$$, $$VALUES ('1', 1)$$,
    'lease hands out the oldest ready message, first delivery');
SELECT ok((SELECT receipt IS NOT NULL FROM first_lease), 'with a receipt');
SELECT ok((SELECT lease_expires_at BETWEEN now() + interval '30 seconds' AND clock_timestamp() + interval '30 seconds'
           FROM first_lease), 'and a lease of 30 seconds by default');
SELECT is((SELECT count(*)::int FROM pgq.queue WHERE channel = 'work'), 4, 'leasing removes nothing from the queue');
SELECT results_eq($$SELECT visible_at, receipt, deliveries FROM pgq.queue WHERE id = (SELECT id FROM first_lease)$$,
    $$SELECT lease_expires_at, receipt, deliveries FROM first_lease$$, 'the queued row carries the lease');

CREATE TEMP TABLE second_lease AS SELECT * FROM pgq.lease('work', visibility_seconds => 5);
SELECT results_eq($$SELECT message->>'n' FROM second_lease$$, ARRAY['2'], 'a leased message is not leased again: the next one is');
SELECT ok((SELECT lease_expires_at BETWEEN now() + interval '5 seconds' AND clock_timestamp() + interval '5 seconds'
           FROM second_lease), 'visibility_seconds sets the lease length');
SELECT isnt((SELECT receipt FROM second_lease), (SELECT receipt FROM first_lease), 'every delivery has its own receipt');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('work')$$, ARRAY['3'], 'dequeue passes over leased messages');

CREATE TEMP TABLE batch AS SELECT * FROM pgq.lease('work', 30, 10);
SELECT results_eq($$SELECT message->>'n' FROM batch$$, ARRAY['4'], 'take beyond the ready count returns what is ready');
SELECT is_empty($$SELECT * FROM pgq.lease('work')$$, 'nothing ready: zero rows');
SELECT is_empty($$SELECT * FROM pgq.lease('never-used')$$, 'an unknown channel: zero rows');

-- ack
SELECT is(pgq.ack('work', (SELECT id FROM first_lease), gen_random_uuid()), false, 'ack with a wrong receipt is false');
SELECT is(pgq.ack('other', (SELECT id FROM first_lease), (SELECT receipt FROM first_lease)), false,
    'ack naming another channel is false');
SELECT is(pgq.ack('work', -1, (SELECT receipt FROM first_lease)), false, 'ack of an unknown id is false');
SELECT is((SELECT count(*)::int FROM pgq.archive WHERE channel = 'work'), 1, 'and none of them archived anything');
SELECT is(pgq.ack('work', (SELECT id FROM first_lease), (SELECT receipt FROM first_lease)), true,
    'ack with the current receipt is true');
SELECT results_eq($$SELECT message->>'n' FROM pgq.archive WHERE id = (SELECT id FROM first_lease)$$, ARRAY['1'],
    'the acked message is archived');
SELECT is_empty($$SELECT FROM pgq.queue WHERE id = (SELECT id FROM first_lease)$$, 'and gone from the queue');
SELECT is(pgq.ack('work', (SELECT id FROM first_lease), (SELECT receipt FROM first_lease)), false, 'a second ack is false');

-- expiry: the message is ready again at its own id, with a new receipt; the old one is stale.
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE id = (SELECT id FROM second_lease);
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT pgq.enqueue('work', '{"n": 5}');
CREATE TEMP TABLE again AS SELECT * FROM pgq.lease('work');
SELECT results_eq($$SELECT id, deliveries FROM again$$, $$SELECT id, 2 FROM second_lease$$,
    'an expired lease makes the message ready again, ahead of newer ones, delivery 2');
SELECT isnt((SELECT receipt FROM again), (SELECT receipt FROM second_lease), 'with a new receipt');
CREATE TEMP TABLE before_stale AS SELECT * FROM pgq.queue WHERE id = (SELECT id FROM again);
SELECT is(pgq.ack('work', (SELECT id FROM second_lease), (SELECT receipt FROM second_lease)), false,
    'ack with the stale receipt is false');
SELECT is(pgq.nack('work', (SELECT id FROM second_lease), (SELECT receipt FROM second_lease)), false,
    'nack with the stale receipt is false');
SELECT is(pgq.extend_lease('work', (SELECT id FROM second_lease), (SELECT receipt FROM second_lease), 60), false,
    'extend_lease with the stale receipt is false');
SELECT results_eq($$SELECT * FROM pgq.queue WHERE id = (SELECT id FROM again)$$, $$SELECT * FROM before_stale$$,
    'stale receipts changed nothing');

-- nack: ready again at its own id, delivery still counted.
SELECT is(pgq.nack('work', (SELECT id FROM again), (SELECT receipt FROM again)), true, 'nack with the current receipt');
SELECT is((SELECT receipt FROM pgq.queue WHERE id = (SELECT id FROM again)), NULL, 'nack retires the receipt');
SELECT is(pgq.ack('work', (SELECT id FROM again), (SELECT receipt FROM again)), false, 'so an ack after the nack is false');
CREATE TEMP TABLE after_nack AS SELECT * FROM pgq.lease('work');
SELECT results_eq($$SELECT id, deliveries FROM after_nack$$, $$SELECT id, 3 FROM again$$,
    'a nacked message is leased again first, same id, delivery 3');
SELECT is(pgq.nack('work', (SELECT id FROM after_nack), (SELECT receipt FROM after_nack), delay_seconds => 60), true,
    'nack with a delay');
SELECT ok((SELECT visible_at BETWEEN now() + interval '60 seconds' AND clock_timestamp() + interval '60 seconds'
           FROM pgq.queue WHERE id = (SELECT id FROM after_nack)), 'waits out its delay');
SELECT results_eq($$SELECT message->>'n' FROM pgq.lease('work', 30, 100)$$, ARRAY['5'], 'meanwhile newer messages go first');
SELECT is_empty($$SELECT * FROM pgq.dequeue('work')$$, 'and dequeue does not pop a nacked, delayed message either');

-- extend_lease
SELECT pgq.enqueue('slow', '{}');
CREATE TEMP TABLE slow AS SELECT * FROM pgq.lease('slow', 10);
SELECT is(pgq.extend_lease('slow', (SELECT id FROM slow), (SELECT receipt FROM slow), 600), true, 'extend_lease');
SELECT ok((SELECT visible_at BETWEEN now() + interval '600 seconds' AND clock_timestamp() + interval '600 seconds'
           FROM pgq.queue WHERE id = (SELECT id FROM slow)), 'the lease now ends 600 seconds from now');
SELECT is((SELECT receipt FROM pgq.queue WHERE id = (SELECT id FROM slow)), (SELECT receipt FROM slow), 'same receipt');
SELECT is(pgq.extend_lease('other', (SELECT id FROM slow), (SELECT receipt FROM slow), 600), false,
    'extend_lease naming another channel is false');

-- A lease that ran out but was not taken again still belongs to its consumer.
UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE id = (SELECT id FROM slow);
DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
SELECT is(pgq.ack('slow', (SELECT id FROM slow), (SELECT receipt FROM slow)), true,
    'a receipt stays current after its lease ran out until the message is leased again');

-- take: several at once, oldest first, each with its own receipt.
SELECT pgq.enqueue_batch('many', '[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]');
SELECT results_eq($$SELECT message->>'n' FROM pgq.lease('many', take => 3)$$, ARRAY['1', '2', '3'], 'take => 3, oldest first');
SELECT is((SELECT count(DISTINCT receipt)::int FROM pgq.queue WHERE channel = 'many'), 3, 'three distinct receipts');

SELECT * FROM finish();
ROLLBACK;
