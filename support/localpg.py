"""A project-local PostgreSQL cluster: start, stop, status.

Used by `make db` for the development cluster and by the tests for clusters
they own. Standard library only, so it runs before the virtualenv exists.

PostgreSQL refuses to run as root. When invoked as root we run the server as
the unprivileged `postgres` user (created by Debian's package) and keep its
data under /var/tmp, because CI clones into a root-owned 0700 home that user
cannot enter; a `.pgdata` link in the repository points at it. As a normal
user everything stays inside the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEV_PORT = int(os.environ.get("PGQ_DEV_PORT", "54329"))
SERVER_USER = "postgres"
SUPERUSER_PASSWORD = os.environ.get("PGQ_SUPERUSER_PASSWORD", "postgres")


def _bindir() -> Path:
    """Debian keeps initdb and pg_ctl off PATH; ask pg_config, then look."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip())
        if out.returncode == 0 and (candidate / "initdb").exists():
            return candidate
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    sys.exit("localpg: PostgreSQL server binaries not found; run `make bootstrap` first")


def _major_version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _as_root() -> bool:
    return os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree() -> dict[int, list[int]]:
    """Every process's children, from one pass over /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # The command name may hold spaces: the parent pid is the 2nd field after its closing ")".
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    return children


def children_of(pid: int) -> list[int]:
    return process_tree().get(pid, [])


@dataclass(frozen=True)
class Cluster:
    """One cluster: a data folder and a port on 127.0.0.1."""

    data: Path
    port: int
    settings: tuple[str, ...] = ()  # extra `name=value` server settings, e.g. shared_preload_libraries

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(_bindir() / args[0]), *args[1:]]
        if _as_root():
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def _prepare_data_dir(self) -> None:
        """Create the data folder, reachable by the server's user."""
        if not _as_root():
            self.data.parent.mkdir(parents=True, exist_ok=True)
            return
        pwd.getpwnam(SERVER_USER)  # a clear KeyError beats a confusing initdb failure
        self.data.parent.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.data.parent, SERVER_USER)

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def init(self) -> None:
        self._prepare_data_dir()
        pwfile = self.data.parent / f".{self.data.name}.pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if _as_root():
            shutil.chown(pwfile, SERVER_USER)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--pwfile", str(pwfile),
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink()

    def start(self) -> None:
        if not self.initialised():
            self.init()
        if self.running():
            return
        # The socket lives in the data folder so that two clusters never share /var/run.
        options = f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data}"
        options += "".join(f" -c {setting}" for setting in self.settings)
        result = self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
            "-l", str(self.data / "server.log"), "-o", options, check=False,
        )
        if result.returncode != 0:
            log = (self.data / "server.log")
            tail = log.read_text()[-2000:] if log.exists() else ""
            sys.exit(f"localpg: server did not start:\n{result.stdout}{result.stderr}\n{tail}")

    def stop(self, mode: str = "fast") -> None:
        if self.initialised() and self.running():
            self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    def postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)
        with contextlib.suppress(OSError):  # the folder made for it, if nothing else is there
            self.data.parent.rmdir()


def dev_cluster() -> Cluster:
    """The cluster behind `make db`: `.pgdata` in the repository."""
    link = REPO / ".pgdata"
    if _as_root():
        digest = hashlib.sha1(str(REPO).encode()).hexdigest()[:10]
        target = Path("/var/tmp") / f"pgqueue-{digest}" / "data"
        if not link.is_symlink():
            link.symlink_to(target)
        return Cluster(target, DEV_PORT)
    return Cluster(link, DEV_PORT)


def scratch_cluster(name: str, *settings: str) -> Cluster:
    """A throwaway cluster for tests, on a free port, in a folder of its own."""
    base = Path("/var/tmp" if _as_root() else REPO / ".pgtest")
    base.mkdir(parents=True, exist_ok=True)
    return Cluster(base / f"pgqueue-{name}-{os.getpid()}" / "data", free_port(), settings)


def role_passwords() -> dict[str, str]:
    """Login passwords for the broker's roles; the defaults are for local development only."""
    return {
        "authenticator_password": os.environ.get("PGQ_AUTHENTICATOR_PASSWORD", "authenticator-dev"),
        "gateway_password": os.environ.get("PGQ_GATEWAY_PASSWORD", "gateway-dev"),
    }


