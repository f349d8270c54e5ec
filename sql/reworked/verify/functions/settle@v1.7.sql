-- Verify pgqueue:functions/settle on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.ack(text, bigint, uuid)', 'EXECUTE')::int;
SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.nack(text, bigint, uuid, integer)', 'EXECUTE')::int;
SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.extend_lease(text, bigint, uuid, integer)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._check_receipt(text, bigint, uuid)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.ack(text, bigint, uuid)'::regprocedure) NOT LIKE '%_count_consumed%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.nack(text, bigint, uuid, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.nack(text, bigint, uuid, integer)'::regprocedure) LIKE '%pgq._lower_head(%')::int;
