-- Least privilege: each role may call exactly its part of the API, and nothing else.
BEGIN;
SELECT plan(41);

-- Attributes: who may log in, who inherits, and that none holds a cluster-wide power.
SELECT set_eq(
    $$SELECT rolname::text, rolcanlogin, rolinherit, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls
      FROM pg_roles WHERE rolname IN ('pgq_client', 'authenticator', 'pgq_gateway', 'pgq_owner', 'pgq_admin',
                                      'pgq_gateway_admin', 'pgq_maintainer')$$,
    $$VALUES ('pgq_client', false, true, false), ('authenticator', true, false, false),
             ('pgq_gateway', true, true, false), ('pgq_owner', false, true, false),
             ('pgq_admin', false, true, false), ('pgq_gateway_admin', false, false, false),
             ('pgq_maintainer', true, false, false)$$,
    'login, inherit and no cluster-wide power, role by role');

-- Memberships: every grant of or to a pgq role, and nothing more.
SELECT set_eq(
    $$SELECT m.member::regrole::text, m.roleid::regrole::text FROM pg_auth_members AS m
      WHERE m.member::regrole::text IN ('pgq_client', 'authenticator', 'pgq_gateway', 'pgq_owner', 'pgq_admin',
                                        'pgq_gateway_admin', 'pgq_maintainer')
         OR m.roleid::regrole::text IN ('pgq_client', 'authenticator', 'pgq_gateway', 'pgq_owner', 'pgq_admin',
                                        'pgq_gateway_admin', 'pgq_maintainer')$$,
    $$VALUES ('authenticator', 'pgq_client'), ('authenticator', 'pgq_admin'), ('pgq_gateway', 'pgq_client'),
             ('pgq_gateway', 'pgq_gateway_admin'), ('pgq_gateway_admin', 'pgq_admin'),
             ('pgq_owner', 'pg_read_all_stats')$$,
    'memberships: PostgREST may become the client or the admin, the gateway reaches the admin by SET ROLE only; '
    'pgq_owner reads every session''s statistics for pgq.horizon()');
SELECT ok(pg_has_role('pgq_gateway', 'pgq_admin', 'MEMBER') AND NOT pg_has_role('pgq_gateway', 'pgq_admin', 'USAGE'),
    'pgq_gateway may SET ROLE pgq_admin but does not inherit its rights');
SELECT ok(NOT pg_has_role('authenticator', 'pgq_client', 'USAGE'), 'authenticator has no rights of its own (NOINHERIT)');

SELECT ok(EXISTS (SELECT FROM pg_db_role_setting WHERE setrole = 'pgq_client'::regrole AND setconfig @> ARRAY['statement_timeout=5s']),
    'pgq_client has a statement_timeout');
SELECT ok(EXISTS (SELECT FROM pg_db_role_setting WHERE setrole = 'pgq_gateway'::regrole AND setconfig @> ARRAY['statement_timeout=5s']),
    'pgq_gateway has its own statement_timeout (role settings apply at login)');

-- Exactly who may execute each pgq function, inherited rights included; PUBLIC nothing.
SELECT set_eq(
    $$SELECT r.name, p.oid::regprocedure::text FROM pg_proc AS p
      CROSS JOIN unnest(ARRAY['public', 'pgq_client', 'authenticator', 'pgq_gateway', 'pgq_admin',
                              'pgq_gateway_admin', 'pgq_maintainer']) AS r (name)
      WHERE p.pronamespace = 'pgq'::regnamespace AND has_function_privilege(r.name, p.oid, 'EXECUTE')$$,
    $$SELECT r.name, f.sig FROM unnest(ARRAY['pgq_client', 'pgq_gateway']) AS r (name)
      CROSS JOIN unnest(ARRAY['pgq.enqueue(text,jsonb,integer,text)', 'pgq.enqueue_batch(text,jsonb,text)',
          'pgq.enqueue_once(text,jsonb,text,integer,text)', 'pgq.dequeue(text,integer)', 'pgq.lease(text,integer,integer)',
          'pgq.ack(text,bigint,uuid)', 'pgq.nack(text,bigint,uuid,integer)', 'pgq.extend_lease(text,bigint,uuid,integer)',
          'pgq.peek(text,integer,integer)', 'pgq.channels()', 'pgq.stats()', 'pgq.dead_letters(text,integer,integer)',
          'pgq.limits()', 'pgq.horizon()', 'pgq.extend_lease_until(text,bigint,uuid,integer)', 'pgq.settings_of(text)']) AS f (sig)
      UNION ALL VALUES ('pgq_gateway', 'pgq.watch(text,text[],integer)'), ('pgq_gateway', 'pgq.maintain()'),
          ('pgq_admin', 'pgq.configure(text,integer,interval)'), ('pgq_admin', 'pgq.redrive(text)'),
          ('pgq_admin', 'pgq.purge_archive(interval)'), ('pgq_admin', 'pgq.maintain()'),
          ('pgq_admin', 'pgq.purge(text)'), ('pgq_admin', 'pgq.unconfigure(text)'),
          ('pgq_maintainer', 'pgq.maintain()')$$,
    'each role may execute exactly its functions');

