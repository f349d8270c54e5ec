-- Verify pgqueue:schema/leased_message_type on pg

SELECT (NULL::pgq.leased_message).id, (NULL::pgq.leased_message).channel, (NULL::pgq.leased_message).message, (NULL::pgq.leased_message).created_at, (NULL::pgq.leased_message).deliveries, (NULL::pgq.leased_message).receipt, (NULL::pgq.leased_message).lease_expires_at;
