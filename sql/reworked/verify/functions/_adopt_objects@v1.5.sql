-- Verify pgqueue:functions/_adopt_objects on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._adopt_objects()', 'EXECUTE'))::int;
