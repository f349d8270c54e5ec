"""Kill nodes of a real pg_auto_failover formation under load through the gateway: nothing answered 201 is
lost, nothing answered 503 is stored, nothing is acked twice, and writes resume within FAILOVER_BOUND.

The formation is `make ha`'s (support/ha.py: a monitor, a primary and two standbys, number_sync_standbys 1)
on free ports. The gateway is given the multi-host URL and is never restarted. Two rounds:

1. a standby dies: writes keep flowing, since the other standby still acknowledges every commit;
2. the primary dies: the monitor promotes a standby, and the gateway finds it by itself.

"Dies" is SIGKILL of the node's pg_autoctl and its Postgres together: pg_autoctl alone would restart
a killed Postgres in place. Every message carries a unique id in its body, so the tables can be
reconciled with what each client was told.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from support.ha import Formation, Node, deploy, scratch_formation
from support.localpg import psql
from support.serve import running_gateway
from tests.utils.waiting import wait_for, watched

FAILOVER_BOUND = 30.0  # seconds from the kill to the first successful write, with make ha's settings
# Channels of uneven size: the first gets two producers, and only it and the second have a consumer.
PRODUCED = ("fo-big", "fo-big", "fo-small", "fo-tail")
CONSUMED = ("fo-big", "fo-small")
LOAD_SECONDS = 2  # of load before and after each kill
VISIBILITY = 5  # seconds a lease lasts, so one cut short by the kill comes back within the test


@dataclass
class Ledger:
    """What the clients were told, by message id (the `uid` in each body)."""

    answers: dict[str, int] = field(default_factory=dict)  # uid -> status of its POST (0: no answer)
    refusals: dict[str, str] = field(default_factory=dict)  # uid -> body of a non-201 answer
    written: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered) of every 201
    acked: list[str] = field(default_factory=list)  # uids whose ack answered 200
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_write_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first 201 of a POST sent after it."""
        with self.lock:
            answered = [done for sent, done in self.written if sent >= moment]
        return min(answered) - moment if answered else None


def produce(client: httpx.Client, channel: str, ledger: Ledger, stop: threading.Event) -> None:
    while not stop.is_set():
        uid = uuid.uuid4().hex
        sent = time.monotonic()
        try:
            answer = client.post("/message", json={"channel": channel, "message": {"uid": uid}})
            status, body = answer.status_code, answer.text
        except httpx.HTTPError as exc:
            status, body = 0, repr(exc)
        with ledger.lock:
            ledger.answers[uid] = status
            if status != 201:
                ledger.refusals[uid] = body
            ledger.statuses[status] += 1
            if status == 201:
                ledger.written.append((sent, time.monotonic()))
        if status != 201:
            time.sleep(0.05)  # a client retrying a refusal, not a busy loop


