"""The gateway served as `make run` serves it: uvicorn in a process of its own, on a free port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from gateway import longpoll
from gateway.app import create_app
from support.localpg import REPO, free_port

APP = "gateway.app:create_app"
NOTIFIED_ONLY_APP = "tests.serving:create_notified_only_app"


@dataclass(frozen=True)
class Gateway:
    url: str
    pid: int


def create_notified_only_app() -> FastAPI:
    """The gateway with its once-a-second re-check of waiting channels stretched past any wait,
    so that only a notification can wake a waiting request: a test served by it tells the two apart."""
    assert isinstance(longpoll.RECHECK_SECONDS, float), "the re-check this app stretches is gone"
    longpoll.RECHECK_SECONDS = 3600.0
    return create_app()


@contextlib.contextmanager
def running_gateway(*uvicorn_options: str, app: str = APP, **env: str) -> Iterator[Gateway]:
    """Serve the gateway (the uvicorn factory APP) with PGQ_* settings from `env`, once /readyz says so."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", app,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *uvicorn_options],
        cwd=REPO, env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the gateway exited at start-up"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the gateway did not become ready"
            time.sleep(0.1)
        yield Gateway(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
