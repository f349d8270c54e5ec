-- Verify pgqueue:schema/enqueued_type on pg

SELECT (NULL::pgq.enqueued).id, (NULL::pgq.enqueued).duplicate;
