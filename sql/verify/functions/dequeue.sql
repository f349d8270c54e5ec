-- Verify pgqueue:functions/dequeue on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.dequeue(text, integer)', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) LIKE '%visible_at%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) NOT LIKE '%_count_consumed%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) LIKE '%pgq._ready_start(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) LIKE '%q.ctid = ANY (ARRAY(SELECT n.ctid FROM next%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dequeue(text, integer)'::regprocedure) LIKE '%pgq._valid_channel(dequeue.channel)%')::int;
