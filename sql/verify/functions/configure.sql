-- Verify pgqueue:functions/configure on pg

-- pgq_client until schema/api_grants (@v1.4) hands it to pgq_admin.
SELECT 1 / (pg_catalog.has_function_privilege('pgq_client', 'pgq.configure(text, integer, interval)', 'EXECUTE')
            OR CASE WHEN pg_catalog.to_regrole('pgq_admin') IS NULL THEN false
                    ELSE pg_catalog.has_function_privilege('pgq_admin', 'pgq.configure(text, integer, interval)', 'EXECUTE') END)::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.configure(text, integer, interval)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.configure(text, integer, interval)'::regprocedure) LIKE '%pgq._limit(%')::int;
