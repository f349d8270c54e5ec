-- Verify pgqueue:schema/queue_delivery on pg

SELECT visible_at, deliveries, receipt FROM pgq.queue WHERE false;
