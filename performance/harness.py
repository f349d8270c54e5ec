"""The bench's measuring tools: pgbench runs, their parsing, percentiles, targets and the table.

Pure functions and a thin pgbench runner; tests/performance/test_bench.py covers each."""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import statistics
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SQL = HERE / "sql"
CORES = os.cpu_count() or 1
ZIPF_SKEW = 1.1  # issue 11: traffic over channels follows Zipf's law with this exponent


class BenchError(RuntimeError):
    """A step of the bench failed; the message says which and why."""


# --------------------------------------------------------------------------
# Parsing and arithmetic
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


def parse_transactions(pgbench_stdout: str) -> int:
    match = re.search(r"^number of transactions actually processed: (\d+)", pgbench_stdout, re.M)
    if not match:
        raise BenchError(f"no transaction count in pgbench's output:\n{pgbench_stdout}")
    return int(match.group(1))


def log_latencies_ms(lines: Iterable[str]) -> list[float]:
    """Transaction latencies from pgbench -l lines: client, transaction, latency (µs), ...
    Failed and skipped transactions have a word in place of the latency and are left out."""
    latencies = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 3 and fields[2].isdigit():
            latencies.append(int(fields[2]) / 1000)
    return latencies


def aggregate_counts(files: Iterable[Iterable[str]]) -> list[int]:
    """Transactions per interval from pgbench --aggregate-interval logs, one log per thread:
    each line starts with the interval's start and its transaction count. Threads start
    their intervals a few milliseconds apart, so intervals are matched by position."""
    totals: defaultdict[int, int] = defaultdict(int)
    for lines in files:
        for position, line in enumerate(line for line in lines if line.strip()):
            totals[position] += int(line.split()[1])
    return [totals[position] for position in sorted(totals)]


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


def k6_figures(summary: dict[str, Any]) -> dict[str, float]:
    """req/s, failures and latency percentiles (ms) from load-test.js's JSON summary."""
    metrics = summary["metrics"]
    duration = metrics["http_req_duration"]["values"]
    failed = metrics["http_req_failed"]["values"]
    requests = metrics["http_reqs"]["values"]
    return {"rate": requests["rate"], "requests": requests["count"], "failed": failed["passes"],
            "p50": duration["med"], "p95": duration["p(95)"], "p99": duration["p(99)"]}


# --------------------------------------------------------------------------
# Results and targets
# --------------------------------------------------------------------------

@dataclass
class Run:
    """One measurement: a rate and, where there is latency, its percentiles in ms."""

    rate: float
    latencies: list[float] = field(default_factory=list, repr=False)
    failed: int = 0
    intervals: list[int] = field(default_factory=list, repr=False)  # transactions per aggregate interval
    transactions: int = 0
    wal_bytes: float | None = None  # WAL the cluster wrote during the run, when it ran alone

    @property
    def wal_per_transaction(self) -> float | None:
        if self.wal_bytes is None or not self.transactions:
            return None
        return self.wal_bytes / self.transactions


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
    met: bool | None = None  # None: no target
    note: str = ""
    runs: dict[str, list[float]] = field(default_factory=dict)
    wal_per_message: dict[str, float] = field(default_factory=dict)  # median bytes, pgq's and the baseline's

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def compare(scenario: str, unit: str, pgq: list[Run], baseline: list[Run], baseline_name: str,
            messages_per_run: int = 1) -> Row:
    """A row from interleaved runs: medians, their ratio, and latency over all of pgq's runs."""
    latencies = [ms for run in pgq for ms in run.latencies]
    failed = sum(run.failed for run in pgq + baseline)
    row = Row(scenario, unit, statistics.median(run.rate for run in pgq) * messages_per_run,
              statistics.median(run.rate for run in baseline) * messages_per_run, baseline_name,
              runs={"pgq": [run.rate * messages_per_run for run in pgq],
                    "baseline": [run.rate * messages_per_run for run in baseline]})
    if latencies:
        row.p50, row.p95, row.p99 = (percentile(latencies, p) for p in (50, 95, 99))
    sides = {"pgq": [run.wal_per_transaction for run in pgq],
             "baseline": [run.wal_per_transaction for run in baseline]}
    notes = []
    if all(value is not None for values in sides.values() for value in values):
        row.wal_per_message = {side: statistics.median(value or 0.0 for value in values) / messages_per_run
                               for side, values in sides.items()}
        per = unit.split("/")[0].removesuffix("s")  # msgs/s: per msg; polls/s: per poll
        notes.append(f"WAL per {per} {row.wal_per_message['pgq']:,.0f} B vs "
                     f"{row.wal_per_message['baseline']:,.0f} B")
    if failed:
        notes.append(f"{failed} failed transactions")
    row.note = "; ".join(notes)
    return row


