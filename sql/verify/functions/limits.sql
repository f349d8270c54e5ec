-- Verify pgqueue:functions/limits on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.limits()', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._limit(text)', 'EXECUTE'))::int;
SELECT 1 / (pgq._limit('max_take') = 100)::int;
SELECT 1 / (pgq._limit('max_message_depth') = 200 AND pgq._limit('max_message_bytes') = 1048576)::int;
SELECT 1 / (pgq._limit('group_key_length') = 128)::int;
