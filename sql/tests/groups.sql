-- Ordered groups: one message of a group_key in flight at a time, in id order; groups in parallel; ungrouped
-- messages untouched. Time is forged by moving visible_at (and the group's ready_at, docs/sql.md) into the past,
-- and forgetting the heads.
BEGIN;
SELECT plan(41);

CREATE FUNCTION pg_temp.expire(message_id bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE pgq.queue SET visible_at = now() - interval '1 second' WHERE id = message_id;
    UPDATE pgq.message_group AS g SET ready_at = q.visible_at
    FROM pgq.queue AS q WHERE q.id = message_id AND g.channel = q.channel AND g.group_key = q.group_key;
    DELETE FROM pgq.head;  -- time forged by hand: the heads start over (docs/sql.md)
$$;

-- enqueue, enqueue_batch and enqueue_once take group_key.
SELECT pgq.enqueue('g', '{"n": "a1"}', group_key => 'a');
SELECT pgq.enqueue('g', '{"n": "b1"}', group_key => 'b');
SELECT pgq.enqueue('g', '{"n": "u1"}');
SELECT pgq.enqueue_batch('g', '[{"n": "a2"}, {"n": "a3"}]', group_key => 'a');
SELECT pgq.enqueue('g', '{"n": "b2"}', group_key => 'b');
SELECT pgq.enqueue('g', '{"n": "u2"}');
CREATE TEMP TABLE ids AS SELECT message->>'n' AS n, id FROM pgq.queue WHERE channel = 'g';
CREATE FUNCTION pg_temp.id(name text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM ids WHERE n = name $$;

SELECT results_eq($$SELECT message->>'n', group_key FROM pgq.peek('g')$$,
    $$VALUES ('a1', 'a'), ('b1', 'b'), ('u1', NULL), ('a2', 'a'), ('a3', 'a'), ('b2', 'b'), ('u2', NULL)$$,
    'peek shows every message with its group_key, in id order');
SELECT results_eq($$SELECT group_key::text COLLATE "default", first_id FROM pgq.message_group WHERE channel = 'g' ORDER BY group_key$$,
    $$VALUES ('a', pg_temp.id('a1')), ('b', pg_temp.id('b1'))$$, 'one group row per group, at its first message');

-- lease: one message per group, ungrouped ones as before, merged in id order.
CREATE TEMP TABLE first_lease AS SELECT * FROM pgq.lease('g', 30, 10);
SELECT results_eq($$SELECT message->>'n', group_key FROM first_lease ORDER BY id$$,
    $$VALUES ('a1', 'a'), ('b1', 'b'), ('u1', NULL), ('u2', NULL)$$,
    'lease takes the first message of each group and every ready ungrouped one, in id order');
SELECT is_empty($$SELECT * FROM pgq.lease('g', 30, 10)$$, 'while a1 and b1 are leased, no later message of a or b is leased');
SELECT is_empty($$SELECT * FROM pgq.dequeue('g', 10)$$, 'nor dequeued');
SELECT is((SELECT ready_at FROM pgq.message_group WHERE channel = 'g' AND group_key = 'a'),
    (SELECT lease_expires_at FROM first_lease WHERE message->>'n' = 'a1'), 'the group waits for its lease');

-- ack moves the group on.
SELECT ok(pgq.ack('g', id, receipt), 'ack a1') FROM first_lease WHERE message->>'n' = 'a1';
SELECT is((SELECT first_id FROM pgq.message_group WHERE channel = 'g' AND group_key = 'a'), pg_temp.id('a2'),
    'the group moves to its next message');
CREATE TEMP TABLE second_lease AS SELECT * FROM pgq.lease('g', 30, 10);
SELECT results_eq($$SELECT message->>'n' FROM second_lease$$, ARRAY['a2'], 'after the ack, a2 and only a2');

-- nack: back at the front of its group.
SELECT ok(pgq.nack('g', id, receipt), 'nack b1') FROM first_lease WHERE message->>'n' = 'b1';
CREATE TEMP TABLE third_lease AS SELECT * FROM pgq.lease('g', 30, 10);
SELECT results_eq($$SELECT message->>'n', deliveries FROM third_lease$$, $$VALUES ('b1', 2)$$,
    'a nacked message is leased again before the rest of its group');

-- nack with a delay: the group waits for it.
SELECT ok(pgq.nack('g', id, receipt, 60), 'nack b1 for a minute') FROM third_lease;
SELECT is_empty($$SELECT * FROM pgq.lease('g', 30, 10)$$, 'the rest of the group waits for the delayed nack');

-- an expired lease: the same message first, with a new delivery.
SELECT pg_temp.expire(pg_temp.id('a2'));
CREATE TEMP TABLE after_expiry AS SELECT * FROM pgq.lease('g', 30, 10);
SELECT results_eq($$SELECT message->>'n', deliveries FROM after_expiry$$, $$VALUES ('a2', 2)$$,
    'an expired lease puts the message back at the front of its group');
SELECT is(pgq.ack('g', id, receipt), false, 'the expired receipt is stale') FROM second_lease;

-- extend_lease: the group waits for the new end.
SELECT ok(pgq.extend_lease('g', id, receipt, 600), 'extend a2') FROM after_expiry;
SELECT is((SELECT ready_at FROM pgq.message_group WHERE channel = 'g' AND group_key = 'a'),
    (SELECT visible_at FROM pgq.queue WHERE id = pg_temp.id('a2')), 'the group waits for the extended lease');

-- acking the last message removes the group row; the key can start again.
SELECT ok(pgq.ack('g', id, receipt), 'ack a2') FROM after_expiry;
SELECT ok(pgq.ack('g', id, receipt), 'ack a3') FROM pgq.lease('g', 30, 10) WHERE group_key = 'a';
SELECT is_empty($$SELECT FROM pgq.message_group WHERE channel = 'g' AND group_key = 'a'$$,
    'a group with nothing queued has no row');
SELECT pgq.enqueue('g', '{"n": "a4"}', group_key => 'a');
SELECT results_eq($$SELECT message->>'n' FROM pgq.lease('g', 30, 10)$$, ARRAY['a4'], 'the key starts a new group');

-- a delayed message keeps its group's place.
SELECT pgq.enqueue('d', '{"n": "d1"}', 60, group_key => 'k');
SELECT pgq.enqueue('d', '{"n": "d2"}', group_key => 'k');
SELECT pgq.enqueue('d', '{"n": "free"}');
SELECT results_eq($$SELECT message->>'n' FROM pgq.lease('d', 30, 10)$$, ARRAY['free'],
    'a later message waits for its group''s delayed one; ungrouped ones do not');
SELECT pg_temp.expire(id) FROM pgq.queue WHERE message->>'n' = 'd1';
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('d', 10)$$, ARRAY['d1'], 'once due, the delayed one comes first');

-- dequeue: one message per group per call, the group moves on at once.
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('d', 10)$$, ARRAY['d2'], 'then the next of its group');
SELECT pgq.enqueue_batch('e', '[{"n": 1}, {"n": 2}, {"n": 3}]', group_key => 'x');
SELECT pgq.enqueue_batch('e', '[{"n": 4}, {"n": 5}]', group_key => 'y');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('e', 10)$$, ARRAY['1', '4'], 'dequeue takes one message per group');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('e', 10)$$, ARRAY['2', '5'], 'and the next ones at the next call');
SELECT results_eq($$SELECT message->>'n' FROM pgq.dequeue('e', 10)$$, ARRAY['3'], 'in id order within each group');
SELECT is_empty($$SELECT FROM pgq.message_group WHERE channel = 'e'$$, 'no group row is left behind');

