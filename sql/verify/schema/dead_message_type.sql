-- Verify pgqueue:schema/dead_message_type on pg

SELECT (NULL::pgq.dead_message).id, (NULL::pgq.dead_message).channel, (NULL::pgq.dead_message).message, (NULL::pgq.dead_message).created_at, (NULL::pgq.dead_message).deliveries, (NULL::pgq.dead_message).reason, (NULL::pgq.dead_message).dead_at;
