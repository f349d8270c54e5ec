SELECT pgq.enqueue(:channel, :message);
