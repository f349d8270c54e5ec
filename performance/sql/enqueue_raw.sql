-- What pgq.enqueue does, minus the function: one INSERT returning the id.
INSERT INTO bench.raw_queue (channel, message) VALUES (:channel, :message) RETURNING id;
