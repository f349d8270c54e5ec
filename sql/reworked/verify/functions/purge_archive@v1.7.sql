-- Verify pgqueue:functions/purge_archive on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq.purge_archive(interval)', 'EXECUTE'))::int;
SELECT 1 / pg_catalog.has_function_privilege('pgq.purge_archive(interval)', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.purge_archive(interval)'::regprocedure) LIKE '%pgq.tally%')::int;
