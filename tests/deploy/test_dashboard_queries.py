"""Every PromQL expression of the dashboards, evaluated by a real Prometheus scraping a real gateway.

The gateway is started the way its image starts it (the Dockerfile's COPY
files and CMD), on a database this test owns; Prometheus is Debian's binary,
scraping it every second with the gateway job of monitoring/prometheus.yml.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from support.localpg import REPO, free_port
from tests.deploy.images import copy_build_files, exec_form

DASHBOARDS = sorted((REPO / "monitoring/grafana/dashboards").glob("*.json"))
# Grafana's macros, as concrete durations a 1 s scrape interval fills well.
MACROS = {"$__rate_interval": "1m", "$__interval": "1s", "$__range": "5m"}
ROUTES = {"/queue/{channel}", "/message"}


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def stop(process: subprocess.Popen[bytes], log: Path) -> str:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return log.read_text()[-3000:]


@pytest.fixture
def gateway(gateway_dsn: str, tmp_path: Path) -> Iterator[str]:
    """The gateway as its image runs it: only the files gateway/Dockerfile copies, and its CMD."""
    dockerfile = REPO / "gateway/Dockerfile"
    image = tmp_path / "gateway-image"
    image.mkdir()
    copy_build_files(dockerfile, image)
    port = free_port()
    command = exec_form(dockerfile, "CMD")
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    env = {
        "PATH": f"{REPO / '.venv/bin'}:{os.environ['PATH']}",
        "PGQ_DATABASE_URL": gateway_dsn,
        "PGQ_METRICS_CACHE_SECONDS": "0",
    }
    log = tmp_path / "gateway.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=image, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: process.poll() is None and answers(f"{url}/readyz"), "the gateway's /readyz",
                 timeout=30)
    except AssertionError:
        raise AssertionError(stop(process, log)) from None
    yield url
    stop(process, log)


@pytest.fixture
def prometheus(gateway: str, tmp_path: Path) -> Iterator[str]:
    """Debian's Prometheus, scraping the gateway with the compose config's gateway job."""
    config = yaml.safe_load((REPO / "monitoring/prometheus.yml").read_text())
    job = next(job for job in config["scrape_configs"] if job["job_name"] == "gateway")
    job["static_configs"] = [{"targets": [gateway.removeprefix("http://")]}]
    test_config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "scrape_configs": [job]}
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(test_config))
    port = free_port()
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["prometheus", f"--config.file={config_file}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: process.poll() is None and answers(f"{url}/-/ready"), "Prometheus to be ready",
                 timeout=30)
    except AssertionError:
        raise AssertionError(stop(process, log)) from None
    yield url
    stop(process, log)


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", f"{expr}\n{body}"
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def scalar(prometheus: str, expr: str) -> float:
    result = query(prometheus, expr)
    return float(result[0]["value"][1]) if result else 0.0


def scraped(prometheus: str, posted: int) -> Callable[[], bool]:
    """Whether Prometheus has seen POSTED requests to /message yet."""
    return lambda: scalar(prometheus, 'sum(http_requests_total{handler="/message"})') >= posted


def traffic(gateway: str) -> int:
    """One wave: successes, a 204 and a 400, leaving messages waiting. Returns its POST /message count."""
    with httpx.Client(base_url=gateway, timeout=10) as client:
        for seq in range(4):
            for channel in ("dash-a", "dash-b"):
                sent = client.post("/message", json={"channel": channel, "message": {"seq": seq}})
                assert sent.status_code < 300
        for _ in range(2):
            assert client.get("/queue/dash-a").status_code == 200
        assert client.get("/queue/dash-empty").status_code == 204
        assert client.post("/message", json={"channel": "no spaces", "message": {}}).status_code == 400
    return 9


def test_every_dashboard_query_evaluates_on_real_metrics(gateway: str, prometheus: str) -> None:
    wait_for(lambda: scalar(prometheus, 'up{job="gateway"}') == 1, "a first successful scrape of the gateway")
    # Two waves, each scraped, so the counters rise between samples and rates are positive.
    posted = 0
    for _ in range(2):
        posted += traffic(gateway)
        wait_for(scraped(prometheus, posted), "Prometheus to scrape the traffic")

    evaluated = 0
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for macro, duration in MACROS.items():
                    expr = expr.replace(macro, duration)
                assert "$" not in expr, f"{path.name} / {panel['title']}: unknown macro or variable in {expr}"
                result = query(prometheus, expr)
                assert result, f"{path.name} / {panel['title']}: no data for {expr}"
                evaluated += 1
                if "http_requests_total" in expr and "handler=~" in expr:
                    rates = {series["metric"]["handler"]: float(series["value"][1]) for series in result}
                    assert set(rates) == ROUTES and all(rate > 0 for rate in rates.values()), rates
    assert evaluated >= 6


def test_the_compose_healthcheck_passes_on_a_running_gateway(gateway: str) -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    kind, program, *args = compose["services"]["gateway"]["healthcheck"]["test"]
    assert (kind, program) == ("CMD", "python")
    port = gateway.rsplit(":", 1)[1]
    args = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in args]
    assert subprocess.run([sys.executable, *args], capture_output=True).returncode == 0