def judge(row: Row, target: str, met: bool) -> Row:
    row.target, row.met = target, met
    return row


def at_least(row: Row, ratio: float | None = None, rate: float | None = None) -> Row:
    """Judge a row against issue 11's kind of target: a least ratio to its baseline, a least rate, or both.
    A ratio target without a baseline is missed: nothing was compared."""
    parts, met = [], True
    if ratio is not None:
        parts.append(f"ratio ≥ {ratio:.2f}")
        met = met and row.ratio is not None and row.ratio >= ratio
    if rate is not None:
        parts.append(f"≥ {rate:,.0f} {row.unit}")
        met = met and row.value >= rate
    if not parts:
        raise ValueError("a target needs a ratio, a rate or both")
    return judge(row, " and ".join(parts), met)


def targets(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The judged rows, for the results JSON: what was asked, what was measured, met or missed."""
    return [{"scenario": row.scenario, "target": row.target, "value": row.value, "unit": row.unit,
             "baseline": row.baseline, "baseline_name": row.baseline_name, "ratio": row.ratio,
             "met": row.met} for row in rows if row.met is not None]


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table: the terminal and the docs show the same thing."""
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


MIX_RATIO, MIX_P99_MS = 0.85, 50.0  # issue 21: the gateway against the minimal app


def versus_minimal(scenario: str, gateway: list[dict[str, float]], minimal: list[dict[str, float]]) -> Row:
    """The gateway's mix against the minimal app's, from interleaved k6 runs (k6_figures): medians of
    the rates and of the runs' percentiles. Met at a ratio ≥ 0.85 with p99 < 50 ms and no error."""
    median = statistics.median
    errors = sum(int(run["failed"]) for run in gateway)
    row = Row(scenario, "req/s", median(run["rate"] for run in gateway),
              median(run["rate"] for run in minimal), "minimal app",
              p50=median(run["p50"] for run in gateway), p95=median(run["p95"] for run in gateway),
              p99=median(run["p99"] for run in gateway),
              runs={"gateway": [run["rate"] for run in gateway], "minimal": [run["rate"] for run in minimal]})
    minimal_p99 = median(run["p99"] for run in minimal)
    minimal_errors = sum(int(run["failed"]) for run in minimal)
    row.note = f"{errors} errors; minimal app p99 {minimal_p99:.1f} ms, {minimal_errors} errors"
    return judge(row, f"ratio ≥ {MIX_RATIO:.2f}, p99 < {MIX_P99_MS:.0f} ms, 0 errors",
                 (row.ratio or 0) >= MIX_RATIO and (row.p99 or 0) < MIX_P99_MS and errors == 0)


def top_frames(stacks: Iterable[str], top: int = 15, supervisor: int = 0) -> dict[str, Any]:
    """From py-spy's raw output, as percentages of all samples: the frames where the samples were
    taken (own time), that own time summed by package, and the frames of this repository's code on
    the stack (total time). A line is one distinct stack and its count: `process <pid>:"<command>"`
    of each process from the sampled one down, then the frames, outermost first. The `supervisor`
    process's own stacks (it waits for its workers) are left out. A frame is `function (path)`,
    the path cut to its package, or to the repository for its own code."""
    own: defaultdict[str, int] = defaultdict(int)
    packages: defaultdict[str, int] = defaultdict(int)
    total: defaultdict[str, int] = defaultdict(int)
    samples = 0
    for line in stacks:
        stack, _, count = line.rpartition(" ")
        elements = stack.split(";")
        processes = [element for element in elements if element.startswith("process ")]
        if processes and processes[-1].startswith(f"process {supervisor}:"):
            continue
        frames = [_short_frame(element) for element in elements if element.endswith(")")]
        if not frames or not count.isdigit():
            continue
        samples += int(count)
        own[frames[-1][0]] += int(count)
        packages[frames[-1][1]] += int(count)
        for frame in {frame for frame, package in frames if package in OWN_PACKAGES}:
            total[frame] += int(count)

    def ranked(counts: dict[str, int]) -> list[list[Any]]:
        best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
        return [[frame, round(100 * number / samples, 1)] for frame, number in best]

    return {"samples": samples, "own": ranked(own), "packages": ranked(packages), "total": ranked(total)}


OWN_PACKAGES = frozenset({"gateway", "performance"})


def _short_frame(frame: str) -> tuple[str, str]:
    """`f (/x/.venv/lib/python3.11/site-packages/starlette/routing.py)` -> `f (starlette/routing.py)`,
    and its package, `starlette`; `f (/repo/gateway/app.py)` -> `f (gateway/app.py)`, `gateway`."""
    function, _, path = frame[:-1].rpartition(" (")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/lib/python3" in path:
        path = path.split("/lib/python3", 1)[1].partition("/")[2]
    elif path.startswith(f"{HERE.parent}/"):
        path = path.removeprefix(f"{HERE.parent}/")
    package = path.partition("/")[0] if "/" in path else path.removesuffix(".py")
    return f"{function} ({path})", package


# --------------------------------------------------------------------------
# pgbench
# --------------------------------------------------------------------------

def pgbench_binary() -> str:
    found = shutil.which("pgbench") or max(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), default=None)
    if not found:
        raise BenchError("pgbench not found; run `make bootstrap` (Debian package postgresql-client)")
    return found


