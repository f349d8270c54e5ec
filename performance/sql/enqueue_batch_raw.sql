-- The client sends the same JSON array; one INSERT ... SELECT unpacks it, in order.
INSERT INTO bench.raw_queue (channel, message)
SELECT :prefix || '1', e.element FROM jsonb_array_elements(:batch) WITH ORDINALITY AS e(element, position)
ORDER BY e.position;
