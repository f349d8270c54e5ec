"""Soak: hold a steady load on a served gateway for minutes, and watch errors and memory.

    python -m tests.reliability.soak                  # 10 minutes at half the benchmark's knee
    python -m tests.reliability.soak --minutes 1 --rate 100

Everything runs on a throwaway cluster of its own and a gateway process it
starts (direct backend, maintenance on as in production), loaded from this
process over 127.0.0.1 only: a fixed arrival rate, half POST /message and half
GET /queue/soak. The gateway's resident memory is sampled every few seconds;
growth is counted from the end of a warm-up. At the end every id answered 201
must be stored exactly once and no id delivered twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from support.localpg import REPO, create_database, gateway_url, scratch_cluster, sqitch
from support.serve import running_gateway

RESULTS = REPO / "performance" / "results"
MAX_IN_FLIGHT = 256  # past this, a request counts as an error rather than queueing in the client


@dataclass
class Soak:
    seconds: float
    rate: float
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (second sent, seconds taken)
    failures: list[float] = field(default_factory=list)  # second sent
    load_average: tuple[float, float] = (0.0, 0.0)  # 1-minute, at the start and at the end
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (second, MB)
    acknowledged: list[int] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    lost: int = 0
    twice: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ("200", "201", "204"))

    def rss_growth_mb(self) -> float:
        """Last sample minus the first one after the warm-up (a fifth of the run, at most a minute)."""
        warm = min(60.0, self.seconds / 5)
        after = [mb for second, mb in self.rss_mb if second >= warm]
        return after[-1] - after[0] if len(after) > 1 else 0.0

    def percentile(self, share: float, since: float = 0, until: float = float("inf")) -> float:
        ordered = sorted(took for sent, took in self.latencies if since <= sent < until)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0

    def bad_windows(self, width: float = 10) -> list[str]:
        """The stretches with failures or a slow p99, to tell a stall from a steady fault."""
        found = []
        for start in range(0, int(self.seconds), int(width)):
            failed = sum(1 for sent in self.failures if start <= sent < start + width)
            p99 = self.percentile(0.99, start, start + width)
            if failed or p99 > 1000:
                found.append(f"{start}-{start + width:g}s: {failed} failed, p99 {p99:.0f} ms")
        return found

    def summary(self) -> dict[str, object]:
        first, last = (self.rss_mb[0][1], self.rss_mb[-1][1]) if self.rss_mb else (0.0, 0.0)
        return {
            "seconds": round(self.seconds), "target_rate": self.rate,
            "requests": self.requests, "achieved_rate": round(self.requests / self.seconds, 1),
            "errors": self.errors, "statuses": dict(sorted(self.statuses.items())),
            "p50_ms": round(self.percentile(0.5), 2), "p99_ms": round(self.percentile(0.99), 2),
            "acknowledged": len(self.acknowledged), "delivered": len(self.delivered),
            "lost_after_201": self.lost, "delivered_twice": self.twice,
            "rss_start_mb": round(first, 1), "rss_end_mb": round(last, 1),
            "rss_max_mb": round(max((mb for _, mb in self.rss_mb), default=0.0), 1),
            "rss_growth_after_warmup_mb": round(self.rss_growth_mb(), 1),
            "load_average_start_end": self.load_average,
            "bad_windows": self.bad_windows(),
        }


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def knee_rate() -> float | None:
    """The knee of the newest benchmark result that has one (performance/results/*.json)."""
    for path in sorted(RESULTS.glob("*.json"), reverse=True):
        try:
            rows = json.loads(path.read_text()).get("rows", [])
        except (OSError, ValueError, AttributeError):
            continue
        for row in rows:
            if str(row.get("scenario", "")).startswith("knee") and row.get("value"):
                return float(row["value"])
    return None


async def load(base: str, pid: int, result: Soak, sample_every: float) -> None:
    in_flight: set[asyncio.Task[None]] = set()
    died: list[BaseException] = []  # a request task that failed otherwise than by an HTTP error

    def finished(task: asyncio.Task[None]) -> None:
        in_flight.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            died.append(error)

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.monotonic()

        async def one(index: int) -> None:
            sent = time.monotonic()
            try:
                if index % 2:
                    answer = await client.post("/message", json={"channel": "soak", "message": {"n": index}})
                else:
                    answer = await client.get("/queue/soak")
            except httpx.HTTPError as exc:
                result.statuses[type(exc).__name__] += 1
                result.failures.append(sent - started)
                return
            result.latencies.append((sent - started, time.monotonic() - sent))
            result.statuses[str(answer.status_code)] += 1
            if answer.status_code >= 300:
                result.failures.append(sent - started)
            if answer.status_code == 201:
                result.acknowledged.append(answer.json()["id"])
            elif answer.status_code == 200:
                result.delivered.append(answer.json()["id"])

        next_sample = 0.0
        index = 0
        while (elapsed := time.monotonic() - started) < result.seconds:
            if elapsed >= next_sample:
                result.rss_mb.append((elapsed, resident_mb(pid)))
                next_sample += sample_every
            due = int(elapsed * result.rate)  # requests that should have started by now
            while index < due:
                if len(in_flight) >= MAX_IN_FLIGHT:
                    result.statuses["client backlog"] += 1
                    result.failures.append(elapsed)
                else:
                    task = asyncio.create_task(one(index))
                    in_flight.add(task)
                    task.add_done_callback(finished)
                index += 1
            await asyncio.sleep(min(0.01, 1 / result.rate))
        await asyncio.gather(*in_flight)
        result.rss_mb.append((time.monotonic() - started, resident_mb(pid)))
    if died:
        raise died[0]


def soak(seconds: float, rate: float, sample_every: float = 5.0) -> Soak:
    result = Soak(seconds, rate)
    load_at_start = os.getloadavg()[0]
    cluster = scratch_cluster("soak")
    cluster.start()
    try:
        admin_url = create_database(cluster, "pgq_soak")
        sqitch("deploy", admin_url, quiet=True)
        with running_gateway(PGQ_DATABASE_URL=gateway_url(admin_url)) as gateway:
            asyncio.run(load(gateway.url, gateway.pid, result, sample_every))
        result.load_average = (load_at_start, os.getloadavg()[0])
        with psycopg.connect(admin_url) as conn:
            stored = Counter(row[0] for row in conn.execute(
                "SELECT id FROM pgq.queue UNION ALL SELECT id FROM pgq.archive"))
        result.lost = sum(1 for i in result.acknowledged if stored[i] != 1)
        result.twice = sum(1 for n in Counter(result.delivered).values() if n > 1)
    finally:
        cluster.remove()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, help="requests/s (default: half the benchmark's knee)")
    parser.add_argument("--sample-seconds", type=float, default=5)
    args = parser.parse_args()
    rate = args.rate
    if rate is None:
        knee = knee_rate()
        if knee is None:
            sys.exit("soak: no knee in performance/results/ (run `make bench`), so pass --rate")
        rate = knee / 2
        print(f"soak: half the benchmark's knee of {knee:g} req/s", flush=True)
    print(f"soak: {args.minutes:g} min at {rate:g} req/s", flush=True)
    result = soak(args.minutes * 60, rate, args.sample_seconds)
    summary = result.summary()
    print(json.dumps(summary, indent=1))
    if result.errors or result.lost or result.twice:
        sys.exit("soak: FAILED (errors, lost or duplicated messages)")


if __name__ == "__main__":
    main()
