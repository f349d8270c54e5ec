-- (g) Lease the oldest ready message of channel :channel, then ack it: at-least-once consumption.
-- An empty lease acks id 0, which answers false and changes nothing, so a client never stops.
SELECT coalesce(max(id), 0) AS id, coalesce(max(receipt::text), '00000000-0000-0000-0000-000000000000') AS receipt
FROM pgq.lease(:channel, 30, 1) \gset
SELECT pgq.ack(:channel, :id, :receipt);
