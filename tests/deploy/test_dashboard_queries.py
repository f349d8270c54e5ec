"""Every PromQL expression of the dashboards, evaluated by a real Prometheus scraping real gateways.

Two gateway replicas are started the way their image starts them (the
Dockerfile's COPY files and CMD), on one database this test owns; Prometheus is
Debian's binary, scraping both every second with the gateway job of
monitoring/prometheus.yml, as it scrapes each replica in the compose stack.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml
from psycopg import sql

from gateway.core.metrics import GAUGES
from support.localpg import REPO, free_port
from tests.deploy.images import copy_build_files, exec_form
from tests.utils.waiting import wait_for

DASHBOARDS = sorted((REPO / "monitoring/grafana/dashboards").glob("*.json"))
# Grafana's macros, as concrete durations a 1 s scrape interval fills well.
MACROS = {"$__rate_interval": "1m", "$__interval": "1s", "$__range": "5m"}
ROUTES = {"/queue/{channel}", "/message"}


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


@contextlib.contextmanager
def image_gateway(dsn: str, workdir: Path) -> Iterator[str]:
    """The gateway as its image runs it: only the files gateway/Dockerfile copies, and its CMD."""
    dockerfile = REPO / "gateway/Dockerfile"
    image = workdir / "gateway-image"
    image.mkdir(parents=True)
    copy_build_files(dockerfile, image)
    port = free_port()
    command = exec_form(dockerfile, "CMD")
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    env = {
        "PATH": f"{REPO / '.venv/bin'}:{os.environ['PATH']}",
        "PGQ_DATABASE_URL": dsn,
        "PGQ_METRICS_CACHE_SECONDS": "0",
    }
    log = workdir / "gateway.log"
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
def gateway(gateway_dsn: str, tmp_path: Path) -> Iterator[str]:
    with image_gateway(gateway_dsn, tmp_path) as url:
        yield url


@pytest.fixture
def replicas(gateway_dsn: str, tmp_path: Path) -> Iterator[list[str]]:
    """Two gateway processes on one database, as `docker compose up --scale gateway=2` runs them."""
    with (image_gateway(gateway_dsn, tmp_path / "a") as first,
          image_gateway(gateway_dsn, tmp_path / "b") as second):
        yield [first, second]


@pytest.fixture
def prometheus(replicas: list[str], tmp_path: Path) -> Iterator[str]:
    """Debian's Prometheus, scraping every replica with the compose config's gateway job, whose
    DNS discovery (one address per replica) is replaced by the replicas' loopback addresses."""
    config = yaml.safe_load((REPO / "monitoring/prometheus.yml").read_text())
    job = next(job for job in config["scrape_configs"] if job["job_name"] == "gateway")
    assert job.pop("dns_sd_configs")
    job["static_configs"] = [{"targets": [url.removeprefix("http://") for url in replicas]}]
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


def dashboard_queries() -> Iterator[tuple[str, str]]:
    """(where, expression) of every panel target, Grafana's macros replaced by durations."""
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for macro, duration in MACROS.items():
                    expr = expr.replace(macro, duration)
                yield f"{path.name} / {panel['title']}", expr


# pgq.stats() columns the gateway exports as additive gauges (depth, leased, dead), by metric name.
ADDITIVE_GAUGES = {name: column for name, _, column, combine in GAUGES if combine is sum}


def stats_column(admin: psycopg.Connection[Any], column: str) -> dict[str, float]:
    """The database's own answer, per channel: what the dashboard must show whatever the replica count."""
    query = sql.SQL("SELECT channel, {} FROM pgq.stats()").format(sql.Identifier(column))
    return {channel: float(value) for channel, value in admin.execute(query)}


def test_every_dashboard_query_evaluates_on_real_metrics_from_two_replicas(
    replicas: list[str], prometheus: str, admin: psycopg.Connection[Any]
) -> None:
    wait_for(lambda: scalar(prometheus, 'count(up{job="gateway"} == 1)') == len(replicas),
             "a first successful scrape of each replica")
    # Two waves through each replica, each scraped, so that every replica's counters rise between its
    # samples and rates are positive.
    posted = 0
    for _ in range(2):
        for replica in replicas:
            posted += traffic(replica)
            wait_for(scraped(prometheus, posted), "Prometheus to scrape the traffic")
    # Both replicas scraped since the last change: each reports the database's depth once.
    depth_b = stats_column(admin, "depth")["dash-b"]
    wait_for(lambda: scalar(prometheus, f'count(pgqueue_queue_depth{{channel="dash-b"}} == {depth_b})') == 2,
             "both replicas to report the final depth")

    evaluated = 0
    for where, expr in dashboard_queries():
        assert "$" not in expr, f"{where}: unknown macro or variable in {expr}"
        result = query(prometheus, expr)
        assert result, f"{where}: no data for {expr}"
        evaluated += 1
        if "http_requests_total" in expr and "handler=~" in expr:
            rates = {series["metric"]["handler"]: float(series["value"][1]) for series in result}
            assert set(rates) == ROUTES and all(rate > 0 for rate in rates.values()), rates
        for metric, column in ADDITIVE_GAUGES.items():
            if metric in expr:
                shown = {series["metric"]["channel"]: float(series["value"][1]) for series in result}
                wanted = stats_column(admin, column)
                assert shown == wanted, f"{where}: each channel once, not once per replica"
    assert evaluated >= 6


def test_the_compose_healthcheck_probes_the_gateway_it_runs_beside(gateway: str) -> None:
    """Run the compose healthcheck with its own address replaced by the test gateway's: it passes
    there, and fails where nothing listens and on a non-2xx answer, so it probes what it names."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    kind, program, *args = compose["services"]["gateway"]["healthcheck"]["test"]
    assert (kind, program) == ("CMD", "python")
    own = "http://127.0.0.1:8000/readyz"  # the container's own port (gateway/Dockerfile's CMD)
    assert sum(arg.count(own) for arg in args) == 1, f"the healthcheck must ask {own}: {args}"

    def probe(url: str) -> int:
        rewritten = [arg.replace(own, url) for arg in args]
        assert sum(arg.count(url) for arg in rewritten) == 1, "the probe is rewritten to URL"
        return subprocess.run([sys.executable, *rewritten], capture_output=True).returncode

    assert probe(f"{gateway}/readyz") == 0
    assert probe(f"http://127.0.0.1:{free_port()}/readyz") != 0, "nothing listens there"
    assert probe(f"{gateway}/no-such-route") != 0, "a 404 is not healthy"
