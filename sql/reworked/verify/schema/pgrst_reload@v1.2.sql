-- Verify pgqueue:schema/pgrst_reload on pg

SELECT 1 / (count(*) = 2)::int FROM pg_catalog.pg_event_trigger
WHERE evtname IN ('pgq_pgrst_reload', 'pgq_pgrst_reload_drop') AND evtenabled <> 'D';
