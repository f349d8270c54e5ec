-- Verify pgqueue:functions/_tally_consumed on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._tally_consumed()', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq._tally_consumed()'::regprocedure) LIKE '%slice_rows%')::int;
