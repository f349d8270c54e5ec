"""`make bench`: pgq against raw-SQL baselines (pgbench), and the gateway under k6.

    python -m performance.bench            # the full run, about 15 minutes
    python -m performance.bench --quick    # the same scenarios, scaled down to a couple of minutes
    python -m performance.bench --only http  # just the gateway under k6, a few minutes

Everything runs on a throwaway cluster of its own, never the dev cluster. Every
pgq scenario is paired with a baseline measured in the same run on identical
tables (performance/sql/setup.sql) and the same backlog, interleaved A B A B,
and compared by medians: on a shared, noisy machine only ratios from one run
mean anything. Prints one table and writes performance/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from support.localpg import REPO, create_database, free_port, gateway_url, psql, scratch_cluster, sqitch

HERE = Path(__file__).resolve().parent
SQL = HERE / "sql"
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent
CHANNEL = "bench"
MESSAGE = {"event": "order.created", "order": 123456, "customer": "c-42", "total": 99.5, "items": 3}
# The backlog's messages have the same shape, numbered.
BACKLOG_MESSAGE = "jsonb_build_object('event', 'order.created', 'order', i, 'customer', 'c-42', " \
                  "'total', 99.5, 'items', 3)"
CORES = os.cpu_count() or 1
# No checkpoint may land inside a measurement by chance: the bench checkpoints
# between phases instead. Everything else is PostgreSQL's default.
SERVER_SETTINGS = {"max_wal_size": "8GB", "checkpoint_timeout": "30min"}


class BenchError(RuntimeError):
    """A step of the bench failed; the message says which and why."""


@dataclass(frozen=True)
class Profile:
    name: str
    seconds: int  # one pgbench run
    repeats: int  # A B pairs per comparison
    backlog: int
    sustained_seconds: int
    sample_seconds: int
    load_count: int
    http_seconds: int  # one k6 throughput run
    spec_seconds: int
    knee_step: str
    knee_rates: str


FULL = Profile("full", seconds=5, repeats=3, backlog=1_000_000, sustained_seconds=300, sample_seconds=30,
               load_count=1_000_000, http_seconds=8, spec_seconds=60, knee_step="4s",
               knee_rates="100,200,300,400,600,800,1000,1200,1500")
QUICK = Profile("quick", seconds=1, repeats=2, backlog=100_000, sustained_seconds=20, sample_seconds=5,
                load_count=100_000, http_seconds=3, spec_seconds=10, knee_step="1s",
                knee_rates="100,200,400,800")


# --------------------------------------------------------------------------
# Parsing and arithmetic (pure; tests/performance covers them)
# --------------------------------------------------------------------------

def parse_tps(pgbench_stdout: str) -> float:
    match = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", pgbench_stdout, re.M)
    if not match:
        raise BenchError(f"no tps in pgbench's output:\n{pgbench_stdout}")
    return float(match.group(1))


def parse_failed(pgbench_stdout: str) -> int:
    """Failed transactions (PostgreSQL 15+ reports them; older pgbench aborts instead)."""
    match = re.search(r"^number of failed transactions: (\d+)", pgbench_stdout, re.M)
    return int(match.group(1)) if match else 0


def log_latencies_ms(lines: Iterator[str]) -> list[float]:
    """Transaction latencies from pgbench -l lines: client, transaction, latency (µs), ...
    Failed and skipped transactions have a word in place of the latency and are left out."""
    latencies = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 3 and fields[2].isdigit():
            latencies.append(int(fields[2]) / 1000)
    return latencies


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile, p in (0, 100]."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def parse_load_rate(load_stdout: str) -> float:
    match = re.search(r": ([0-9,]+) msgs/s$", load_stdout.strip())
    if not match:
        raise BenchError(f"no msgs/s in load.py's output:\n{load_stdout}")
    return float(match.group(1).replace(",", ""))


def interval_rates(samples: Sequence[dict[str, float]]) -> list[dict[str, float]]:
    """Per-interval rates from cumulative samples of (t, enqueued, consumed, dead)."""
    rates = []
    for before, after in itertools.pairwise(samples):
        span = after["t"] - before["t"]
        enqueued = (after["enqueued"] - before["enqueued"]) / span
        consumed = (after["consumed"] - before["consumed"]) / span
        rates.append({"t": round(after["t"] - samples[0]["t"], 1), "enqueued_per_s": enqueued,
                      "consumed_per_s": consumed, "total_per_s": enqueued + consumed,
                      "n_dead_tup": after["dead"], "depth": after["depth"]})
    return rates


def k6_figures(summary: dict[str, Any]) -> dict[str, float]:
    """req/s, failures and latency percentiles (ms) from load-test.js's JSON summary."""
    metrics = summary["metrics"]
    duration = metrics["http_req_duration"]["values"]
    failed = metrics["http_req_failed"]["values"]
    requests = metrics["http_reqs"]["values"]
    return {"rate": requests["rate"], "requests": requests["count"], "failed": failed["passes"],
            "p50": duration["med"], "p95": duration["p(95)"], "p99": duration["p(99)"]}


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

