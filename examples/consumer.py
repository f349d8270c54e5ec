"""A complete HTTP consumer of one pgQueue channel: long-poll a lease, work, extend the lease while
working, ack, nack with exponential backoff on failure, stop cleanly on SIGTERM or Ctrl-C.

    python examples/consumer.py http://127.0.0.1:8000 jobs [--visibility 30]

Replace work() with your job. Needs httpx; with PGQ_API_TOKEN set, add its Authorization header."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import httpx

WAIT = 20  # seconds a poll waits for a message
BACKOFF, MAX_BACKOFF = 1, 600  # a failed job is ready again after 1, 2, 4, ... s, at most 10 minutes


class Stop(Exception):
    """SIGTERM or Ctrl-C while polling: nothing is held, so stop at once."""


def work(message: dict[str, Any], deliveries: int) -> None:
    """Your job. This one sleeps message["seconds"], and fails its first message["failures"] tries."""
    time.sleep(message.get("seconds", 0))
    if deliveries <= message.get("failures", 0):
        raise RuntimeError(f"failed on delivery {deliveries}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url"), parser.add_argument("channel")
    parser.add_argument("--visibility", type=int, default=30, help="lease seconds, extended every third")
    args = parser.parse_args()
    stopping, polling = threading.Event(), threading.Event()

    def on_signal(*_: object) -> None:
        stopping.set()
        if polling.is_set():
            raise Stop  # interrupts the long poll; a job in hand is finished and settled first

    signal.signal(signal.SIGTERM, on_signal), signal.signal(signal.SIGINT, on_signal)
    queue = f"/queue/{args.channel}"
    with httpx.Client(base_url=args.url, timeout=WAIT + 10) as http, ThreadPoolExecutor(1) as pool:
        try:
            while not stopping.is_set():
                polling.set()
                try:
                    answer = http.get(queue, params={"visibility": args.visibility, "wait": WAIT})
                except httpx.TransportError:  # the gateway is away: try again shortly
                    answer = None
                polling.clear()
                if answer is None or answer.status_code != 200:  # 204: nothing yet; 503: try again
                    time.sleep(0 if answer is not None and answer.status_code == 204 else 1)
                    continue
                leased = answer.json()
                receipt = {"id": leased["id"], "receipt": leased["receipt"]}
                print(f"leased {leased['id']} delivery {leased['deliveries']}", flush=True)
                job = pool.submit(work, leased["message"], leased["deliveries"])
                while not wait([job], timeout=args.visibility / 3).done:  # still working: keep the lease
                    extended = http.post(f"{queue}/extend", json={**receipt, "visibility": args.visibility})
                    print(f"extended {leased['id']}: {extended.status_code}", flush=True)
                if job.exception() is None:
                    print(f"acked {leased['id']}: {http.post(f'{queue}/ack', json=receipt).status_code}",
                          flush=True)
                    continue
                delay = min(BACKOFF * 2 ** (leased["deliveries"] - 1), MAX_BACKOFF)
                nacked = http.post(f"{queue}/nack", json={**receipt, "delay": delay})
                print(f"nacked {leased['id']}, again in {delay} s: {nacked.status_code}", flush=True)
        except Stop:
            pass
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
