-- Verify pgqueue:functions/_channel_limits on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._channel_limits(text)', 'EXECUTE'))::int;
