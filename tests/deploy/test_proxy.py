"""docker/proxy/haproxy.cfg, run by a real HAProxy in front of two real gateway replicas.

Docker's DNS does not exist here, so the test swaps each DNS-filled
server-template for fixed loopback servers and each bind for a free port;
everything else (timeouts, health checks, balancing, retries, the monitor) is
the compose stack's own configuration.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from gateway.bounds import HTTP_MAX_WAIT
from support.localpg import REPO, free_port
from support.serve import Gateway, running_gateway
from tests.utils.waiting import wait_for

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None,
                                reason="HAProxy is not installed (support/bootstrap.sh)")

HAPROXY_CFG = REPO / "docker/proxy/haproxy.cfg"


def replaced(text: str, pattern: str, replacement: str) -> str:
    """TEXT with PATTERN (a regex, multiline) replaced once: the compose config must still have it."""
    result, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"haproxy.cfg no longer has {pattern!r}"
    return result


@contextlib.contextmanager
def running_haproxy(gateways: list[int], postgrest: int, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The compose proxy on loopback; yields the base URL of each of its frontends."""
    ports = {name: free_port() for name in ("gateway", "postgrest", "health")}
    cfg = HAPROXY_CFG.read_text()
    cfg = replaced(cfg, r"^resolvers docker\n(?:[ \t]+.*\n)+", "")
    cfg = replaced(cfg, r" resolvers docker resolve-prefer ipv4 init-addr none$", "")
    servers = "\n".join(f"    server gateway{i} 127.0.0.1:{port}" for i, port in enumerate(gateways))
    cfg = replaced(cfg, r"^\s*server-template gateway 10 gateway:8000$", servers)
    cfg = replaced(cfg, r"^\s*server-template postgrest 10 postgrest:3000 port 3001$",
                   f"    server postgrest0 127.0.0.1:{postgrest}")
    for bind, name in ((":8000", "gateway"), (":3001", "postgrest"), (":8404", "health")):
        cfg = replaced(cfg, rf"^(\s*bind) {bind}$", rf"\1 127.0.0.1:{ports[name]}")
    config = tmp_path / "haproxy.cfg"
    config.write_text(cfg)
    log = tmp_path / "haproxy.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["haproxy", "-db", "-f", str(config)],
                                   stdout=out, stderr=subprocess.STDOUT)
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        deadline = time.monotonic() + 30
        while not healthy(urls["health"]):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield urls
    finally:
        process.terminate()
        process.wait(timeout=10)


def healthy(health_url: str) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return httpx.get(f"{health_url}/healthz", timeout=2).status_code == 200
    return False


@contextlib.contextmanager
def fake_postgrest_admin(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A static server whose GET /ready answers 200, standing in for PostgREST's admin server."""
    root = tmp_path / "postgrest-admin"
    root.mkdir()
    (root / "ready").write_text("")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def port_of(gateway: Gateway) -> int:
    return int(gateway.url.rsplit(":", 1)[1])


def served_posts(gateway: Gateway) -> float:
    """POST /message requests this replica has answered, from its own /metrics."""
    text = httpx.get(f"{gateway.url}/metrics", timeout=5).text
    return sum(float(value) for value in re.findall(
        r'^http_requests_total\{[^}]*handler="/message"[^}]*\} (\S+)$', text, re.MULTILINE))


def test_the_proxy_spreads_requests_survives_a_replica_and_lets_long_polls_finish(
    gateway_dsn: str, tmp_path: Path
) -> None:
    settings = {"PGQ_DATABASE_URL": gateway_dsn, "PGQ_MAINTAIN_INTERVAL": "0",
                "PGQ_METRICS_CACHE_SECONDS": "0"}
    with (running_gateway(**settings) as first, running_gateway(**settings) as second,
          fake_postgrest_admin(tmp_path) as (postgrest_port, postgrest),
          running_haproxy([port_of(first), port_of(second)], postgrest_port, tmp_path) as proxy,
          httpx.Client(base_url=proxy["gateway"], timeout=HTTP_MAX_WAIT + 30) as client):
        # Both replicas serve: the proxy balances new requests over them.
        for seq in range(20):
            sent = client.post("/message", json={"channel": f"proxy{seq % 3}", "message": {"seq": seq}})
            assert sent.status_code == 201
        assert served_posts(first) > 0 and served_posts(second) > 0

        # A long poll of the longest wait the gateway allows ends with the gateway's own 204,
        # not a proxy timeout (504); meanwhile the proxy keeps serving other requests.
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            waiting = pool.submit(client.get, "/queue/proxy-idle", params={"wait": HTTP_MAX_WAIT})
            assert client.get("/queue/proxy0").status_code == 200
            assert waiting.result(timeout=HTTP_MAX_WAIT + 30).status_code == 204
        assert time.monotonic() - started >= HTTP_MAX_WAIT

        # One replica dies: every request still gets its answer from the other one.
        os.kill(second.pid, signal.SIGTERM)
        for seq in range(10):
            sent = client.post("/message", json={"channel": "proxy-after", "message": {"seq": seq}})
            assert sent.status_code == 201, sent.text

        # The container's healthcheck follows the replicas: unhealthy with no PostgREST left.
        assert healthy(proxy["health"])
        postgrest.terminate()
        wait_for(lambda: not healthy(proxy["health"]), "the proxy unhealthy with no PostgREST replica",
                 timeout=30)