-- dead letters keep their group_key; the next message of the group takes over; redrive puts it back in front.
SELECT pgq.configure('dl', max_deliveries => 1);
SELECT pgq.enqueue_batch('dl', '[{"n": 1}, {"n": 2}, {"n": 3}]', group_key => 'p');
CREATE TEMP TABLE poisoned AS SELECT * FROM pgq.lease('dl');
SELECT pg_temp.expire(id) FROM poisoned;
CREATE TEMP TABLE after_death AS SELECT * FROM pgq.lease('dl');
SELECT results_eq($$SELECT message->>'n', group_key FROM after_death$$, $$VALUES ('2', 'p')$$,
    'a spent message is dead-lettered and the next of its group is leased in its place');
SELECT results_eq($$SELECT message->>'n', group_key FROM pgq.dead_letters('dl')$$, $$VALUES ('1', 'p')$$,
    'dead letters show their group_key');
SELECT is(pgq.redrive('dl'), 1, 'redrive');
SELECT is_empty($$SELECT * FROM pgq.lease('dl')$$, 'a redriven message waits while its group has one leased');
SELECT ok(pgq.ack('dl', id, receipt), 'ack 2') FROM after_death;
SELECT results_eq($$SELECT message->>'n' FROM pgq.lease('dl')$$, ARRAY['1'],
    'then the redriven message comes first, at its own id');

-- enqueue_once: a duplicate leaves the group as it was.
SELECT is((pgq.enqueue_once('o', '{"n": 1}', 'k1', group_key => 'q')).duplicate, false, 'enqueue_once with group_key');
SELECT is((pgq.enqueue_once('o', '{"n": 1}', 'k1', group_key => 'q')).duplicate, true, 'its duplicate');
SELECT results_eq($$SELECT message->>'n', group_key FROM pgq.peek('o')$$, $$VALUES ('1', 'q')$$, 'one message in the group');

-- group_key: 1-128 characters or NULL.
SELECT throws_ok($$SELECT pgq.enqueue('v', '{}', group_key => '')$$, '22023',
    'length of group_key must be between 1 and 128, got 0', 'an empty group_key is refused');
SELECT throws_ok($$SELECT pgq.enqueue_batch('v', '[{}]', group_key => repeat('k', 129))$$, '22023', NULL,
    'a 129-character group_key is refused');
SELECT lives_ok($$SELECT pgq.enqueue_once('v', '{}', 'dk', group_key => repeat('k', 128))$$, '128 characters are fine');
SELECT is(pgq._limit('group_key_length'), 128::bigint, 'the bound is group_key_length in pgq.limits()');

SELECT * FROM finish();
ROLLBACK;
