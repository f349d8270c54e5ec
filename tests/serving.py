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

from support.localpg import REPO, free_port


@dataclass(frozen=True)
class Gateway:
    url: str
    pid: int


@contextlib.contextmanager
def running_gateway(
    *uvicorn_options: str, factory: str = "gateway.app:create_app", **env: str
) -> Iterator[Gateway]:
    """Serve the gateway with PGQ_* settings from `env`, once /readyz says so."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", factory,
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
