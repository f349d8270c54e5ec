"""examples/consumer.py against a real gateway: every job acked once, a job that outlives its first lease
kept by extending it, a failing job nacked with growing delays, and a clean stop on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from support.localpg import REPO
from support.serve import running_gateway
from tests.utils.waiting import wait_for, watched

CONSUMER = REPO / "examples" / "consumer.py"
VISIBILITY = 2  # seconds: a 5-second job outlives its first lease
DEADLINE = 60.0


class Consumer:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process, self.log = process, log

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DEADLINE)


@contextmanager
def consumer(url: str, channel: str, log: Path) -> Iterator[Consumer]:
    with log.open("wb") as out:
        command = [sys.executable, str(CONSUMER), url, channel, "--visibility", str(VISIBILITY)]
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield Consumer(process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def enqueue(url: str, channel: str, message: dict[str, object]) -> int:
    answer = httpx.post(f"{url}/message", json={"channel": channel, "message": message})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_two_consumers_settle_every_job_once(gateway_dsn: str, tmp_path: Path) -> None:
    channel = "consumer-example"
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAINTAIN_INTERVAL="0") as gateway:
        quick = enqueue(gateway.url, channel, {"seq": 1})
        slow = enqueue(gateway.url, channel, {"seconds": 5})
        failing = enqueue(gateway.url, channel, {"failures": 2})
        with consumer(gateway.url, channel, tmp_path / "a.log") as first, \
                consumer(gateway.url, channel, tmp_path / "b.log") as second:
            def lines() -> list[str]:
                return first.lines() + second.lines()

            wait_for(lambda: sum(line.startswith("acked") for line in lines()) == 3, "three jobs acked")
            assert first.stop() == 0 and second.stop() == 0
            assert first.lines()[-1] == second.lines()[-1] == "stopped"
        log = lines()
        assert sorted(line for line in log if line.startswith("acked")) == sorted(
            f"acked {job}: 200" for job in (quick, slow, failing))
        assert [line for line in log if line.startswith(f"leased {slow} ")] == [f"leased {slow} delivery 1"]
        assert f"extended {slow}: 200" in log
        assert [line for line in log if line.startswith(f"nacked {failing}")] == [
            f"nacked {failing}, again in 1 s: 200", f"nacked {failing}, again in 2 s: 200"]
        assert f"leased {failing} delivery 3" in log
        counts = httpx.get(f"{gateway.url}/channels/{channel}").json()
        assert (counts["depth"], counts["delayed"], counts["leased"], counts["consumed"]) == (0, 0, 0, 3)


def test_sigterm_mid_job_finishes_and_settles_it_first(gateway_dsn: str, tmp_path: Path) -> None:
    channel = "consumer-stop"
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAINTAIN_INTERVAL="0") as gateway:
        job = enqueue(gateway.url, channel, {"seconds": 3})
        with consumer(gateway.url, channel, tmp_path / "c.log") as running:
            wait_for(lambda: f"leased {job} delivery 1" in running.lines(), "the job leased")
            assert running.stop() == 0
            assert running.lines()[-2:] == [f"acked {job}: 200", "stopped"]


def test_sigterm_while_polling_stops_at_once(
    gateway_dsn: str, admin: psycopg.Connection[Any], tmp_path: Path
) -> None:
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAINTAIN_INTERVAL="0") as gateway, \
            consumer(gateway.url, "consumer-idle", tmp_path / "d.log") as idle:
        wait_for(lambda: watched(admin, "consumer-idle"), "the consumer in its 20-second long poll")
        started = time.monotonic()
        assert idle.stop() == 0
        assert time.monotonic() - started < 10, "the long poll was not cut short"
        assert idle.lines() == ["stopped"]
        assert not re.search("Traceback", idle.log.read_text())
