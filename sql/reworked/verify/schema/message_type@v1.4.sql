-- Verify pgqueue:schema/message_type on pg

SELECT (NULL::pgq.message).id, (NULL::pgq.message).channel, (NULL::pgq.message).message, (NULL::pgq.message).created_at;
