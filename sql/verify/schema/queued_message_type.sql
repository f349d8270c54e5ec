-- Verify pgqueue:schema/queued_message_type on pg

SELECT (NULL::pgq.queued_message).id, (NULL::pgq.queued_message).channel, (NULL::pgq.queued_message).message, (NULL::pgq.queued_message).created_at, (NULL::pgq.queued_message).visible_at, (NULL::pgq.queued_message).deliveries, (NULL::pgq.queued_message).state;
