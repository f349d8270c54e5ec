-- Verify pgqueue:functions/_tally_consumed on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._tally_consumed()', 'EXECUTE'))::int;
