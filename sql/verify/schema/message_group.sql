-- Verify pgqueue:schema/message_group on pg

SELECT channel, group_key, first_id, ready_at FROM pgq.message_group WHERE false;
SELECT group_key FROM pgq.queue WHERE false;
SELECT group_key FROM pgq.dead_letter WHERE false;
SELECT (NULL::pgq.leased_message).group_key, (NULL::pgq.queued_message).group_key, (NULL::pgq.dead_message).group_key;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.message_group', 'SELECT,INSERT,UPDATE,DELETE'))::int;
