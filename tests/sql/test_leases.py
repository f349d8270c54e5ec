"""At-least-once delivery over real connections: leases, receipts, dead letters, delays, idempotency keys."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg

from tests.utils.threads import Worker, join_all, start_all
from tests.utils.waiting import make_due

CHANNEL = "work"
CONSUMERS = 8
MESSAGES = 200
MAX_DELIVERIES = 3
VISIBILITY = 1  # seconds: the shortest lease, so that crashed consumers' messages come back quickly
DEADLINE = 120  # seconds for the whole run; it normally takes a few


@dataclass
class Ledger:
    """What the consumers saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: dict[int, list[tuple[int, uuid.UUID]]] = field(default_factory=lambda: defaultdict(list))
    acked: list[tuple[int, uuid.UUID]] = field(default_factory=list)
    crashed: list[tuple[int, uuid.UUID]] = field(default_factory=list)
    stale_acks_accepted: list[tuple[int, uuid.UUID]] = field(default_factory=list)
    stale_acks_tried: int = 0


def remaining(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    row = conn.execute("SELECT coalesce(sum(depth + delayed + leased), 0)::int FROM pgq.stats() "
                       "WHERE channel = %s", (CHANNEL,)).fetchone()
    assert row is not None
    return int(str(row[0]))


def lease_and_settle(dsn: str, worker: int, ledger: Ledger, stop: float) -> None:
    """Lease, then ack, nack or "crash" (walk away) at random, until the channel is empty."""
    rng = random.Random(worker)
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < stop:
            rows = conn.execute("SELECT id, receipt, deliveries FROM pgq.lease(%s, %s, %s)",
                                (CHANNEL, VISIBILITY, rng.choice((1, 1, 3)))).fetchall()
            if not rows:
                if remaining(conn) == 0:
                    return
                time.sleep(0.02)
                continue
            for msg_id, receipt, deliveries in rows:
                with ledger.lock:
                    earlier = [old for d, old in ledger.issued[msg_id] if d < deliveries]
                    ledger.issued[msg_id].append((deliveries, receipt))
                # This message was leased before: its earlier receipts are stale now, and must be refused.
                for old in earlier:
                    accepted = conn.execute("SELECT pgq.ack(%s, %s, %s)", (CHANNEL, msg_id, old)).fetchone()
                    with ledger.lock:
                        ledger.stale_acks_tried += 1
                        if accepted != (False,):
                            ledger.stale_acks_accepted.append((msg_id, old))
                action = rng.random()
                if action < 0.6:
                    ok = conn.execute("SELECT pgq.ack(%s, %s, %s)", (CHANNEL, msg_id, receipt)).fetchone()
                    if ok == (True,):
                        with ledger.lock:
                            ledger.acked.append((msg_id, receipt))
                elif action < 0.8:
                    conn.execute("SELECT pgq.nack(%s, %s, %s)", (CHANNEL, msg_id, receipt))
                else:
                    with ledger.lock:
                        ledger.crashed.append((msg_id, receipt))


def test_every_message_is_acked_once_or_dead_lettered(gateway_dsn: str, admin: psycopg.Connection) -> None:
    admin.execute("SELECT pgq.configure(%s, max_deliveries => %s)", (CHANNEL, MAX_DELIVERIES))
    produced = [int(r[0]) for r in admin.execute(
        "SELECT pgq.enqueue_batch(%s, (SELECT jsonb_agg(jsonb_build_object('n', g)) "
        "FROM generate_series(1, %s) AS g))", (CHANNEL, MESSAGES)).fetchall()]
    ledger = Ledger()
    stop = time.monotonic() + DEADLINE
    join_all(start_all(Worker(lease_and_settle, gateway_dsn, w, ledger, stop) for w in range(CONSUMERS)))
    assert time.monotonic() < stop, "the consumers did not drain the channel in time"

    # Receipts: every stale one was refused, and each successful ack used the message's last receipt.
    assert ledger.stale_acks_tried > 0, "the run never re-leased a message, so it tested no stale receipt"
    assert ledger.stale_acks_accepted == []
    last_receipt = {msg_id: max(issued)[1] for msg_id, issued in ledger.issued.items()}
    assert all(receipt == last_receipt[msg_id] for msg_id, receipt in ledger.acked)
    for issued in ledger.issued.values():
        assert [d for d, _ in issued] == list(range(1, len(issued) + 1)), "deliveries must count 1, 2, 3..."
        assert len({r for _, r in issued}) == len(issued), "every delivery has its own receipt"

    acked = [msg_id for msg_id, _ in ledger.acked]
    assert len(acked) == len(set(acked)), "a message was acked twice"
    archived = {int(r[0]) for r in admin.execute("SELECT id FROM pgq.archive WHERE channel = %s", (CHANNEL,))}
    dead: dict[int, int] = {
        int(str(msg_id)): int(str(deliveries)) for msg_id, deliveries in
        admin.execute("SELECT id, deliveries FROM pgq.dead_letter WHERE channel = %s", (CHANNEL,))}
    assert archived == set(acked)
    assert not archived & set(dead), "a message is both acked and dead"
    assert archived | set(dead) == set(produced), "a message was lost"
    assert set(dead.values()) <= {MAX_DELIVERIES}, "dead-lettered after exactly max_deliveries deliveries"
    assert all(len(ledger.issued[msg_id]) == MAX_DELIVERIES for msg_id in dead)
    assert ledger.crashed and dead, "the run should include crashed consumers and dead letters"
    assert admin.execute("SELECT count(*) FROM pgq.queue").fetchone() == (0,)


def test_delayed_messages_are_not_delivered_early(gateway_dsn: str) -> None:
    """The real clock; the other tests of time here move visible_at (make_due)."""
    delay = 2
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        sent = time.time()
        conn.execute("SELECT pgq.enqueue('later', '{}', %s)", (delay,))
        conn.execute("SELECT pgq.enqueue('dequeued-later', '{}', %s)", (delay,))
        leased = dequeued = None
        while (leased is None or dequeued is None) and time.time() < sent + delay + 30:
            if leased is None and conn.execute("SELECT id FROM pgq.lease('later')").fetchall():
                leased = time.time()
            if dequeued is None and conn.execute("SELECT id FROM pgq.dequeue('dequeued-later')").fetchall():
                dequeued = time.time()
            time.sleep(0.05)
    assert leased is not None and dequeued is not None, "the delayed messages never became ready"
    assert leased >= sent + delay, f"leased {sent + delay - leased:.3f} s early"
    assert dequeued >= sent + delay, f"dequeued {sent + delay - dequeued:.3f} s early"


def test_a_nacked_message_waits_out_its_delay(gateway_dsn: str, admin: psycopg.Connection) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        conn.execute("SELECT pgq.enqueue('retry', '{}')")
        row = conn.execute("SELECT id, receipt FROM pgq.lease('retry')").fetchone()
        assert row is not None
        nack = conn.execute("SELECT pgq.nack('retry', %s, %s, 60)", (row[0], row[1])).fetchone()
        assert nack == (True,)
        assert conn.execute("SELECT id FROM pgq.lease('retry')").fetchone() is None, "not before its delay"
        waits = admin.execute("SELECT visible_at - now() FROM pgq.queue WHERE id = %s", [row[0]]).fetchone()
        assert waits is not None and timedelta(seconds=50) < waits[0] <= timedelta(seconds=60)
        assert make_due(admin, "retry") == 1
        again = conn.execute("SELECT id, deliveries FROM pgq.lease('retry')").fetchone()
    assert again == (row[0], 2), "the same message, second delivery"


def test_concurrent_duplicates_insert_one_row(gateway_dsn: str, admin: psycopg.Connection) -> None:
    keys = [f"key-{n}" for n in range(20)]
    start = threading.Barrier(CONSUMERS, timeout=30)  # a caller that died breaks it for the others
    results: list[tuple[str, int, bool]] = []
    lock = threading.Lock()

    def produce(worker: int) -> None:
        with psycopg.connect(gateway_dsn, autocommit=True) as conn:
            for key in keys:
                start.wait()
                row = conn.execute("SELECT id, duplicate FROM pgq.enqueue_once('once', %s, %s)",
                                   (f'{{"w": {worker}}}', key)).fetchone()
                assert row is not None
                with lock:
                    results.append((key, int(str(row[0])), bool(row[1])))

    join_all(start_all(Worker(produce, w) for w in range(CONSUMERS)))

    assert len(results) == CONSUMERS * len(keys)
    for key in keys:
        answers = [(msg_id, duplicate) for k, msg_id, duplicate in results if k == key]
        assert len({msg_id for msg_id, _ in answers}) == 1, f"{key}: every caller gets the same id"
        assert sorted(duplicate for _, duplicate in answers) == [False] + [True] * (CONSUMERS - 1)
    queued = admin.execute(
        "SELECT count(*), count(DISTINCT id) FROM pgq.queue WHERE channel = 'once'").fetchone()
    assert queued == (len(keys), len(keys))


def wait_until_blocked(admin: psycopg.Connection, pid: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        row = admin.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        if row == ("Lock",):
            return
        time.sleep(0.02)
    raise AssertionError("the second enqueue_once never waited for the first")


def race_one_key(
    gateway_dsn: str, admin: psycopg.Connection, first_commits: bool,
) -> tuple[int, tuple[int, bool]]:
    """The first caller holds its new key uncommitted while a second caller arrives with the same key."""
    answer: list[tuple[int, bool]] = []
    with psycopg.connect(gateway_dsn) as first, psycopg.connect(gateway_dsn, autocommit=True) as second:
        row = first.execute("SELECT id FROM pgq.enqueue_once('race', '{\"who\": 1}', 'k')").fetchone()
        assert row is not None
        second_pid = second.info.backend_pid

        def call() -> None:
            got = second.execute(
                "SELECT id, duplicate FROM pgq.enqueue_once('race', '{\"who\": 2}', 'k')").fetchone()
            assert got is not None
            answer.append((int(str(got[0])), bool(got[1])))

        [thread] = start_all([Worker(call)])
        wait_until_blocked(admin, second_pid)
        if first_commits:
            first.commit()
        else:
            first.rollback()
        thread.join(timeout=30)
    return int(str(row[0])), answer[0]


def test_a_racing_duplicate_waits_and_returns_the_winner(gateway_dsn: str, admin: psycopg.Connection) -> None:
    first_id, (second_id, duplicate) = race_one_key(gateway_dsn, admin, first_commits=True)
    assert (second_id, duplicate) == (first_id, True)
    rows = admin.execute("SELECT id, message FROM pgq.queue WHERE channel = 'race'").fetchall()
    assert rows == [(first_id, {"who": 1})], "exactly the winner's row; the loser's insert was taken back"


def test_a_racing_duplicate_enqueues_when_the_first_rolls_back(
    gateway_dsn: str, admin: psycopg.Connection,
) -> None:
    first_id, (second_id, duplicate) = race_one_key(gateway_dsn, admin, first_commits=False)
    assert duplicate is False and second_id != first_id
    rows = admin.execute("SELECT id, message FROM pgq.queue WHERE channel = 'race'").fetchall()
    assert rows == [(second_id, {"who": 2})]
