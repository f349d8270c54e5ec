SELECT * FROM pgq.dequeue(:channel, :take);
