"""Many producers and consumers over real connections: every message delivered exactly once."""

from __future__ import annotations

import random
import threading
from collections import Counter

import psycopg

from tests.utils.threads import Worker, join_all, start_all

CHANNELS = ("alpha", "beta", "gamma")
PRODUCERS = 4
CONSUMERS = 8
MESSAGES = 20_000
BATCH = 50


def produce(dsn: str, worker: int, produced: list[int]) -> None:
    """Enqueue this worker's share, mixing single and batch calls across channels."""
    per_worker = MESSAGES // PRODUCERS
    rng = random.Random(worker)
    with psycopg.connect(dsn, autocommit=True) as conn:
        sent = 0
        while sent < per_worker:
            channel = rng.choice(CHANNELS)
            if rng.random() < 0.5:
                row = conn.execute("SELECT pgq.enqueue(%s, jsonb_build_object('w', %s::int))",
                                   (channel, worker)).fetchone()
                assert row is not None
                produced.append(int(row[0]))
                sent += 1
            else:
                size = min(BATCH, per_worker - sent)
                rows = conn.execute(
                    "SELECT pgq.enqueue_batch(%s, (SELECT jsonb_agg(jsonb_build_object('w', %s::int)) "
                    "FROM generate_series(1, %s)))", (channel, worker, size)).fetchall()
                produced.extend(int(r[0]) for r in rows)
                sent += size


def dequeue(dsn: str, worker: int, delivered: list[int], producers_done: threading.Event) -> None:
    """Dequeue until the producers are done and every channel is drained."""
    rng = random.Random(1000 + worker)
    with psycopg.connect(dsn, autocommit=True) as conn:
        idle_rounds = 0
        while idle_rounds < 3:
            got = 0
            for channel in rng.sample(CHANNELS, len(CHANNELS)):
                take = rng.choice((1, 1, 10))
                rows = conn.execute("SELECT id FROM pgq.dequeue(%s, %s)", (channel, take)).fetchall()
                delivered.extend(int(r[0]) for r in rows)
                got += len(rows)
            idle_rounds = idle_rounds + 1 if got == 0 and producers_done.is_set() else 0


def test_every_message_is_delivered_exactly_once(gateway_dsn: str, admin: psycopg.Connection) -> None:
    produced: list[int] = []
    delivered: list[int] = []
    producers_done = threading.Event()
    producers = start_all(Worker(produce, gateway_dsn, w, produced) for w in range(PRODUCERS))
    consumers = start_all(Worker(dequeue, gateway_dsn, w, delivered, producers_done)
                          for w in range(CONSUMERS))
    try:
        join_all(producers)
    finally:
        producers_done.set()  # so that the consumers stop even when a producer died
    join_all(consumers)

    assert len(produced) == MESSAGES
    assert len(set(produced)) == MESSAGES, "enqueue returned an id twice"
    duplicates = [msg_id for msg_id, n in Counter(delivered).items() if n > 1]
    assert duplicates == [], f"delivered more than once: {duplicates[:10]}"
    assert sorted(delivered) == sorted(produced), "a message was lost or invented"

    queued = admin.execute("SELECT count(*) FROM pgq.queue").fetchone()
    archived = admin.execute("SELECT count(*), count(DISTINCT id) FROM pgq.archive").fetchone()
    assert queued == (0,)
    assert archived == (MESSAGES, MESSAGES)


def test_order_is_fifo_per_channel_for_a_single_consumer(gateway_dsn: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        ids = [conn.execute("SELECT pgq.enqueue(%s, '{}')", (CHANNELS[i % 3],)).fetchone()[0]  # type: ignore[index]
               for i in range(30)]
        for channel in CHANNELS:
            got = [r[0] for r in conn.execute("SELECT id FROM pgq.dequeue(%s, 100)", (channel,)).fetchall()]
            assert got == [i for n, i in enumerate(ids) if CHANNELS[n % 3] == channel]
