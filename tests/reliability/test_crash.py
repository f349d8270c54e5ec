"""Crash PostgreSQL under load through the gateway: nothing acknowledged is lost, nothing delivered twice.

Three kinds of crash, each three times, while producers POST /message and
consumers GET /queue/{channel} through the gateway's direct backend.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from support.localpg import Cluster, create_database, gateway_url, scratch_cluster, sqitch
from support.serve import running_gateway
from tests.reliability.faults import crash
from tests.utils.threads import Worker, join_all, start_all
from tests.utils.waiting import make_due, wait_for

ROUNDS = 3
KINDS = ("immediate", "backend", "postmaster")
CHANNELS = ("crash-a", "crash-b")
# What a client may be told while the database crashes: 503, nothing happened; 504, the outcome is
# unknown. Never a 500, and never no answer at all (0).
REFUSALS = {503, 504}
PROGRESS = 40  # messages stored and consumed before each crash, and again after it


@dataclass
class Ledger:
    """What the clients were told, shared by the load threads."""

    acknowledged: list[int] = field(default_factory=list)  # ids answered 201
    delivered: list[int] = field(default_factory=list)  # ids answered 200
    refused: Counter[int] = field(default_factory=Counter)  # non-2xx statuses (0: no answer at all)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self) -> int:
        """How far the load has got: the fewer of the messages stored and the messages consumed."""
        return min(len(self.acknowledged), len(self.delivered))

    def record(self, status: int, ids: list[int], into: list[int]) -> None:
        with self.lock:
            if status in (200, 201):
                into.extend(ids)
            elif status != 204:
                self.refused[status] += 1


def produce(base: str, channel: str, ledger: Ledger, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=15) as client:
        seq = 0
        while not stop.is_set():
            seq += 1
            try:
                answer = client.post("/message", json={"channel": channel, "message": {"seq": seq}})
            except httpx.HTTPError:
                ledger.record(0, [], [])
                continue
            ledger.record(answer.status_code, [answer.json()["id"]] if answer.status_code == 201 else [],
                          ledger.acknowledged)


def dequeue(base: str, channel: str, ledger: Ledger, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=15) as client:
        while not stop.is_set():
            try:
                answer = client.get(f"/queue/{channel}")
            except httpx.HTTPError:
                ledger.record(0, [], [])
                continue
            ledger.record(answer.status_code, [answer.json()["id"]] if answer.status_code == 200 else [],
                          ledger.delivered)


@pytest.fixture(scope="module")
def crash_cluster() -> Iterator[Cluster]:
    owned = scratch_cluster("crash")
    owned.start()
    try:
        yield owned
    finally:
        owned.remove()


def test_crashes_lose_no_acknowledged_message_and_deliver_none_twice(
    crash_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    admin_url = create_database(crash_cluster, "pgq_crash")
    sqitch("deploy", admin_url, quiet=True)
    ledger = Ledger()
    with running_gateway(PGQ_DATABASE_URL=gateway_url(admin_url), PGQ_UPSTREAM_TIMEOUT="2",
                         PGQ_MAINTAIN_INTERVAL="0") as gateway:
        faults = crash_under_load(crash_cluster, gateway.url, (produce, dequeue), ledger, ROUNDS)

    with psycopg.connect(admin_url) as conn:
        queued = [r[0] for r in conn.execute("SELECT id FROM pgq.queue").fetchall()]
        archived = [r[0] for r in conn.execute("SELECT id FROM pgq.archive").fetchall()]

    stored = Counter(queued + archived)
    lost = [i for i in ledger.acknowledged if stored[i] != 1]
    twice = [i for i, n in Counter(ledger.delivered).items() if n > 1]
    # A dequeue that committed just before the crash never got its 200: at-most-once.
    dequeued_unanswered = sorted(set(archived) - set(ledger.delivered))

    with capsys.disabled():
        print(f"\ncrash test: {len(ledger.acknowledged)} acknowledged, {len(ledger.delivered)} delivered, "
              f"{faults} faults, lost after 201: {len(lost)}, delivered twice: {len(twice)}, "
              f"consumed without a 200: {len(dequeued_unanswered)}, refused: {dict(ledger.refused)}")

    assert len(ledger.acknowledged) > 100, "the load never got going"
    assert set(ledger.refused) <= REFUSALS, f"refused otherwise than with 503 or 504: {dict(ledger.refused)}"
    assert lost == [], f"acknowledged but lost or duplicated in storage: {lost[:10]}"
    assert twice == [], f"delivered twice: {twice[:10]}"
    assert not set(queued) & set(archived)
    assert set(ledger.delivered) <= set(archived)
    # At most one message per consumer in flight per crash.
    assert len(dequeued_unanswered) <= faults * len(CHANNELS)


def wait_for_service(base: str) -> float:
    """Seconds until the gateway serves a real pgq call again."""
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=5) as client:
        while time.monotonic() - started < 30:
            try:
                if client.get("/channels").status_code in (200, 204):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    return time.monotonic() - started


# --- the same crashes with at-least-once consumers: lease, then ack ---------------------------------

LEASE_ROUNDS = 1  # the three kinds once: enough to crash mid-lease and mid-ack, within ~30 s
VISIBILITY = 5  # seconds a crashed consumer's message stays hidden


@dataclass
class LeaseLedger(Ledger):
    acked: list[int] = field(default_factory=list)  # ids whose ack answered 200

    def progress(self) -> int:
        return min(len(self.acknowledged), len(self.acked))


def lease_and_ack_once(client: httpx.Client, channel: str, ledger: LeaseLedger) -> bool:
    """Lease a message and ack it; False when there was nothing to lease."""
    answer = client.get(f"/queue/{channel}", params={"visibility": VISIBILITY})
    ledger.record(answer.status_code, [], [])
    if answer.status_code != 200:
        return False
    leased = answer.json()
    acked = client.post(f"/queue/{channel}/ack", json={"id": leased["id"], "receipt": leased["receipt"]})
    ledger.record(acked.status_code, [leased["id"]], ledger.acked)
    return True


def lease_and_ack(base: str, channel: str, ledger: LeaseLedger, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=15) as client:
        while not stop.is_set():
            try:
                lease_and_ack_once(client, channel, ledger)
            except httpx.HTTPError:
                ledger.record(0, [], [])


def crash_under_load(
    cluster: Cluster, base: str, work: tuple[Callable[..., None], ...], ledger: Ledger, rounds: int
) -> int:
    """Each kind of crash `rounds` times while `work` runs on every channel; returns the fault count."""
    faults = 0
    for _ in range(rounds):
        for kind in KINDS:
            stop = threading.Event()
            workers = start_all(Worker(job, base, channel, ledger, stop)
                                for channel in CHANNELS for job in work)
            try:
                under_way(ledger)
                crash(cluster, kind)
                faults += 1
                recovered = wait_for_service(base)
                under_way(ledger)
            finally:
                stop.set()
            join_all(workers, timeout=60)
            assert recovered < 10, f"the gateway needed {recovered:.1f}s to serve again after {kind}"
    return faults


def under_way(ledger: Ledger) -> None:
    """Wait until the load has moved more messages: it runs (again), with requests in flight."""
    start = ledger.progress()
    wait_for(lambda: ledger.progress() >= start + PROGRESS, "the load moving messages")


def drain(base: str, admin_url: str, ledger: LeaseLedger) -> int:
    """Every lease ended now (time forged), lease and ack what is left; returns how many that was."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for channel in CHANNELS:
            make_due(admin, channel)
    before = len(ledger.acked)
    with httpx.Client(base_url=base, timeout=15) as client:
        for channel in CHANNELS:
            deadline = time.monotonic() + 30
            while lease_and_ack_once(client, channel, ledger):
                assert time.monotonic() < deadline, f"{channel} did not drain"
    return len(ledger.acked) - before


