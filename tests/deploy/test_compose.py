"""docker-compose.yml, .env.example, the proxy and the images, checked without a Docker engine.

`docker compose config` validates the file where Docker Compose v2 is installed (GitHub's
runners); everywhere, the compose-spec JSON schema does, and the checks below resolve the
file's variables as Compose does and hold it to what the stack needs: healthchecks,
start-up order, and services that scale by count.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.core.security import AUDIENCE
from support.localpg import REPO, SUPERUSER_PASSWORD, Cluster, psql, role_passwords
from tests.deploy.images import copy_build_files, exec_form
from tests.utils.databases import drop_database

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
HAPROXY_CFG = REPO / "docker/proxy/haproxy.cfg"
LONG_RUNNING = ("postgres", "postgrest", "gateway", "proxy", "prometheus", "grafana")
SCALED = ("gateway", "postgrest")  # stateless: `docker compose up --scale gateway=3`
# Compose's variable forms this file may use: $$, ${NAME}, ${NAME:-default}, ${NAME-default},
# ${NAME:?error} and $NAME.
VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?-|:\?)([^}]*))?\}|(\w+))")
OVERRIDE = REPO / "docker/postgrest-published.yml"
# A key for the one variable without a default, as a .env would hold it.
REQUIRED = {"PGRST_JWT_SECRET": "a-test-secret-of-at-least-32-characters"}


class MissingVariable(ValueError):
    pass


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's substitution: ":-" takes the default when the variable is unset or empty, "-" when
    unset; ":?" refuses to go on when it is unset or empty."""

    def substitute(match: re.Match[str]) -> str:
        escaped, name, operator, default, bare = match.groups()
        if escaped:
            return "$"
        value = env.get(name or bare)
        if operator == ":?" and not value:
            raise MissingVariable(f"{name}: {default}")
        if (operator == ":-" and not value) or (operator == "-" and value is None):
            return str(default)
        return value or ""

    return VARIABLE.sub(substitute, text)