@dataclass
class Run:
    """One measurement: a rate and, where there is latency, its percentiles in ms."""

    rate: float
    latencies: list[float] = field(default_factory=list, repr=False)
    failed: int = 0


@dataclass
class Row:
    scenario: str
    unit: str
    value: float
    baseline: float | None = None
    baseline_name: str = ""
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not run
    note: str = ""
    runs: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def compare(scenario: str, unit: str, pgq: list[Run], raw: list[Run], baseline_name: str,
            messages_per_run: int = 1) -> Row:
    """A pgq row from interleaved runs: medians, ratio, and latency over all pgq runs."""
    latencies = [ms for run in pgq for ms in run.latencies]
    failed = sum(run.failed for run in pgq + raw)
    row = Row(scenario, unit, statistics.median(run.rate for run in pgq) * messages_per_run,
              statistics.median(run.rate for run in raw) * messages_per_run, baseline_name,
              runs={"pgq": [run.rate * messages_per_run for run in pgq],
                    "baseline": [run.rate * messages_per_run for run in raw]})
    if latencies:
        row.p50, row.p95, row.p99 = (percentile(latencies, p) for p in (50, 95, 99))
    if failed:
        row.note = f"{failed} failed transactions"
    return row


def judge(row: Row, target: str, met: bool) -> Row:
    row.target, row.met = target, met
    return row


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table: the terminal and the README show the same thing."""
    head = ["scenario", "rate", "baseline", "ratio", "p50 ms", "p95 ms", "p99 ms", "target", "result"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        verdict = {True: "met", False: "**missed**", None: "-"}[row.met]
        if row.note:
            verdict += f" ({row.note})"
        baseline = f"{fmt(row.baseline)} {row.baseline_name}".strip() if row.baseline else "-"
        cells = [row.scenario, f"{fmt(row.value)} {row.unit}", baseline, fmt(row.ratio, 2),
                 fmt(row.p50, 2), fmt(row.p95, 2), fmt(row.p99, 2), row.target or "-", verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The runs
# --------------------------------------------------------------------------

def pgbench_binary() -> str:
    found = shutil.which("pgbench") or max(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), default=None)
    if not found:
        raise BenchError("pgbench not found; run `make bootstrap` (Debian package postgresql-client)")
    return found


@dataclass
class Bench:
    profile: Profile
    url: str  # superuser: the raw baselines' CHECK constraints call pgq's private functions
    workdir: Path
    log: Callable[[str], None]
    counter: int = 0

    def pgbench(self, script: str, clients: int, variables: dict[str, str], seconds: int | None = None,
                latency: bool = True) -> Run:
        self.counter += 1
        prefix = self.workdir / f"run{self.counter}"
        command = [pgbench_binary(), "-n", "-M", "prepared", "-T", str(seconds or self.profile.seconds),
                   "-c", str(clients), "-j", str(min(clients, CORES)), "-f", str(SQL / script)]
        command += [f"-D{name}={value}" for name, value in variables.items()]
        if latency:
            command += ["-l", f"--log-prefix={prefix}"]
        done = subprocess.run([*command, self.url], capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"pgbench {script} -c {clients} failed:\n{done.stdout}{done.stderr}")
        latencies: list[float] = []
        for path in glob.glob(f"{prefix}.*"):
            with open(path) as lines:
                latencies += log_latencies_ms(lines)
            os.unlink(path)
        return Run(parse_tps(done.stdout), latencies, parse_failed(done.stdout))

    def interleaved(self, pair: tuple[str, str], clients: int, variables: dict[str, str],
                    before: Callable[[str], None] | None = None) -> tuple[list[Run], list[Run]]:
        """A B A B ...: pgq's script, then the baseline's, repeated."""
        runs: tuple[list[Run], list[Run]] = ([], [])
        for _ in range(self.profile.repeats):
            for side, script in enumerate(pair):
                if before:
                    before(script)
                runs[side].append(self.pgbench(script, clients, variables))
        return runs

    def sql(self, statement: str) -> str:
        return psql(self.url, statement)

    def top_up(self, table: str, target: int) -> None:
        """Refill a queue table's channel to exactly its backlog, at the tail, as producers would."""
        self.sql(f"INSERT INTO {table} (channel, message) SELECT '{CHANNEL}', {BACKLOG_MESSAGE} "
                 f"FROM generate_series(1, {target} - (SELECT count(*) FROM {table} "
                 f"WHERE channel = '{CHANNEL}')) AS i")

    def reset_backlog(self, tables: Sequence[str]) -> None:
        archives = [table.replace("queue", "archive") for table in tables]
        self.sql(f"TRUNCATE {', '.join([*tables, *archives])}")
        for table in tables:
            self.top_up(table, self.profile.backlog)
        self.sql(f"VACUUM ANALYZE {', '.join(tables)}")
        self.sql("CHECKPOINT")

    # ---------------------------------------------------------------- SQL

    def enqueue(self) -> list[Row]:
        message = json.dumps(MESSAGE)
        rows = []
        for clients in (1, 4, 16):
            self.log(f"pgq.enqueue vs INSERT, {clients} clients")
            pgq, raw = self.interleaved(("enqueue_pgq.sql", "enqueue_raw.sql"), clients,
                                        {"channel": CHANNEL, "message": message})
            row = compare(f"`pgq.enqueue`, {clients} clients", "msgs/s", pgq, raw, "INSERT")
            if clients == 16:
                judge(row, "ratio ≥ 0.90", (row.ratio or 0) >= 0.90)
            rows.append(row)
        return rows

    def enqueue_batch(self) -> Row:
        batch = json.dumps([{**MESSAGE, "order": n} for n in range(100)])
        self.log("pgq.enqueue_batch(100) vs INSERT ... SELECT of 100 rows, 2 clients")
        pgq, raw = self.interleaved(("enqueue_batch_pgq.sql", "enqueue_batch_raw.sql"), 2,
                                    {"channel": CHANNEL, "batch": batch})
        row = compare("`pgq.enqueue_batch(100)`, 2 clients", "msgs/s", pgq, raw, "INSERT…SELECT",
                      messages_per_run=100)
        return judge(row, "ratio ≥ 0.80 and ≥ 100,000 msgs/s",
                     (row.ratio or 0) >= 0.80 and row.value >= 100_000)

    def dequeue(self) -> list[Row]:
        backlog = self.profile.backlog
        self.log(f"loading a {backlog:,}-message backlog into pgq.queue and bench.raw_queue")
        self.reset_backlog(["pgq.queue", "bench.raw_queue"])

        def refill(script: str) -> None:
            self.top_up("pgq.queue" if script.endswith("_pgq.sql") else "bench.raw_queue", backlog)

        rows = []
        for clients, take in ((1, 1), (4, 1), (8, 1), (2, 100)):
            label = f"pgq.dequeue(take {take}) vs DELETE+archive, {clients} clients"
            self.log(label)
            pgq, raw = self.interleaved(("dequeue_pgq.sql", "dequeue_raw.sql"), clients,
                                        {"channel": CHANNEL, "take": str(take)}, before=refill)
            name = "`pgq.dequeue`" if take == 1 else f"`pgq.dequeue(channel, {take})`"
            row = compare(f"{name}, {clients} clients, {backlog:,} backlog", "msgs/s", pgq, raw,
                          "DELETE+archive", messages_per_run=take)
            if clients == 8:
                judge(row, "ratio ≥ 0.90", (row.ratio or 0) >= 0.90)
            rows.append(row)
        return rows

    def sustained(self) -> tuple[Row, list[dict[str, float]]]:
        seconds, every = self.profile.sustained_seconds, self.profile.sample_seconds
        self.log(f"sustained: 4 producers + 4 consumers for {seconds} s, sampling every {every} s")
        self.reset_backlog(["pgq.queue"])
        sequence = self.sql("SELECT pg_get_serial_sequence('pgq.queue', 'id')")

        def sample() -> dict[str, float]:
            enqueued, consumed, dead, depth = self.sql(
                f"SELECT (SELECT last_value FROM {sequence}), (SELECT count(*) FROM pgq.archive), "
                "n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relid = 'pgq.queue'::regclass"
            ).split("|")
            return {"t": time.monotonic(), "enqueued": float(enqueued), "consumed": float(consumed),
                    "dead": float(dead), "depth": float(depth)}

        common = [pgbench_binary(), "-n", "-M", "prepared", "-T", str(seconds), "-c", "4", "-j", "1",
                  f"-Dchannel={CHANNEL}"]
        producers = subprocess.Popen([*common, "-f", str(SQL / "enqueue_pgq.sql"),
                                      f"-Dmessage={json.dumps(MESSAGE)}", self.url],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        consumers = subprocess.Popen([*common, "-f", str(SQL / "dequeue_pgq.sql"), "-Dtake=1", self.url],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = [sample()]
        started = samples[0]["t"]
        for tick in range(1, seconds // every + 1):
            time.sleep(max(0.0, started + tick * every - time.monotonic()))
            samples.append(sample())
        for process in (producers, consumers):
            out, err = process.communicate()
            if process.returncode != 0:
                raise BenchError(f"sustained pgbench failed:\n{out}{err}")
        intervals = interval_rates(samples)
        for interval in intervals:
            self.log(f"  t={interval['t']:>5.0f}s enqueue {interval['enqueued_per_s']:>8,.0f}/s dequeue "
                     f"{interval['consumed_per_s']:>8,.0f}/s n_dead_tup {interval['n_dead_tup']:>9,.0f}")
        first, last = intervals[0], intervals[-1]
        # Autovacuum visits each database once per naptime and the queue table
        # qualifies after its threshold, so a queue vacuumed in time never holds
        # more dead rows than two naptimes of deletes plus that threshold.
        naptime = float(self.sql("SELECT setting FROM pg_settings WHERE name = 'autovacuum_naptime'"))
        threshold = float(self.sql(
            "SELECT coalesce((SELECT split_part(option, '=', 2) FROM pg_class, unnest(reloptions) AS option "
            "WHERE oid = 'pgq.queue'::regclass AND option LIKE 'autovacuum_vacuum_threshold=%'), "
            "current_setting('autovacuum_vacuum_threshold'))"))
        peak_deletes = max(interval["consumed_per_s"] for interval in intervals)
        bound = threshold + 2 * naptime * peak_deletes
        most_dead = max(interval["n_dead_tup"] for interval in intervals)
        length = f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
        row = Row(f"sustained {length}, 4 producers + 4 consumers: last {every} s vs first", "msgs/s",
                  last["total_per_s"], first["total_per_s"], "first",
                  note=f"max n_dead_tup {most_dead:,.0f}, bound {bound:,.0f}")
        return judge(row, f"ratio ≥ 0.90; n_dead_tup ≤ {threshold:,.0f} + 2 naptimes of deletes",
                     (row.ratio or 0) >= 0.90 and most_dead <= bound), intervals

    def load_py(self) -> Row:
        count = self.profile.load_count
        self.log(f"support/load.py --count {count:,}")
        command = [sys.executable, str(REPO / "support" / "load.py"), "--url", gateway_url(self.url),
                   "--channel", "loaded", "--count", str(count), "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"load.py failed:\n{done.stdout}{done.stderr}")
        row = Row(f"`support/load.py --count {count:,}`", "msgs/s", parse_load_rate(done.stdout))
        return judge(row, "≥ 100,000 msgs/s", row.value >= 100_000)

    # ---------------------------------------------------------------- HTTP

    def k6(self, base_url: str, **env: str) -> dict[str, Any]:
        self.counter += 1
        summary = self.workdir / f"k6-{self.counter}.json"
        command = [str(VENV_BIN / "k6"), "run", "--quiet", "--no-color", str(HERE / "load-test.js")]
        done = subprocess.run(command,
                              env={**os.environ, "BASE_URL": base_url, "SUMMARY": str(summary), **env},
                              capture_output=True, text=True, cwd=REPO)
        # 99: thresholds crossed. The summary is still written, and the caller judges it.
        if done.returncode not in (0, 99) or not summary.exists():
            raise BenchError(f"k6 {env} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        result: dict[str, Any] = json.loads(summary.read_text())
        return result

    def http(self) -> tuple[list[Row], dict[str, Any]]:
        profile = self.profile
        with gateway(gateway_url(self.url), self.log) as base_url:
            self.log(f"gateway: /healthz vs 50/50 POST /message + GET /queue/two, {CORES * 4} VUs")
            runs: dict[str, list[dict[str, float]]] = {"mixed": [], "healthz": []}
            for _ in range(profile.repeats):
                for target in runs:
                    runs[target].append(k6_figures(self.k6(
                        base_url, SCENARIO="throughput", TARGET=target, VUS=str(CORES * 4),
                        DURATION=f"{profile.http_seconds}s")))
            mixed = runs["mixed"]
            row = Row(f"gateway (direct, {CORES} workers), POST /message + GET /queue/two vs /healthz",
                      "req/s", statistics.median(r["rate"] for r in mixed),
                      statistics.median(r["rate"] for r in runs["healthz"]), "/healthz",
                      p50=statistics.median(r["p50"] for r in mixed),
                      p95=statistics.median(r["p95"] for r in mixed),
                      p99=statistics.median(r["p99"] for r in mixed),
                      runs={target: [r["rate"] for r in figures] for target, figures in runs.items()})
            failures = sum(int(r["failed"]) for r in mixed)
            row.note = f"{failures} errors"
            judge(row, "ratio ≥ 0.60, p99 < 50 ms, 0 errors",
                  (row.ratio or 0) >= 0.60 and (row.p99 or 0) < 50 and failures == 0)

            self.log(f"gateway: the spec's scenario, 100 req/s for {profile.spec_seconds} s")
            spec = k6_figures(self.k6(base_url, SCENARIO="spec", RATE="100",
                                      DURATION=f"{profile.spec_seconds}s"))
            spec_row = Row(f"spec scenario, 100 req/s for {profile.spec_seconds} s", "req/s", spec["rate"],
                           p50=spec["p50"], p95=spec["p95"], p99=spec["p99"],
                           note=f"{int(spec['failed'])} failures")
            judge(spec_row, "p95 < 10 ms, 0 failures", spec["p95"] < 10 and spec["failed"] == 0)

            self.log(f"gateway: the knee, arrival rate stepped through {profile.knee_rates}")
            knee = self.k6(base_url, SCENARIO="knee", KNEE_RATES=profile.knee_rates,
                           KNEE_STEP=profile.knee_step)["knee"]
            knee_row = Row("knee: highest arrival rate with p99 < 50 ms, 0 errors", "req/s", knee["rate"],
                           note="above every step tried" if knee["rate"] == knee["steps"][-1]["rate"] else "")
        return [row, spec_row, knee_row], {"throughput": runs, "spec": spec, "knee": knee}


@contextmanager
def gateway(database_url: str, log: Callable[[str], None]) -> Iterator[str]:
    """The gateway under uvicorn, one worker per core, until the block ends."""
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "uvicorn"), "--factory", "gateway.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(CORES), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "PGQ_DATABASE_URL": database_url}, cwd=REPO,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise BenchError("the gateway did not answer /healthz within 30 s")
            time.sleep(0.2)
        log(f"gateway up on {base_url}")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def machine(url: str) -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    k6 = subprocess.run([str(VENV_BIN / "k6"), "version"], capture_output=True, text=True).stdout.split()
    return {"nproc": str(CORES), "cpu": cpu, "postgresql": psql(url, "SHOW server_version"),
            "k6": k6[1] if len(k6) > 1 else "?", "python": platform.python_version(),
            "kernel": platform.release()}


def main(argv: list[str] | None = None) -> None:
    cli = argparse.ArgumentParser(prog="performance.bench", description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="the same scenarios, scaled down")
    cli.add_argument("--keep", action="store_true", help="leave the bench cluster running afterwards")
    cli.add_argument("--only", choices=["http"], help="run only this part: the gateway under k6")
    args = cli.parse_args(argv)
    profile = QUICK if args.quick else FULL
    began, started = datetime.now(UTC), time.monotonic()

    def log(text: str) -> None:
        print(f"[{time.monotonic() - started:6.0f}s] {text}", file=sys.stderr, flush=True)

    cluster = scratch_cluster("bench")
    log(f"{profile.name} bench on a throwaway cluster in {cluster.data.parent}")
    cluster.start()
    try:
        for name, value in SERVER_SETTINGS.items():
            psql(cluster.url, f"ALTER SYSTEM SET {name} = '{value}'")
        psql(cluster.url, "SELECT pg_reload_conf()")
        url = create_database(cluster, "bench")
        sqitch("deploy", url, quiet=True)
        psql(url, (SQL / "setup.sql").read_text())
        with tempfile.TemporaryDirectory(prefix="pgq-bench-") as workdir:
            bench = Bench(profile, url, Path(workdir), log)
            rows: list[Row] = []
            intervals: list[dict[str, float]] = []
            if args.only != "http":
                rows += [*bench.enqueue(), bench.enqueue_batch(), *bench.dequeue()]
                sustained, intervals = bench.sustained()
                rows += [sustained, bench.load_py()]
            http_rows, http = bench.http()
            rows += http_rows
            info = machine(url)
            report = {"profile": asdict(profile), "machine": info, "server_settings": SERVER_SETTINGS,
                      "started": began.isoformat(timespec="seconds"),
                      "seconds": round(time.monotonic() - started), "rows": [
                          {**asdict(row), "ratio": row.ratio} for row in rows],
                      "sustained": intervals, "http": http}
    finally:
        if not args.keep:
            cluster.remove()  # and its folder
    RESULTS.mkdir(exist_ok=True)
    stamp = began.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}{'-quick' if args.quick else ''}{f'-{args.only}' if args.only else ''}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\n{profile.name} bench, {report['seconds']} s; {info['nproc']} cores of {info['cpu']}, "
          f"PostgreSQL {info['postgresql']}, k6 {info['k6']}\n")
    print(table(rows))
    print(f"\nwritten to {path.relative_to(REPO)}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench: {error}")