def channels(prefix: str, count: int = 1, skew: float = ZIPF_SKEW) -> dict[str, str]:
    """The variables by which the scripts pick channel prefix || n, n Zipf-distributed over 1..count."""
    return {"prefix": prefix, "channels": str(count), "skew": str(skew)}


@dataclass(frozen=True)
class Job:
    """One pgbench process: a script of performance/sql run by `clients` sessions of `url`."""

    url: str
    script: str
    clients: int
    variables: dict[str, str]
    aggregate_seconds: int = 0  # log transactions per interval of this many seconds, not each one


def pgbench_command(job: Job, seconds: int, transactions: int, log_prefix: Path) -> list[str]:
    """-T seconds, or -t transactions per client when given; a log per thread at log_prefix.*"""
    threads = min(job.clients, CORES)
    command = [pgbench_binary(), "-n", "-M", "prepared", "-c", str(job.clients), "-j", str(threads),
               "-f", str(SQL / job.script), "-l", f"--log-prefix={log_prefix}"]
    command += ["-t", str(transactions)] if transactions else ["-T", str(seconds)]
    if job.aggregate_seconds:
        command.append(f"--aggregate-interval={job.aggregate_seconds}")
    command += [f"-D{name}={value}" for name, value in job.variables.items()]
    return [*command, job.url]


def read_logs(log_prefix: Path, aggregated: bool) -> tuple[list[float], list[int]]:
    """Latencies, or counts per interval, from a run's logs, which are then removed."""
    paths = sorted(glob.glob(f"{log_prefix}.*"))
    contents = []
    for path in paths:
        contents.append(Path(path).read_text().splitlines())
        os.unlink(path)
    if aggregated:
        return [], aggregate_counts(contents)
    return [ms for lines in contents for ms in log_latencies_ms(lines)], []


_RUN_NUMBERS = itertools.count(1)


def run_together(jobs: Sequence[Job], workdir: Path, seconds: int = 0, transactions: int = 0) -> list[Run]:
    """Start every job at once and wait for all: producers and consumers side by side."""
    started = []
    for index, job in enumerate(jobs):
        prefix = workdir / f"pgbench-{next(_RUN_NUMBERS)}-{index}"
        process = subprocess.Popen(pgbench_command(job, seconds, transactions, prefix),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append((job, prefix, process))
    runs = []
    for job, prefix, process in started:
        out, err = process.communicate()
        if process.returncode != 0:
            raise BenchError(f"pgbench {job.script} -c {job.clients} failed:\n{out}{err}")
        latencies, intervals = read_logs(prefix, aggregated=bool(job.aggregate_seconds))
        runs.append(Run(parse_tps(out), latencies, parse_failed(out), intervals, parse_transactions(out)))
    return runs


def interleave(sides: Sequence[Callable[[], Run]], repeats: int) -> list[list[Run]]:
    """A B C A B C ...: each side (a function returning a Run) in turn, `repeats` times."""
    runs: list[list[Run]] = [[] for _ in sides]
    for _ in range(repeats):
        for index, side in enumerate(sides):
            runs[index].append(side())
    return runs
