-- Verify pgqueue:functions/stats on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.stats()', 'EXECUTE')::int;
SELECT channel, depth, oldest_age_seconds, delayed, leased, dead, enqueued, consumed FROM pgq.stats() WHERE false;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.stats()'::regprocedure) LIKE '%pgq.tally%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.stats()'::regprocedure) LIKE '%min(queued.created_at) FILTER (WHERE queued.state = ''ready'')%')::int;
SELECT 1 / (pg_catalog.obj_description('pgq.stats()'::regprocedure, 'pg_proc') LIKE '%(dequeued or acked)%')::int;
