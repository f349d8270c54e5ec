"""monitoring/: Prometheus and Grafana configuration, checked offline and against each other."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.localpg import REPO

MONITORING = REPO / "monitoring"
PROMETHEUS_YML = MONITORING / "prometheus.yml"
GRAFANA = MONITORING / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def load_yaml(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    assert isinstance(loaded, dict)
    return loaded


def compose_service(name: str) -> dict[str, Any]:
    service = load_yaml(REPO / "docker-compose.yml")["services"][name]
    assert isinstance(service, dict)
    return service


def mounts(service: str) -> dict[str, str]:
    """Repository path -> container path of a service's bind mounts."""
    found = {}
    for volume in compose_service(service)["volumes"]:
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            found[source[2:]] = target
    return found


def test_promtool_accepts_prometheus_yml() -> None:
    # Targets are compose service names; promtool checks syntax, it resolves no hostname.
    result = subprocess.run(["promtool", "check", "config", str(PROMETHEUS_YML)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_every_replica_of_the_gateway_and_postgrest() -> None:
    """Docker's DNS answers a service name with one A record per replica: each becomes a target.
    A fixed "gateway:8000" target would be one replica, a different one at each connection."""
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS_YML)["scrape_configs"]}
    discovered = {
        name: [(sd["type"], host, sd["port"]) for sd in job.get("dns_sd_configs", []) for host in sd["names"]]
        for name, job in jobs.items()
    }
    assert discovered["gateway"] == [("A", "gateway", 8000)]
    postgrest_env = compose_service("postgrest")["environment"]
    assert discovered["postgrest"] == [("A", "postgrest", int(postgrest_env["PGRST_ADMIN_SERVER_PORT"]))]
    for name in ("gateway", "postgrest"):
        assert "static_configs" not in jobs[name], name
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
    assert mounts("prometheus")["monitoring/prometheus.yml"] == "/etc/prometheus/prometheus.yml"


def aggregations(expr: str, metric_prefix: str) -> list[str]:
    """The aggregation operator wrapped directly around each use of a metric starting with METRIC_PREFIX
    ("max" in `max by (channel) (rate(pgqueue_x[1m]))`), or "" where there is none."""
    found = []
    for use in re.finditer(rf"\b{metric_prefix}\w*", expr):
        wrapper = re.search(r"(\w+) by \([\w, ]*\) \((?:rate\()?$", expr[: use.start()])
        found.append(wrapper.group(1) if wrapper else "")
    return found


def test_dashboards_never_add_up_what_every_replica_reads_from_the_database() -> None:
    """pgqueue_* come from pgq.stats(): every gateway replica reports the same numbers, so a sum
    would count a channel once per replica. http_* are counted by each replica: they add up."""
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                assert set(aggregations(expr, "pgqueue_")) <= {"max", "min", "avg"}, (panel["title"], expr)
                assert set(aggregations(expr, "http_")) <= {"sum"}, (panel["title"], expr)
    # The checker itself: it sees through rate() and label lists, and flags a sum of a gauge.
    assert aggregations("sum by (channel) (rate(pgqueue_a_total[1m]))", "pgqueue_") == ["sum"]
    assert aggregations("max by (le, handler) (pgqueue_b)", "pgqueue_") == ["max"]
    assert aggregations("pgqueue_c", "pgqueue_") == [""]


def test_grafana_datasource_is_the_compose_prometheus() -> None:
    datasources = load_yaml(GRAFANA / "provisioning/datasources/prometheus.yml")["datasources"]
    assert [(d["type"], d["uid"], d["url"]) for d in datasources] == [
        ("prometheus", "prometheus", "http://prometheus:9090")
    ]


def test_grafana_loads_the_dashboards_folder_it_mounts() -> None:
    grafana_mounts = mounts("grafana")
    assert grafana_mounts["monitoring/grafana/provisioning"] == "/etc/grafana/provisioning"
    providers = load_yaml(GRAFANA / "provisioning/dashboards/pgqueue.yml")["providers"]
    assert [p["options"]["path"] for p in providers] == [grafana_mounts["monitoring/grafana/dashboards"]]
    home = compose_service("grafana")["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == grafana_mounts["monitoring/grafana/dashboards"] + "/pgqueue.json"


def test_each_dashboard_loads_and_uses_the_provisioned_datasource() -> None:
    assert [path.name for path in DASHBOARDS] == ["pgqueue.json"]
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"] and dashboard["title"]
        assert dashboard["panels"]
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, panel["title"]
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                assert target["expr"].strip(), panel["title"]


def test_pgqueue_dashboard_has_the_promised_panels() -> None:
    dashboard = json.loads((GRAFANA / "dashboards/pgqueue.json").read_text())
    assert dashboard["title"] == "pgQueue"
    exprs = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    for needle in ('handler=~"/queue/{channel}|/message"', "histogram_quantile(0.95", 'status!~"2.."',
                   "pgqueue_queue_depth", "pgqueue_oldest_message_age_seconds"):
        assert needle in exprs
