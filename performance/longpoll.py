"""Long polling's two costs: how soon a waiting consumer gets a posted message, and what the
NOTIFY it takes costs enqueue throughput.

    python -m performance.longpoll            # about 2 minutes, own cluster
    python -m performance.longpoll --quick    # fewer samples and shorter runs

- Latency: one consumer long-polls `GET /queue/lp?wait=20` in a loop; a producer posts a message
  100 ms after each answer (the consumer is waiting again by then) and times POST /message's
  start to the consumer's 200.
- Enqueue with notifications on vs off: pgbench's `pgq.enqueue` script (16 clients), with and
  without a registered waiter (pgq.watch plus a session that LISTENs and drains), against the
  raw INSERT baseline, interleaved on and off A B A B; medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import asyncpg
import httpx

from performance.bench import CHANNEL, MESSAGE, RESULTS, serving
from performance.harness import CORES, SQL, channels, parse_tps, percentile, pgbench_binary
from support.localpg import create_database, gateway_url, psql, scratch_cluster, sqitch

LATENCY_CHANNEL = "lp"


async def latencies(base_url: str, samples: int) -> list[float]:
    """Milliseconds from the start of POST /message to the waiting consumer's 200."""
    answered = asyncio.Queue[float]()

    async def consumer(http: httpx.AsyncClient) -> None:
        while True:
            response = await http.get(f"/queue/{LATENCY_CHANNEL}", params={"wait": 20})
            if response.status_code == 200:
                answered.put_nowait(time.perf_counter())

    result = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http, \
            httpx.AsyncClient(base_url=base_url, timeout=30) as producer:
        waiting = asyncio.create_task(consumer(http))
        await asyncio.sleep(0.5)
        for seq in range(samples + 5):
            await asyncio.sleep(0.1)
            sent = time.perf_counter()
            message = {"channel": LATENCY_CHANNEL, "message": {"seq": seq}}
            (await producer.post("/message", json=message)).raise_for_status()
            received = await asyncio.wait_for(answered.get(), 25)
            if seq >= 5:  # the first few warm up connections and the registration
                result.append((received - sent) * 1000)
        waiting.cancel()
    return result


@contextmanager
def registered_waiter(url: str) -> Iterator[None]:
    """What a gateway with a consumer waiting on the bench channel does: registered, LISTENing, draining."""
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()

    async def listen() -> None:
        conn = await asyncpg.connect(url)
        await conn.add_listener("pgq_ready", lambda *_: None)
        await conn.execute("SELECT pgq.watch('bench-waiter', ARRAY[$1], ttl_seconds => 3600)",
                           f"{CHANNEL}1")
        ready.set()
        await stop  # asyncpg drains the notifications meanwhile
        await conn.execute("SELECT pgq.watch('bench-waiter', '{}')")
        await conn.close()

    thread = threading.Thread(target=lambda: loop.run_until_complete(listen()))
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the waiter did not register")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(30)
        loop.close()


def pgbench_tps(admin_url: str, script: str, seconds: int) -> float:
    command = [pgbench_binary(), "-n", "-M", "prepared", "-T", str(seconds), "-c", "16",
               "-j", str(min(16, CORES)), "-f", str(SQL / script), f"-Dmessage={json.dumps(MESSAGE)}",
               *(f"-D{name}={value}" for name, value in channels(CHANNEL).items()), admin_url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_tps(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args(argv)
    samples, seconds, repeats = (50, 2, 2) if options.quick else (300, 5, 3)

    cluster = scratch_cluster("longpoll", "max_wal_size=8GB", "checkpoint_timeout=30min")
    cluster.start()
    try:
        admin_url = create_database(cluster, "longpoll")
        sqitch("deploy", admin_url, quiet=True)
        psql(admin_url, (SQL / "setup.sql").read_text())
        app_url = gateway_url(admin_url)

        with serving(app_url, print) as served:
            waited = asyncio.run(latencies(served.url, samples))

        runs: dict[str, list[float]] = {"off": [], "on": [], "raw": []}
        for _ in range(repeats):
            runs["raw"].append(pgbench_tps(admin_url, "enqueue_raw.sql", seconds))
            runs["off"].append(pgbench_tps(admin_url, "enqueue_pgq.sql", seconds))
            with registered_waiter(app_url):
                runs["on"].append(pgbench_tps(admin_url, "enqueue_pgq.sql", seconds))
    finally:
        cluster.remove()

    medians = {name: statistics.median(values) for name, values in runs.items()}
    rows = [
        ("long-poll latency, POST /message → waiting consumer's 200", f"{len(waited)} messages",
         f"p50 {percentile(waited, 50):.1f} ms, p99 {percentile(waited, 99):.1f} ms"),
        ("`pgq.enqueue`, 16 clients, nobody waiting (no NOTIFY)", f"{medians['off']:,.0f} msgs/s",
         f"{medians['off'] / medians['raw']:.2f} of INSERT ({medians['raw']:,.0f})"),
        ("`pgq.enqueue`, 16 clients, a consumer waiting on the channel (NOTIFY each)",
         f"{medians['on']:,.0f} msgs/s", f"{medians['on'] / medians['off']:.2f} of no NOTIFY"),
    ]
    print("| measurement | value | compared |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"longpoll-{stamp}.json"
    figures = {"latencies_ms": waited, "enqueue_tps": runs, "quick": options.quick}
    out.write_text(json.dumps(figures, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
