-- Least privilege: the client roles may call the API and nothing else.
BEGIN;
SELECT plan(28);

SELECT roles_are(ARRAY['pgq_client', 'authenticator', 'pgq_gateway'] || ARRAY(
    SELECT rolname::text FROM pg_roles WHERE rolname NOT IN ('pgq_client', 'authenticator', 'pgq_gateway')));
SELECT ok(NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pgq_client'), 'pgq_client cannot log in');
SELECT ok((SELECT rolcanlogin AND NOT rolinherit FROM pg_roles WHERE rolname = 'authenticator'), 'authenticator is LOGIN NOINHERIT');
SELECT ok((SELECT rolcanlogin AND rolinherit FROM pg_roles WHERE rolname = 'pgq_gateway'), 'pgq_gateway is LOGIN INHERIT');
SELECT is_member_of('pgq_client', ARRAY['authenticator', 'pgq_gateway']);
SELECT ok(EXISTS (SELECT FROM pg_db_role_setting WHERE setrole = 'pgq_client'::regrole AND setconfig @> ARRAY['statement_timeout=5s']),
    'pgq_client has a statement_timeout');
SELECT ok(EXISTS (SELECT FROM pg_db_role_setting WHERE setrole = 'pgq_gateway'::regrole AND setconfig @> ARRAY['statement_timeout=5s']),
    'pgq_gateway has its own statement_timeout (role settings apply at login)');

-- Exactly the client API is executable by pgq_client; helpers and admin functions are not.
SELECT set_eq(
    $$SELECT p.oid::regprocedure::text FROM pg_proc AS p
      WHERE p.pronamespace = 'pgq'::regnamespace AND has_function_privilege('pgq_client', p.oid, 'EXECUTE')$$,
    ARRAY['pgq.enqueue(text,jsonb,integer)', 'pgq.enqueue_batch(text,jsonb)', 'pgq.dequeue(text,integer)',
          'pgq.peek(text,integer,integer)', 'pgq.channels()', 'pgq.stats()', 'pgq.maintain()',
          'pgq.configure(text,integer,interval)', 'pgq.lease(text,integer,integer)', 'pgq.ack(text,bigint,uuid)',
          'pgq.nack(text,bigint,uuid,integer)', 'pgq.extend_lease(text,bigint,uuid,integer)',
          'pgq.dead_letters(text,integer,integer)', 'pgq.redrive(text)', 'pgq.enqueue_once(text,jsonb,text,integer)'],
    'pgq_client may execute the client API only');

SET LOCAL ROLE pgq_client;

SELECT lives_ok($$SELECT pgq.enqueue('priv', '{"seq": 1}')$$, 'client: enqueue');
SELECT lives_ok($$SELECT pgq.enqueue_batch('priv', '[{"seq": 2}]')$$, 'client: enqueue_batch');
SELECT lives_ok($$SELECT * FROM pgq.peek('priv')$$, 'client: peek');
SELECT lives_ok($$SELECT * FROM pgq.channels()$$, 'client: channels');
SELECT lives_ok($$SELECT * FROM pgq.stats()$$, 'client: stats');
SELECT results_eq($$SELECT message FROM pgq.dequeue('priv')$$, $$VALUES ('{"seq": 1}'::jsonb)$$, 'client: dequeue');
SELECT lives_ok($$SELECT pgq.maintain()$$, 'client: maintain');

SELECT throws_ok($$SELECT * FROM pgq.queue$$, '42501', NULL, 'client cannot SELECT the queue');
SELECT throws_ok($$INSERT INTO pgq.queue (channel, message) VALUES ('x', '{}')$$, '42501', NULL, 'client cannot INSERT into the queue');
SELECT throws_ok($$UPDATE pgq.queue SET message = '{}'$$, '42501', NULL, 'client cannot UPDATE the queue');
SELECT throws_ok($$DELETE FROM pgq.queue$$, '42501', NULL, 'client cannot DELETE from the queue');
SELECT throws_ok($$SELECT * FROM pgq.archive$$, '42501', NULL, 'client cannot read the archive');
SELECT throws_ok($$UPDATE pgq.settings SET archive_retention = '0'$$, '42501', NULL, 'client cannot change settings');
SELECT throws_ok($$SELECT pgq.purge_archive('0')$$, '42501', NULL, 'client cannot purge the archive');
SELECT throws_ok($$SELECT pgq._check_channel('x')$$, '42501', NULL, 'client cannot call internal helpers');
SELECT throws_ok($$CREATE TABLE pgq.intruder (id int)$$, '42501', NULL, 'client cannot create objects in pgq');
SELECT throws_ok($$SELECT pgq.watch('gw', '{}')$$, '42501', NULL, 'client cannot register waiting channels');
SELECT throws_ok($$UPDATE pgq.counter SET consumed = 0$$, '42501', NULL, 'client cannot touch the counters');

-- The gateway's login keeps the registry of waiting channels, through pgq.watch only.
SET LOCAL ROLE pgq_gateway;
SELECT lives_ok($$SELECT pgq.watch('gw', ARRAY['priv'])$$, 'gateway: watch');
SELECT throws_ok($$DELETE FROM pgq.waiting$$, '42501', NULL, 'gateway cannot write the registry directly');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