-- Ownership: the API runs as pgq_owner; only event trigger functions, which run with the rights
-- of whoever issues DDL, stay a superuser's.
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc AS p
      WHERE p.pronamespace = 'pgq'::regnamespace AND p.proowner <> 'pgq_owner'::regrole
        AND p.prorettype <> 'event_trigger'::regtype
      UNION ALL
      SELECT c.oid::regclass::text FROM pg_class AS c
      WHERE c.relnamespace = 'pgq'::regnamespace AND c.relowner <> 'pgq_owner'::regrole$$,
    'pgq_owner owns every function, table, index, sequence and type in pgq');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_roles AS r ON r.oid = p.proowner
      WHERE p.pronamespace = 'pgq'::regnamespace AND p.prorettype = 'event_trigger'::regtype AND NOT r.rolsuper$$,
    'event trigger functions belong to a superuser');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc AS p
      WHERE p.pronamespace = 'pgq'::regnamespace AND left(p.proname, 1) <> '_' AND NOT p.prosecdef$$,
    'every API function is SECURITY DEFINER');

SET LOCAL ROLE pgq_client;

SELECT lives_ok($$SELECT pgq.enqueue('priv', '{"seq": 1}')$$, 'client: enqueue');
SELECT lives_ok($$SELECT pgq.enqueue_batch('priv', '[{"seq": 2}]')$$, 'client: enqueue_batch');
SELECT lives_ok($$SELECT * FROM pgq.peek('priv')$$, 'client: peek');
SELECT lives_ok($$SELECT * FROM pgq.channels()$$, 'client: channels');
SELECT lives_ok($$SELECT * FROM pgq.stats()$$, 'client: stats');
SELECT results_eq($$SELECT message FROM pgq.dequeue('priv')$$, $$VALUES ('{"seq": 1}'::jsonb)$$, 'client: dequeue');

SELECT throws_ok($$SELECT pgq.configure('priv', max_deliveries => 1)$$, '42501', NULL, 'client cannot configure a channel');
SELECT throws_ok($$SELECT pgq.redrive('priv')$$, '42501', NULL, 'client cannot redrive');
SELECT throws_ok($$SELECT pgq.purge('priv')$$, '42501', NULL, 'client cannot purge a channel');
SELECT throws_ok($$SELECT pgq.unconfigure('priv')$$, '42501', NULL, 'client cannot unconfigure a channel');
SELECT lives_ok($$SELECT pgq.settings_of('priv')$$, 'client: settings_of');
SELECT throws_ok($$SELECT pgq.maintain()$$, '42501', NULL, 'client cannot run maintenance');
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

-- The gateway's login keeps the registry of waiting channels, through pgq.watch only, and maintains.
SET LOCAL ROLE pgq_gateway;
SELECT lives_ok($$SELECT pgq.watch('gw', ARRAY['priv'])$$, 'gateway: watch');
SELECT lives_ok($$SELECT pgq.maintain()$$, 'gateway: maintain');
SELECT throws_ok($$SELECT pgq.configure('priv', max_deliveries => 1)$$, '42501', NULL, 'gateway cannot configure without SET ROLE');
SELECT throws_ok($$DELETE FROM pgq.waiting$$, '42501', NULL, 'gateway cannot write the registry directly');

-- The admin role runs with pgq_owner's rights through the functions, and reaches no table itself.
SET LOCAL ROLE pgq_admin;
SELECT is((SELECT max_deliveries FROM pgq.configure('priv', max_deliveries => 3)), 3, 'admin: configure');
SELECT lives_ok($$SELECT pgq.purge_archive('0')$$, 'admin: purge_archive (runs as its owner)');
SELECT lives_ok($$SELECT pgq.purge('priv')$$, 'admin: purge (runs as its owner)');
SELECT throws_ok($$DELETE FROM pgq.archive$$, '42501', NULL, 'admin cannot write the archive directly');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