def consume(client: httpx.Client, channel: str, ledger: Ledger, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            leased = client.get(f"/queue/{channel}", params={"visibility": VISIBILITY})
            if leased.status_code != 200:
                time.sleep(0.05)
                continue
            message = leased.json()
            receipt = {"id": message["id"], "receipt": message["receipt"]}
            ack = client.post(f"/queue/{channel}/ack", json=receipt)
        except httpx.HTTPError:
            continue
        if ack.status_code == 200:
            with ledger.lock:
                ledger.acked.append(message["message"]["uid"])


@contextlib.contextmanager
def load(base: str, ledger: Ledger) -> Iterator[None]:
    """Producers and consumers working through the gateway for as long as the block lasts."""
    stop = threading.Event()
    jobs = [(produce, channel) for channel in PRODUCED] + [(consume, channel) for channel in CONSUMED]
    with httpx.Client(base_url=base, timeout=15, limits=httpx.Limits(max_connections=len(jobs))) as client:
        workers = [threading.Thread(target=job, args=(client, channel, ledger, stop))
                   for job, channel in jobs]
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            stop.set()
            for worker in workers:
                worker.join()


@pytest.fixture(scope="module")
def formation() -> Iterator[Formation]:
    owned = scratch_formation("failover")
    try:
        owned.create()
        deploy(owned, quiet=True)
        yield owned
    finally:
        owned.remove()


def timeline(formation: Formation, node: Node) -> int:
    """The timeline the node last reported to the monitor: a promotion starts a new one."""
    sql = f"SELECT reportedtli FROM pgautofailover.node WHERE nodename = '{node.name}'"
    return int(formation.monitor_sql(sql))


def kill_and_resume(formation: Formation, victim: Node, ledger: Ledger) -> float:
    """SIGKILL `victim` while the load runs; seconds from the kill to the first successful write after it."""
    formation.kill(victim)
    killed = time.monotonic()  # once every process of the node is gone
    while (resumed := ledger.first_write_after(killed)) is None:
        assert time.monotonic() - killed < 3 * FAILOVER_BOUND, f"no write after killing {victim.name}"
        time.sleep(0.1)
    return resumed


def wait_for_state(formation: Formation, name: str, state: str) -> None:
    wait_for(lambda: formation.state_of(name) == state, f"{name} {state}", timeout=120)


def promoted_instead_of(formation: Formation, dead: Node, seconds: float = 60) -> Node:
    """The standby the monitor promoted, once it says so (writes may resume a little earlier)."""
    deadline = time.monotonic() + seconds
    while (promoted := formation.primary()) in (None, dead):
        assert time.monotonic() < deadline, f"no promotion: {formation.states()}"
        time.sleep(0.5)
    assert promoted is not None
    return promoted


def long_poll(base: str, channel: str) -> tuple[httpx.Response, float]:
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.get(f"/queue/{channel}", params={"wait": 20})
        return answer, time.monotonic()


def test_killed_nodes_lose_no_acknowledged_message(
    formation: Formation, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = Ledger()
    with running_gateway(PGQ_DATABASE_URL=formation.gateway_url(), PGQ_UPSTREAM_TIMEOUT="2",
                         PGQ_MAINTAIN_INTERVAL="0") as gateway:
        # Round 1: a standby dies. The other one still acknowledges every commit.
        primary = formation.primary()
        assert primary is not None
        standby = next(node for node in formation.nodes if formation.state_of(node.name) == "secondary")
        with load(gateway.url, ledger):
            time.sleep(LOAD_SECONDS)
            standby_gap = kill_and_resume(formation, standby, ledger)
            time.sleep(LOAD_SECONDS)
        assert formation.primary() == primary, "a standby's death promoted nobody"
        standby_round = dict(ledger.statuses)
        formation.start_service(standby)  # it rejoins as a standby
        wait_for_state(formation, standby.name, "secondary")

        # Round 2: the primary dies, while a long poll waits on a channel of its own.
        before = timeline(formation, primary)
        waited = f"fo-wait-{uuid.uuid4().hex[:8]}"
        with ThreadPoolExecutor(1) as pool, load(gateway.url, ledger):
            time.sleep(LOAD_SECONDS)
            waiting = pool.submit(long_poll, gateway.url, waited)
            with psycopg.connect(primary.admin_url, autocommit=True) as conn:
                wait_for(lambda: watched(conn, waited), "the long poll waiting")
            failover = kill_and_resume(formation, primary, ledger)
            uid = uuid.uuid4().hex
            posted = httpx.post(f"{gateway.url}/message", json={"channel": waited, "message": {"uid": uid}},
                                timeout=15)
            posted_at = time.monotonic()
            woken, woken_at = waiting.result(timeout=60)
            time.sleep(LOAD_SECONDS)
            promoted = promoted_instead_of(formation, primary)

    admin = psycopg.connect(promoted.admin_url, autocommit=True)
    with admin:
        stored = Counter(uid for (uid,) in admin.execute(
            "SELECT message->>'uid' FROM pgq.queue UNION ALL SELECT message->>'uid' FROM pgq.archive"
            " UNION ALL SELECT message->>'uid' FROM pgq.dead_letter").fetchall())
        archived = Counter(uid for (uid,) in
                           admin.execute("SELECT message->>'uid' FROM pgq.archive").fetchall())

    answered = {status: [uid for uid, got in ledger.answers.items() if got == status]
                for status in (201, 503, 504)}
    lost = [uid for uid in answered[201] if stored[uid] != 1]
    stored_after_503 = [uid for uid in answered[503] if stored[uid]]
    stored_twice_after_504 = [uid for uid in answered[504] if stored[uid] > 1]
    acked_twice = [uid for uid, n in Counter(ledger.acked).items() if n > 1]
    acked_not_archived = [uid for uid in ledger.acked if archived[uid] != 1]

    with capsys.disabled():
        print(f"\nfailover test: first write {standby_gap:.1f} s after killing a standby, {failover:.1f} s "
              f"after killing the primary ({primary.name} -> {promoted.name}); "
              f"{len(answered[201])} messages written, "
              f"{len(ledger.acked)} acked, lost: {len(lost)}, acked twice: {len(acked_twice)}, "
              f"stored after a 503: {len(stored_after_503)}; POST statuses in the standby round: "
              f"{standby_round}, in both: {dict(ledger.statuses)}")

    assert timeline(formation, promoted) > before, "the promoted standby started no new timeline"
    assert posted.status_code == 201
    assert woken.status_code == 200, f"{woken.status_code}, {woken_at - posted_at:.1f} s after the post"
    assert woken.json()["message"] == {"uid": uid}, "the long poll got the message posted after the failover"
    assert len(answered[201]) > 100, "the load never got going"
    assert lost == [], f"answered 201 but not stored exactly once: {lost[:10]}"
    refused_yet_stored = [ledger.refusals[uid] for uid in stored_after_503]
    assert stored_after_503 == [], f"answered 503 but stored: {refused_yet_stored[:5]}"
    assert stored_twice_after_504 == [], f"answered 504 and stored twice: {stored_twice_after_504[:10]}"
    assert acked_twice == [], f"acked twice: {acked_twice[:10]}"
    assert acked_not_archived == [], f"acked but not archived exactly once: {acked_not_archived[:10]}"
    assert failover <= FAILOVER_BOUND, f"writes resumed {failover:.1f} s after the primary's death"
    assert standby_gap <= FAILOVER_BOUND, f"writes resumed {standby_gap:.1f} s after a standby's death"


def test_a_formation_stopped_after_a_failover_starts_again_around_the_promoted_primary(
    formation: Formation,
) -> None:
    """`make ha-stop` then `make ha` right after a promotion (the state the test above leaves; run alone,
    this test makes one): the formation comes back with the node the monitor promoted as its primary,
    no failover on the way, every node serving (the dead one rejoined), and the deploy goes to it."""
    if all(formation.serving(node) for node in formation.nodes):
        dead = formation.primary()
        assert dead is not None
        formation.kill(dead)
        promoted_instead_of(formation, dead)
    promoted = formation.named_primary()
    assert promoted is not None

    formation.stop()
    formation.create()

    assert formation.primary() == promoted, f"the restart failed over: {formation.states()}"
    assert all(formation.serving(node) for node in formation.nodes), formation.states()
    admin = deploy(formation, quiet=True)
    assert admin == promoted.admin_url
    assert psql(admin, "SELECT pg_is_in_recovery()") == "f"
