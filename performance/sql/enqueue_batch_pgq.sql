SELECT count(*) FROM pgq.enqueue_batch(:channel, :batch);
