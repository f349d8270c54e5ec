-- Verify pgqueue:schema/ownership on pg: no function in pgq but the event trigger ones is owned by anyone else.

SELECT 1 / (count(*) = 0)::int FROM pg_catalog.pg_proc
WHERE pronamespace = 'pgq'::regnamespace AND proowner <> 'pgq_owner'::regrole
  AND prorettype <> 'event_trigger'::regtype;

SELECT 1 / (count(*) = 1)::int FROM pg_catalog.pg_event_trigger
WHERE evtname = 'pgq_adopt_objects' AND evtenabled <> 'D';