def env_file_values(path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


def compose_config(env_file: Path, file: Path = COMPOSE) -> dict[str, Any]:
    """The file as Compose resolves it, from ENV_FILE only (not this process's environment)."""
    config = yaml.safe_load(interpolate(file.read_text(), env_file_values(env_file)))
    assert isinstance(config, dict)
    return config


def published_ports(service: dict[str, Any]) -> set[int]:
    """Host ports of "IP:HOST:CONTAINER" entries."""
    return {int(port.split(":")[-2]) for port in service.get("ports", [])}


def docker_compose_v2() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Resolved with a .env holding only the JWT key: the one value a bare clone must add."""
    minimal = tmp_path_factory.mktemp("compose") / ".env"
    minimal.write_text("".join(f"{name}={value}\n" for name, value in REQUIRED.items()))
    return compose_config(minimal)


def test_the_jwt_secret_has_no_default(tmp_path: Path) -> None:
    """Compose publishes no key written in the repository: anyone could mint a pgq_admin token with it."""
    empty = tmp_path / ".env"
    empty.write_text("")
    with pytest.raises(MissingVariable, match="PGRST_JWT_SECRET"):
        compose_config(empty)
    assert re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()) == ["PGRST_JWT_SECRET"] * 2


@pytest.mark.skipif(not docker_compose_v2(), reason="no Docker Compose v2 here; the schema test still runs")
def test_compose_file_is_valid_for_docker_compose(tmp_path: Path) -> None:
    minimal = tmp_path / ".env"
    minimal.write_text("".join(f"{name}={value}\n" for name, value in REQUIRED.items()))
    command = ["docker", "compose", "--env-file", str(minimal), "-f", str(COMPOSE), "-f", str(OVERRIDE),
               "config", "-q"]
    bare = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    result = subprocess.run(command, env=bare, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_file_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [str(REPO / ".venv/bin/check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE), str(OVERRIDE)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_uses_only_the_variable_forms_resolved_here() -> None:
    leftovers = VARIABLE.sub("", COMPOSE.read_text())
    assert "$" not in leftovers, "a variable form (${NAME:+x}, ...) this test cannot resolve"
    resolved = interpolate("${A:-x}|${A-y}|${B:-z}|${B-w}|$$C|$A|${A}|${D:?no}", {"A": "", "D": "d"})
    assert resolved == "x||z|w|$C|||d"


def test_env_example_holds_exactly_the_compose_defaults(config: dict[str, Any], tmp_path: Path) -> None:
    defaults = dict(re.findall(r"\$\{(\w+):-([^}]*)\}", COMPOSE.read_text()))
    assert env_file_values(ENV_EXAMPLE) == {**defaults, **{name: "" for name in REQUIRED}}
    # And so a .env copied from the example, with its key filled in, changes nothing.
    filled = tmp_path / ".env"
    key = f"PGRST_JWT_SECRET={REQUIRED['PGRST_JWT_SECRET']}\n"
    filled.write_text(ENV_EXAMPLE.read_text().replace("PGRST_JWT_SECRET=\n", key))
    assert compose_config(filled) == config


def test_long_running_services_have_healthchecks_and_start_in_order(config: dict[str, Any]) -> None:
    services = config["services"]
    assert set(services) == {*LONG_RUNNING, "migrate"}
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name
    for name in ("postgrest", "gateway"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no"
    for name in SCALED:
        assert services["proxy"]["depends_on"][name] == {"condition": "service_healthy"}
    # Every dependency names a service, and waits for what that service can report.
    for name, service in services.items():
        for target, condition in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on an unknown {target}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s missing health"
            else:
                assert condition["condition"] == "service_completed_successfully"
                assert services[target]["restart"] == "no", f"{target} never completes"


def test_scaled_services_bind_no_host_port_and_no_container_name(config: dict[str, Any]) -> None:
    """`--scale gateway=3` starts three containers: a fixed host port or name would collide."""
    for name in SCALED:
        service = config["services"][name]
        assert "ports" not in service and "container_name" not in service, name


def haproxy_templates() -> dict[str, tuple[str, int, int]]:
    """backend -> (DNS name, traffic port, health-check port) of each server-template in haproxy.cfg."""
    templates = {}
    for backend, name, port, options in re.findall(
        r"^\s*server-template\s+(\w+)\s+\d+\s+([\w.-]+):(\d+)(.*)$", HAPROXY_CFG.read_text(), re.MULTILINE
    ):
        check_port = re.search(r"\bport\s+(\d+)", options)
        templates[backend] = (name, int(port), int(check_port.group(1)) if check_port else int(port))
    return templates


def test_the_proxy_balances_every_replica_of_the_scaled_services(config: dict[str, Any]) -> None:
    gateway_port = int(exec_form(REPO / "gateway/Dockerfile", "CMD")[-1])
    postgrest_env = config["services"]["postgrest"]["environment"]
    assert haproxy_templates() == {
        "gateway": ("gateway", gateway_port, gateway_port),
        "postgrest": ("postgrest", int(postgrest_env["PGRST_SERVER_PORT"]),
                      int(postgrest_env["PGRST_ADMIN_SERVER_PORT"])),
    }
    cfg = HAPROXY_CFG.read_text()
    binds = {int(port) for port in re.findall(r"^\s*bind\s+:(\d+)", cfg, re.MULTILINE)}
    published = {int(port.split(":")[-1]) for port in config["services"]["proxy"]["ports"]}
    assert published <= binds
    assert "nameserver docker 127.0.0.11:53" in cfg  # Docker's embedded DNS: one A record per replica
    proxy = config["services"]["proxy"]
    assert f"./{HAPROXY_CFG.relative_to(REPO)}:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="HAProxy is not installed (support/bootstrap.sh)")
def test_haproxy_accepts_its_configuration() -> None:
    result = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_images_are_pinned(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["postgres"]["image"] == "postgres:17"
    for name in ("postgrest", "proxy", "prometheus", "grafana"):
        image = services[name]["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+(\.\d+){1,2}(-alpine)?", image), image
    # `postgrest --ready`, the healthcheck, exists from PostgREST v14 on.
    major = int(re.search(r":v(\d+)", services["postgrest"]["image"]).group(1))  # type: ignore[union-attr]
    assert major >= 14
    assert services["postgrest"]["healthcheck"]["test"] == ["CMD", "postgrest", "--ready"]


def test_postgrest_serves_schema_pgq_as_the_anonymous_client_role(config: dict[str, Any]) -> None:
    env = config["services"]["postgrest"]["environment"]
    assert env["PGRST_DB_SCHEMAS"] == "pgq"
    assert env["PGRST_DB_ANON_ROLE"] == "pgq_client"
    assert env["PGRST_DB_URI"].startswith("postgres://authenticator:")
    # --ready refuses the wildcard hosts (*, !4, ...) and Prometheus scrapes from another container.
    assert env["PGRST_ADMIN_SERVER_HOST"] == "0.0.0.0"
    assert str(env["PGRST_ADMIN_SERVER_PORT"]) == "3001"


def test_published_ports_are_the_documented_ones(config: dict[str, Any]) -> None:
    published = {name: published_ports(service) for name, service in config["services"].items()}
    assert published == {
        "postgres": {5432}, "migrate": set(), "postgrest": set(), "gateway": set(),
        "proxy": {8000}, "prometheus": {9090}, "grafana": {3000},
    }
    assert config["services"]["gateway"]["environment"]["PGQ_POSTGREST_URL"] == "http://postgrest:3000"


def test_postgrest_is_published_by_the_override_alone(tmp_path: Path) -> None:
    empty = tmp_path / ".env"
    empty.write_text("")
    assert compose_config(empty, OVERRIDE) == {"services": {"proxy": {"ports": ["127.0.0.1:3001:3001"]}}}


def test_postgrest_checks_the_audience_the_gateways_tokens_carry(config: dict[str, Any]) -> None:
    postgrest, gateway = (config["services"][name]["environment"] for name in ("postgrest", "gateway"))
    assert postgrest["PGRST_JWT_AUD"] == gateway["PGQ_POSTGREST_JWT_AUD"] == AUDIENCE
    secret = REQUIRED["PGRST_JWT_SECRET"]
    assert postgrest["PGRST_JWT_SECRET"] == gateway["PGQ_POSTGREST_JWT_SECRET"] == secret


def test_gateway_image_runs_as_an_unprivileged_user() -> None:
    dockerfile = (REPO / "gateway/Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_migrate_image_deploys_from_only_the_files_it_copies(cluster: Cluster, tmp_path: Path) -> None:
    """Run the migrate image's ENTRYPOINT, in a folder holding only what its COPY lines take."""
    dockerfile = REPO / "docker/migrate/Dockerfile"
    copy_build_files(dockerfile, tmp_path)
    name = "pgq_migrate_image"
    psql(cluster.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(cluster.url, f"CREATE DATABASE {name}")
    passwords = role_passwords()  # roles are cluster-wide: keep the session's passwords
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SQITCH_TARGET": f"db:pg://postgres@127.0.0.1:{cluster.port}/{name}",
        "SQITCH_PASSWORD": SUPERUSER_PASSWORD,
        "PGQ_AUTHENTICATOR_PASSWORD": passwords["authenticator_password"],
        "PGQ_GATEWAY_PASSWORD": passwords["gateway_password"],
    }
    try:
        result = subprocess.run(exec_form(dockerfile, "ENTRYPOINT"), cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        url = cluster.url_for(name)
        assert psql(url, "SELECT count(*) > 0 FROM sqitch.changes") == "t"
        assert psql(url, "SELECT pgq.enqueue('two', '{\"seq\": 1}') > 0") == "t"
    finally:
        drop_database(cluster, cluster.url_for(name))
