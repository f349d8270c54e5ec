-- Verify pgqueue:functions/_validation on pg

SELECT 1 / pgq._valid_channel('two')::int;
SELECT 1 / (NOT pgq._valid_channel('..'))::int;
SELECT pgq._check_channel('two'), pgq._check_message('{}'), pgq._check_range('take', 1, 1, 100);
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._check_channel(text)', 'EXECUTE'))::int;
SELECT pgq._check_not_null('channel', 'two'::text), pgq._check_length('dedup_key', 'k', 1, 128);
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._check_length(text, text, bigint, bigint)', 'EXECUTE'))::int;
SELECT 1 / pgq._message_fits('{"a": [1, 2, {}]}')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._message_fits(jsonb)', 'EXECUTE'))::int;