def sqitch(action: str, url: str, *options: str, quiet: bool = False) -> None:
    """Run `sqitch ACTION` against a postgresql:// URL, passing the role passwords."""
    target = "db:" + url.replace("postgresql://", "pg://", 1)
    passwords = role_passwords()
    if action == "deploy":
        passwords.update(_foreign_passwords(url))
    variables = [f"--set={name}={value}" for name, value in passwords.items()]
    command = ["sqitch", *(["--quiet"] if quiet else []), action, *variables, *options, target]
    if subprocess.run(command, cwd=REPO).returncode != 0:
        sys.exit(f"localpg: sqitch {action} failed (see above)")


def psql(url: str, sql: str, **variables: str) -> str:
    """Run SQL; psql variables (`:'name'` in the SQL) arrive quoted by psql itself."""
    options = [f"--variable={name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        ["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", *options], input=sql, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def create_database(cluster: Cluster, name: str) -> str:
    """Create database NAME unless it exists; return its superuser URL."""
    if not psql(cluster.url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(cluster.url, f'CREATE DATABASE "{name}"')
    return cluster.url_for(name)


def gateway_url(admin_url: str) -> str:
    """The same database, logged in as the gateway's least-privileged role."""
    rest = admin_url.split("@", 1)[1]
    return f"postgresql://pgq_gateway:{role_passwords()['gateway_password']}@{rest}"


# schema/admin_roles marks the roles pgQueue created; the others belong to someone else.
MANAGED_ROLE = "pgQueue: created and managed by the pgq deploy"


# The released change schema/roles (@v1.0) sets `authenticator`'s password on every first deploy.
# Another application's `authenticator` (unmarked, and older than pgq_client if that exists) is
# given its own verifier back, which PostgreSQL stores unchanged: its password stays its own.
FOREIGN_AUTHENTICATOR = """
SELECT 'foreign:' || coalesce(a.rolpassword, '') FROM pg_catalog.pg_authid AS a
WHERE a.rolname = 'authenticator'
  AND pg_catalog.shobj_description(a.oid, 'pg_authid') IS DISTINCT FROM :'managed'
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles AS c WHERE c.rolname = 'pgq_client' AND c.oid < a.oid)
"""


def _foreign_passwords(admin_url: str) -> dict[str, str]:
    try:
        found = psql(admin_url, FOREIGN_AUTHENTICATOR, managed=MANAGED_ROLE)
    except RuntimeError:
        return {}  # not reachable: sqitch itself will say why
    return {"authenticator_password": found.removeprefix("foreign:")} if found else {}


def sync_passwords(admin_url: str) -> None:
    """The roles change runs once; later `make db` runs still apply changed passwords, to the
    login roles pgQueue created only: another application's `authenticator` keeps its own."""
    psql(admin_url, """
        SELECT format('ALTER ROLE %I PASSWORD %L', r.rolname, p.password)
        FROM pg_catalog.pg_roles AS r
        JOIN (VALUES ('authenticator', :'authenticator_password'), ('pgq_gateway', :'gateway_password'))
            AS p (rolname, password) USING (rolname)
        WHERE pg_catalog.shobj_description(r.oid, 'pg_authid') = :'managed'
        \\gexec
        """, managed=MANAGED_ROLE, **role_passwords())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["db", "db-url", "db-admin-url", "stop", "status", "url", "clean"])
    args = parser.parse_args()
    gateway_login = os.environ.get("PGQ_DATABASE_URL")  # what the gateway connects with, when set
    existing_admin = os.environ.get("PGQ_ADMIN_URL")  # an existing server to deploy through
    cluster = dev_cluster()
    if args.action in ("db", "db-url", "db-admin-url"):
        # db prints sqitch's log and both URLs; db-url and db-admin-url, quiet, one bare URL each.
        loud = args.action == "db"
        if existing_admin or gateway_login:
            admin = existing_admin or str(gateway_login)
        else:
            cluster.start()
            admin = create_database(cluster, "pgqueue")
        sqitch("deploy", admin, "--verify", quiet=not loud)
        if admin != gateway_login:
            sync_passwords(admin)
        if args.action == "db-admin-url":
            print(admin)
            return
        if loud and admin != gateway_login:
            print(f"admin: psql {admin}")
        print(gateway_login or gateway_url(admin))
    elif args.action == "stop":
        cluster.stop()
        print("stopped")
    elif args.action == "clean":
        cluster.remove()
        (REPO / ".pgdata").unlink(missing_ok=True)
        print(f"removed the local cluster's data ({cluster.data})")
    elif args.action == "status":
        print("running" if cluster.running() else "stopped")
    else:
        print(gateway_login or gateway_url(existing_admin or cluster.url_for("pgqueue")))


if __name__ == "__main__":
    main()
