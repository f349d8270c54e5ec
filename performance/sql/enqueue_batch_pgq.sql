SELECT count(*) FROM pgq.enqueue_batch(:prefix || '1', :batch);