def test_crashes_lose_no_acked_lease(crash_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    admin_url = create_database(crash_cluster, "pgq_crash_lease")
    sqitch("deploy", admin_url, quiet=True)
    ledger = LeaseLedger()
    with running_gateway(PGQ_DATABASE_URL=gateway_url(admin_url), PGQ_UPSTREAM_TIMEOUT="2",
                         PGQ_MAINTAIN_INTERVAL="0") as gateway:
        faults = crash_under_load(crash_cluster, gateway.url, (produce, lease_and_ack), ledger, LEASE_ROUNDS)
        enqueued, acked_under_crashes = list(ledger.acknowledged), list(ledger.acked)
        drained = drain(gateway.url, admin_url, ledger)

    with psycopg.connect(admin_url) as conn:
        def ids(table: str) -> list[int]:
            return [r[0] for r in conn.execute(f"SELECT id FROM pgq.{table}").fetchall()]

        queued, archived, dead = ids("queue"), ids("archive"), ids("dead_letter")

    archive = Counter(archived)
    stored = Counter(queued + archived + dead)
    lost_after_ack = [i for i in ledger.acked if archive[i] != 1]
    lost_after_201 = [i for i in enqueued if stored[i] != 1]
    acked_twice = [i for i, n in Counter(ledger.acked).items() if n > 1]
    # An ack that committed just before a crash never got its 200.
    acked_unanswered = sorted(set(archived) - set(ledger.acked))

    with capsys.disabled():
        print(f"\nlease crash test: {len(enqueued)} enqueued, {len(acked_under_crashes)} acked under "
              f"crashes, {faults} faults, lost after an acked lease: {len(lost_after_ack)}, lost after 201: "
              f"{len(lost_after_201)}, acked without a 200: {len(acked_unanswered)}, "
              f"acked in the drain: {drained}, dead letters: {len(dead)}, refused: {dict(ledger.refused)}")

    assert len(acked_under_crashes) > 100, "the load never got going"
    # 409: an ack whose lease ran out while the database was down, and was leased again since.
    assert set(ledger.refused) <= REFUSALS | {409}, f"refused otherwise: {dict(ledger.refused)}"
    assert lost_after_ack == [], f"acked with a 200 but not archived exactly once: {lost_after_ack[:10]}"
    assert lost_after_201 == [], f"answered 201 but lost or stored twice: {lost_after_201[:10]}"
    assert acked_twice == [], f"two acks of one message answered 200: {acked_twice[:10]}"
    # At-least-once: nothing a crash interrupted stays stuck in a lease.
    assert queued == []
    assert len(acked_unanswered) <= faults * len(CHANNELS)
