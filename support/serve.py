"""The gateway as `make run` serves it: uvicorn in a process of its own, on a free port, until the block ends.

The one launcher for tests, the benchmark and the soak: it yields once /readyz answers 200.
`make bench` serves its minimal baseline app with it too.
"""

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

APP = "gateway.app:create_app"
START_SECONDS = 30.0
STOP_SECONDS = 30.0


class GatewayNotReady(RuntimeError):
    """The gateway exited at start-up, or did not become ready in time."""


@dataclass(frozen=True)
class Gateway:
    url: str
    pid: int


@contextlib.contextmanager
def running_gateway(
    *uvicorn_options: str, app: str = APP, probe: str = "/readyz", **env: str
) -> Iterator[Gateway]:
    """Serve the uvicorn factory `app` with PGQ_* settings from `env` and extra uvicorn options;
    ready once GET `probe` answers 2xx."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", app,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *uvicorn_options],
        cwd=REPO, env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url + probe)
        yield Gateway(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(process: subprocess.Popen[bytes], probe: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise GatewayNotReady(f"the gateway exited at start-up ({process.returncode})")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(probe, timeout=2).is_success:
                return
        if time.monotonic() > deadline:
            raise GatewayNotReady(f"the gateway did not become ready within {START_SECONDS:.0f} s")
        time.sleep(0.1)
