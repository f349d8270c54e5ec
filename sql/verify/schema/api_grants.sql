-- Verify pgqueue:schema/api_grants on pg

SELECT 1 / (NOT has_function_privilege('pgq_client', 'pgq.configure(text, integer, interval)', 'EXECUTE')
            AND has_function_privilege('pgq_admin', 'pgq.configure(text, integer, interval)', 'EXECUTE')
            AND has_function_privilege('pgq_maintainer', 'pgq.maintain()', 'EXECUTE'))::int;
