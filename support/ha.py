"""`make ha`: a pg_auto_failover formation on loopback, a monitor and a primary with two standbys.

pg_autoctl (Debian's postgresql-NN-auto-failover) does the work: it creates the
nodes, streams WAL to the standbys, and promotes a standby when the primary dies.
This module only starts it the way localpg starts a server: as the `postgres`
user when invoked as root, with every file of the formation (data, pg_autoctl's
configuration, state and pid files) under one folder, so that clean removes it all.
docs/failover.md explains each setting below.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from support.localpg import (
    REPO,
    SERVER_USER,
    SUPERUSER_PASSWORD,
    _as_root,
    _bindir,
    free_port,
    gateway_url,
    process_tree,
    psql,
    sqitch,
    sync_passwords,
)

HA_PORT = int(os.environ.get("PGQ_HA_PORT", "54360"))  # the monitor; the nodes take the next ports
DATABASE = "pgqueue"
STANDBYS = 2
NUMBER_SYNC_STANDBYS = 1  # a commit waits for one of the two standbys: losing any one node loses nothing

# The monitor's failure detection, tuned from its 20 s + 30 s defaults so a failover
# takes about 15 s. A primary must be silent for node_considered_unhealthy_timeout and
# fail health checks before a failover starts; the monitor then waits
# primary_demote_timeout for it to stop before promoting. That wait is what prevents two
# primaries, so it stays longer than the keepers' network_partition_timeout below.
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": "1000",
    "pgautofailover.health_check_timeout": "2000",
    "pgautofailover.health_check_max_retries": "2",
    "pgautofailover.health_check_retry_delay": "1000",
    "pgautofailover.node_considered_unhealthy_timeout": "4000",
    "pgautofailover.primary_demote_timeout": "8000",
}
# pg_autoctl sizes each node for the whole machine (shared_buffers a quarter of its memory);
# several nodes share this one, so postgresql.auto.conf, which takes precedence, sizes them down.
NODE_SETTINGS = {"shared_buffers": "128MB", "effective_cache_size": "1GB", "work_mem": "4MB",
                 "maintenance_work_mem": "64MB", "wal_keep_size": "1GB"}
# A primary that reaches neither the monitor nor a standby for this long stops itself (20 s by default).
KEEPER_SETTINGS = {"timeout.network_partition_timeout": "4"}
PRIMARY_STATES = ("single", "wait_primary", "primary")  # the states in which a node accepts writes


@dataclass(frozen=True)
class Node:
    name: str
    data: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"


@dataclass(frozen=True)
class Formation:
    """A monitor and 1 + STANDBYS Postgres nodes, all files under `base`."""

    base: Path
    monitor_port: int
    node_ports: tuple[int, ...]

    @property
    def monitor(self) -> Node:
        return Node("monitor", self.base / "monitor", self.monitor_port)

    @property
    def nodes(self) -> list[Node]:
        return [Node(f"node{i}", self.base / f"node{i}", port) for i, port in enumerate(self.node_ports, 1)]

    @property
    def monitor_uri(self) -> str:
        return f"postgresql://autoctl_node@127.0.0.1:{self.monitor_port}/pg_auto_failover?sslmode=require"

    def gateway_url(self) -> str:
        """The gateway's role on every node; libpq and asyncpg pick whichever accepts writes."""
        hosts = ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)
        return gateway_url(f"postgres@{hosts}/{DATABASE}") + "?target_session_attrs=read-write"

    # --- running pg_autoctl -----------------------------------------------------------------

    def _xdg(self) -> dict[str, Path]:
        """pg_autoctl's configuration, state and pid files, inside the formation's folder."""
        return {f"XDG_{kind}": self.base / "pg_autoctl" / kind.lower()
                for kind in ("CONFIG_HOME", "DATA_HOME", "RUNTIME_DIR")}

    def _command(self, *args: str) -> list[str]:
        env = [f"{name}={path}" for name, path in self._xdg().items()]
        command = ["env", *env, "pg_autoctl", *args]
        return ["runuser", "-u", SERVER_USER, "--", *command] if _as_root() else command

    def autoctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self._command(*args), capture_output=True, text=True, cwd=self.base)
        if check and result.returncode != 0:
            raise RuntimeError(f"pg_autoctl {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def start_service(self, node: Node) -> None:
        """`pg_autoctl run` in the background: it runs Postgres and keeps it in its assigned state."""
        if self.service_pid(node):
            return
        log = open(self.base / f"{node.name}.log", "a")  # noqa: SIM115 (the service keeps writing it)
        with log:
            subprocess.Popen(self._command("run", "--pgdata", str(node.data)), cwd=self.base,
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)

    def service_pid(self, node: Node) -> int | None:
        runtime = self._xdg()["XDG_RUNTIME_DIR"]
        pidfile = runtime / "pg_autoctl" / str(node.data).lstrip("/") / "pg_autoctl.pid"
        return _running(pidfile, node.data)

    # --- the formation ------------------------------------------------------------------------

    def create(self) -> None:
        """Create whatever is missing and start every service; idempotent."""
        # pg_autoctl falls back to /tmp for its pid files unless XDG_RUNTIME_DIR exists.
        for folder in (self.base, *self._xdg().values()):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if _as_root():
                shutil.chown(folder, SERVER_USER)
        pgctl = str(_bindir() / "pg_ctl")
        common = ["--pgctl", pgctl, "--hostname", "127.0.0.1", "--auth", "trust", "--ssl-self-signed"]
        monitor = self.monitor
        if not (monitor.data / "PG_VERSION").exists():
            self.autoctl("create", "monitor", "--pgdata", str(monitor.data), "--pgport", str(monitor.port),
                         *common)
            # (the monitor has no --listen; its Postgres would listen on every interface)
            self.autoctl("config", "set", "--pgdata", str(monitor.data),
                         "postgresql.listen_addresses", "127.0.0.1")
        self.start_service(monitor)
        self._wait(lambda: self.monitor_sql("SELECT 1") == "1", "the monitor did not start")
        for name, value in MONITOR_SETTINGS.items():
            self.monitor_sql(f"ALTER SYSTEM SET {name} = '{value}'")
        self.monitor_sql("SELECT pg_reload_conf()")
        for node in self.nodes:
            if not (node.data / "PG_VERSION").exists():
                # A node registers as the primary when the formation has none, else as a standby
                # (pg_basebackup from the primary), so nodes are created one after the other.
                self.autoctl(
                    "create", "postgres", "--pgdata", str(node.data), "--pgport", str(node.port),
                    "--listen", "127.0.0.1", "--name", node.name, "--dbname", DATABASE,
                    "--monitor", self.monitor_uri, *common,
                    "--candidate-priority", "50", "--replication-quorum", "true",
                )
                with open(node.data / "postgresql.auto.conf", "a") as conf:
                    conf.writelines(f"{name} = '{value}'\n" for name, value in NODE_SETTINGS.items())
                for key, value in KEEPER_SETTINGS.items():
                    self.autoctl("config", "set", "--pgdata", str(node.data), key, value)
                self.start_service(node)
                self._wait(partial(self.serving, node), f"{node.name} did not reach a serving state")
        # A formation stopped earlier: the node the monitor names primary, whichever it is after a
        # failover, starts first and reports that its Postgres runs. A standby reporting before it,
        # while the monitor still holds the primary's report from before the stop, could make the
        # monitor fail over in the middle of the start. The others then start together: a standby
        # may need its primary running to report.
        named = self.named_primary()
        if named is not None:
            since = self.monitor_sql("SELECT now()")
            self.start_service(named)
            self._wait(partial(self.reported_running, named, since), f"{named.name} (primary) did not report")
        for node in self.nodes:
            self.start_service(node)
        self._wait(lambda: self.primary() is not None and all(self.serving(node) for node in self.nodes),
                   "the formation did not reach a primary and serving standbys")
        # SQL rather than `pg_autoctl set formation number-sync-standbys`, whose 2.0 release applies
        # the value and then exits 1 on a parse error of its own. The monitor refuses it during a
        # failover (a formation restarted node by node may go through one), so it is retried.
        set_quorum = ("SELECT pgautofailover.set_formation_number_sync_standbys("
                      f"'default', {NUMBER_SYNC_STANDBYS})")
        self._wait(lambda: self.monitor_sql(set_quorum) == "t", "number_sync_standbys could not be set")
        # The primary applies the new setting (state apply_settings) before it is primary again.
        self._wait(lambda: self.primary() is not None and all(self.serving(node) for node in self.nodes),
                   "the formation did not settle")

    def states(self) -> dict[str, tuple[str, str]]:
        """node name -> (reported state, assigned state), as the monitor sees them."""
        rows = self.monitor_sql(
            "SELECT nodename, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid")
        return {name: (reported, goal)
                for name, reported, goal in (line.split("|") for line in rows.splitlines())}

    def state_of(self, name: str) -> str | None:
        reported, goal = self.states().get(name, ("", ""))
        return reported if reported == goal else None

    def serving(self, node: Node) -> bool:
        return self.state_of(node.name) in (*PRIMARY_STATES, "secondary")

    def primary(self) -> Node | None:
        """The node that is primary now: the monitor assigned it a primary's state and it reported it."""
        for node in self.nodes:
            if self.state_of(node.name) in PRIMARY_STATES:
                return node
        return None

    def named_primary(self) -> Node | None:
        """The node the monitor assigns a primary's state, whether or not it has reached it (it may be
        stopped); None in the middle of a failover."""
        goals = {name: goal for name, (_, goal) in self.states().items()}
        return next((node for node in self.nodes if goals.get(node.name) in PRIMARY_STATES), None)

    def reported_running(self, node: Node, since: str) -> bool:
        """Whether the node's pg_autoctl has told the monitor since `since` that its Postgres runs."""
        return self.monitor_sql(f"SELECT reportedpgisrunning AND reporttime > '{since}' "
                                f"FROM pgautofailover.node WHERE nodename = '{node.name}'") == "t"

    def monitor_sql(self, sql: str) -> str:
        url = f"postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{self.monitor_port}/pg_auto_failover"
        return psql(url, sql)

    def _wait(self, ready: Callable[[], bool], message: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while True:
            with contextlib.suppress(RuntimeError):  # the monitor not answering yet
                if ready():
                    return
            if time.monotonic() > deadline:
                sys.exit(f"ha: {message} within {seconds:g} s; see the logs in {self.base}")
            time.sleep(0.5)

    def stop(self) -> None:
        """The monitor first, then the primary, then the standbys, one at a time. A monitor still up
        would see the nodes go down and could start a failover, to a standby about to stop too; the
        next `make ha` would find the formation in the middle of it. The primary goes before the
        standbys: with neither the monitor nor a standby to reach, it would demote itself."""
        primary: Node | None = None
        with contextlib.suppress(RuntimeError):  # the monitor is down already
            primary = self.named_primary()
        for node in [self.monitor, *sorted(self.nodes, key=lambda node: node != primary)]:
            if self.service_pid(node):
                self.autoctl("stop", "--pgdata", str(node.data), check=False)
            deadline = time.monotonic() + 60
            while self.service_pid(node) and time.monotonic() < deadline:
                time.sleep(0.2)

    def kill(self, node: Node) -> None:
        """SIGKILL the node's pg_autoctl and its Postgres together, as a machine dying would."""
        # Every process is found first and then all are killed at once, so none outlives the others.
        postmaster = _running(node.data / "postmaster.pid", node.data)
        victims = _descendants([pid for pid in (self.service_pid(node), postmaster) if pid])
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.01)

    def remove(self) -> None:
        for node in [*self.nodes, self.monitor]:
            self.kill(node)
        shutil.rmtree(self.base, ignore_errors=True)


def _running(pidfile: Path, data: Path) -> int | None:
    """The pid in `pidfile`, if that process still runs for `data`: a killed process leaves its pid
    file behind, and the pid may belong to another process by now."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        pid = int(pidfile.read_text().split()[0])
        if str(data).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    return None


def _descendants(roots: list[int]) -> list[int]:
    tree, found = process_tree(), list(roots)
    for pid in found:  # grows as it goes: children, then theirs
        found += [child for child in tree.get(pid, []) if child not in found]
    return found


def dev_formation() -> Formation:
    """The formation behind `make ha`: fixed ports from PGQ_HA_PORT, data under /var/tmp as root."""
    digest = hashlib.sha1(str(REPO).encode()).hexdigest()[:10]
    base = Path("/var/tmp" if _as_root() else REPO / ".pgha") / f"pgqueue-ha-{digest}"
    return Formation(base, HA_PORT, tuple(HA_PORT + i for i in range(1, STANDBYS + 2)))


def scratch_formation(name: str) -> Formation:
    """A throwaway formation for tests, on free ports, in a folder of its own."""
    base = Path("/var/tmp" if _as_root() else REPO / ".pgtest") / f"pgqueue-ha-{name}-{os.getpid()}"
    return Formation(base, free_port(), tuple(free_port() for _ in range(STANDBYS + 1)))


def deploy(formation: Formation, quiet: bool = False) -> str:
    """Deploy pgq on the primary (the standbys replay it); returns the primary's admin URL."""
    primary = formation.primary()
    assert primary is not None
    admin = primary.admin_url
    sqitch("deploy", admin, "--verify", quiet=quiet)
    sync_passwords(admin)
    return admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "stop", "clean", "status"])
    args = parser.parse_args()
    formation = dev_formation()
    if args.action == "up":
        formation.create()
        admin = deploy(formation)
        print(f"monitor: {formation.monitor_uri} (make ha-status shows each node's state)")
        print(f"admin: psql {admin}")
        print(formation.gateway_url())
    elif args.action == "stop":
        formation.stop()
        print("stopped")
    elif args.action == "clean":
        formation.stop()
        formation.remove()
        print(f"removed the formation's data ({formation.base})")
    else:
        try:
            states = formation.states()
        except RuntimeError:  # the monitor does not answer: stopped, or never created
            sys.exit(f"the formation's monitor does not answer on port {formation.monitor_port}: "
                     "`make ha` starts it")
        for name, (reported, goal) in states.items():
            print(f"{name}: {reported}" + ("" if reported == goal else f" -> {goal}"))


if __name__ == "__main__":
    main()
