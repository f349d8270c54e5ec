-- Verify pgqueue:functions/maintain on pg

-- pgq_client until schema/api_grants (@v1.4) hands it to pgq_admin.
SELECT 1 / (pg_catalog.has_function_privilege('pgq_client', 'pgq.maintain()', 'EXECUTE')
            OR CASE WHEN pg_catalog.to_regrole('pgq_admin') IS NULL THEN false
                    ELSE pg_catalog.has_function_privilege('pgq_admin', 'pgq.maintain()', 'EXECUTE') END)::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.maintain()'::regprocedure) LIKE '%pgq.dedup_key%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.maintain()'::regprocedure) LIKE '%pgq._tally_consumed%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.maintain()'::regprocedure) LIKE '%consumed_folded%')::int;
