-- Verify pgqueue:functions/dead_letters on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.dead_letters(text, integer, integer)', 'EXECUTE')::int;
-- pgq_client until schema/api_grants (@v1.4) hands it to pgq_admin.
SELECT 1 / (pg_catalog.has_function_privilege('pgq_client', 'pgq.redrive(text)', 'EXECUTE')
            OR CASE WHEN pg_catalog.to_regrole('pgq_admin') IS NULL THEN false
                    ELSE pg_catalog.has_function_privilege('pgq_admin', 'pgq.redrive(text)', 'EXECUTE') END)::int;
SELECT id, channel, message, created_at, deliveries, reason, dead_at FROM pgq.dead_letters('two') WHERE false;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.dead_letters(text, integer, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.redrive(text)'::regprocedure) LIKE '%pgq._lower_head(%')::int;
