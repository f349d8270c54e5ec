"""`make bench`: pgq against minimal raw-SQL baselines (pgbench), and the gateway under k6.

    python -m performance.bench              # the full run: about 50 minutes on 2 cores, 35 of them (e), (f)
    python -m performance.bench --quick      # every scenario, scaled down: about 8 minutes
    python -m performance.bench --only sql   # just the SQL scenarios; --only http: just the gateway
    python -m performance.bench --only head  # just (e) held horizon and (f) in flight
    python -m performance.bench --only groups  # just (g) ordered groups
    python -m performance.bench --only calls   # just the enqueue, enqueue_batch and dequeue rows

Everything runs on a throwaway cluster of its own, never the dev cluster. Every
pgq scenario is paired with a baseline measured in the same run: minimal tables
that do the same work (performance/sql/setup.sql), the same backlog, the same
channels, interleaved A B A B, compared by medians: on a shared, noisy machine
only ratios from one run mean anything. pgq is driven through its public SQL API
only, so the bench measures any queue layout. Prints one table and writes
performance/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from performance.harness import (
    CORES,
    HERE,
    SQL,
    BenchError,
    Job,
    Row,
    Run,
    at_least,
    channels,
    compare,
    interleave,
    judge,
    k6_figures,
    parse_load_rate,
    run_together,
    table,
    targets,
    top_frames,
    versus_minimal,
)
from support.localpg import (
    REPO,
    create_database,
    gateway_url,
    psql,
    scratch_cluster,
    sqitch,
)
from support.serve import APP, Gateway, GatewayNotReady, running_gateway

RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent
CHANNEL = "c"  # scripts address channel prefix || n: a single channel is "c1"
MESSAGE = {"event": "order.created", "order": 123456, "customer": "c-42", "total": 99.5, "items": 3}
ZIPF_CHANNELS = 1000
ZIPF_GROUPS = 1000  # (g) ordered groups of Zipf sizes in one channel
FEW_GROUPS = 10  # (g) so few groups that 8 consumers meet the bound of one message in flight per group
EMPTY_CHANNELS = 1000
# No checkpoint may land inside a measurement by chance: the bench checkpoints
# between phases instead. Everything else is PostgreSQL's default.
SERVER_SETTINGS = {"max_wal_size": "8GB", "checkpoint_timeout": "30min"}
# One database per starting state, cloned from the deployed one: "bench" (enqueues, load.py, the
# gateway), "lone" (one channel), "behind" (that channel behind an older one at least as large, and
# the empty channels), "zipf" (1,000 channels), "sustained", "held" and "heldz" ((e)), "flight" ((f))
# and "groups" ((g): ordered groups, and the same backlog ungrouped).
DATABASES = ("lone", "behind", "zipf", "sustained", "held", "heldz", "flight", "groups")
QUEUE = {"pgq": "pgq.queue", "raw": "bench.raw_queue"}
FILL = {"pgq": "bench.fill_pgq", "raw": "bench.fill_raw"}
FLIGHT_FILL = {"pgq": "bench.fill_pgq", "raw": "bench.fill_raw_lease"}  # (f)'s baseline has a visibility time
SIDES = ("pgq", "raw")
MINIMAL_APP = "performance.minimal_app:create_app"
MIX_CONNECTIONS = 32  # k6 VUs, each a keep-alive connection: the gateway's target holds at 32
COALESCER_CONNECTIONS = (1, 8, 32)  # --profile: the mix with the coalescer and without, at each


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Profile:
    name: str
    seconds: int  # one pgbench run
    repeats: int  # rounds of A B (C D) per comparison
    backlog: int  # messages in the lone channel, in the older channel, over the Zipf channels
    sustained_seconds: int
    sample_seconds: int  # (d) compares the first and the last interval of this length
    load_count: int
    http_seconds: int  # one k6 throughput run
    spec_seconds: int
    knee_step: str
    knee_rates: str
    level_backlog: int  # (e) and (f): the backlog kept level, or topped up before each run
    hold_before: int  # (e): seconds measured before the horizon is held, and the window compared
    holds: tuple[int, ...]  # (e): how long the horizon is held, one run per hold and side
    hold_sample: int  # (e): seconds per interval of the series
    in_flight: tuple[int, ...]  # (f): messages leased ahead, each against none


FULL = Profile("full", seconds=5, repeats=3, backlog=1_000_000, sustained_seconds=300, sample_seconds=30,
               load_count=1_000_000, http_seconds=8, spec_seconds=60, knee_step="4s",
               knee_rates="100,200,300,400,600,800,1000,1200,1500", level_backlog=100_000, hold_before=30,
               holds=(100, 600), hold_sample=10, in_flight=(10_000, 100_000))
QUICK = Profile("quick", seconds=1, repeats=2, backlog=200_000, sustained_seconds=20, sample_seconds=5,
                load_count=100_000, http_seconds=3, spec_seconds=10, knee_step="1s",
                knee_rates="100,200,400,800", level_backlog=30_000, hold_before=10, holds=(30,),
                hold_sample=5, in_flight=(10_000, 100_000))


@dataclass
class Bench:
    profile: Profile
    database_url: Callable[[str], str]  # a superuser URL: fills and counts use the tables themselves
    workdir: Path
    log: Callable[[str], None]

    def url(self, database: str = "bench") -> str:
        return self.database_url(database)

    def sql(self, statement: str, database: str = "bench") -> str:
        return psql(self.url(database), statement)

    def run(self, *jobs: Job, seconds: int = 0, transactions: int = 0) -> list[Run]:
        """The jobs side by side; a job that ran alone also gets the WAL the cluster wrote meanwhile,
        which shows what a call writes besides the message itself (an extra index, a counter)."""
        lsn = "pg_current_wal_insert_lsn()"
        started = self.sql(f"SELECT {lsn}")
        runs = run_together(jobs, self.workdir, seconds or self.profile.seconds, transactions)
        if len(runs) == 1:
            runs[0].wal_bytes = float(self.sql(f"SELECT pg_wal_lsn_diff({lsn}, '{started}')"))
        return runs

    def job(self, database: str, script: str, clients: int, **variables: str) -> Job:
        return Job(self.url(database), script, clients, variables)

    def prepare(self) -> None:
        """Clone the deployed database (broker plus baselines) into one per starting state."""
        for database in DATABASES:
            self.sql(f"CREATE DATABASE {database} TEMPLATE bench")

    # ------------------------------------------------------------ backlogs

    def depth(self, database: str, side: str, channel: str) -> int:
        """Messages queued in a channel (counted in the table: every one is ready in the bench)."""
        return int(self.sql(f"SELECT count(*) FROM {QUEUE[side]} WHERE channel = '{channel}'", database))

    def fill(self, database: str, side: str, channel: str, count: int) -> None:
        if count > 0:
            self.sql(f"SELECT {FILL[side]}('{channel}', {count})", database)

    def fill_zipf(self, database: str, side: str, total: int) -> None:
        """`total` messages over the Zipf channels, each its share of the traffic."""
        share = f"bench.zipf_share(n, {ZIPF_CHANNELS}, {channels('z')['skew']}, {total})"
        self.sql(f"SELECT sum({FILL[side]}('z' || n, {share})) FROM generate_series(1, {ZIPF_CHANNELS}) AS n",
                 database)

    def settle(self, database: str) -> None:
        self.sql("VACUUM ANALYZE", database)
        self.sql("CHECKPOINT")

    def plain(self, database: str, script: str, clients: int, **variables: str) -> Callable[[], Run]:
        """One run of a script, as a side of an interleaved comparison."""
        return lambda: self.run(self.job(database, script, clients, **variables))[0]

    def dequeue_side(self, database: str, side: str, clients: int, take: int) -> Callable[[], Run]:
        """One run of a side's dequeue script on channel c1, its backlog topped up and its queue
        vacuumed first; a run that drained the backlog measured empty polls, and stops the bench.

        The VACUUM makes every run start with no dead tuple on either side. Without it the
        baseline's table, under PostgreSQL's default autovacuum (a fifth of the table dead before
        it runs), keeps the entries of every message dequeued so far at its channel's head, and
        each later call walks over them, while pgq.queue is vacuumed after 5,000: the baseline
        slowed down run after run: pgq read 1.15x the baseline on a lone channel where runs
        from the same state read about 0.6x."""
        def run() -> Run:
            channel = f"{CHANNEL}1"
            self.fill(database, side, channel, self.profile.backlog - self.depth(database, side, channel))
            self.sql(f"VACUUM {QUEUE[side]}", database)
            (result,) = self.run(self.job(database, f"dequeue_{side}.sql", clients, **channels(CHANNEL),
                                          take=str(take)))
            if self.depth(database, side, channel) == 0:
                raise BenchError(f"dequeue_{side}.sql drained the {self.profile.backlog:,} backlog of "
                                 f"{database}; a larger backlog is needed")
            return result
        return run

    # ---------------------------------------------------------------- SQL

    def enqueue(self) -> list[Row]:
        message = json.dumps(MESSAGE)
        rows = []
        for clients in (1, 4, 16):
            self.log(f"pgq.enqueue vs INSERT and the INSERT in an empty hardened function, {clients} clients")
            scripts = [f"enqueue_{side}.sql" for side in (*SIDES, "floor")]
            pgq, raw, floor = interleave([self.plain("bench", script, clients, **channels(CHANNEL),
                                                     message=message) for script in scripts],
                                         self.profile.repeats)
            row = compare(f"`pgq.enqueue`, {plural(clients, 'client')}", "msgs/s", pgq, raw, "INSERT")
            rows.append(at_least(row, ratio=0.90) if clients in (1, 16) else row)
            rows.append(compare(f"floor: the INSERT in an empty SECURITY DEFINER function with the pinned "
                                f"search_path, {plural(clients, 'client')}", "msgs/s", floor, raw, "INSERT"))
        return rows

    def enqueue_batch(self) -> Row:
        batch = json.dumps([{**MESSAGE, "order": n} for n in range(100)])
        self.log("pgq.enqueue_batch(100) vs INSERT ... SELECT of 100 rows, 2 clients")
        pgq, raw = interleave([self.plain("bench", f"enqueue_batch_{side}.sql", 2, prefix=CHANNEL,
                                          batch=batch) for side in SIDES], self.profile.repeats)
        row = compare("`pgq.enqueue_batch(100)`, 2 clients", "msgs/s", pgq, raw, "INSERT…SELECT",
                      messages_per_run=100)
        return at_least(row, ratio=0.90, rate=100_000)

    def dequeue(self) -> list[Row]:
        """The lone channel and (a), the same channel behind an older one at least as large,
        interleaved in one round: pgq and the baseline in each, so (a) compares to both."""
        backlog = self.profile.backlog
        self.log(f"loading: c1 with {backlog:,} messages alone (database lone), and behind 'old' with "
                 f"{backlog:,} older messages (database behind), in pgq and in the baseline")
        for side in SIDES:
            self.fill("behind", side, "old", backlog)
        for database in ("lone", "behind"):
            for side in SIDES:
                self.fill(database, side, f"{CHANNEL}1", backlog)
            self.settle(database)

        rows = []
        for clients in (1, 4):
            self.log(f"pgq.dequeue vs DELETE+archive, {clients} clients, lone channel")
            pgq, raw = interleave([self.dequeue_side("lone", side, clients, 1) for side in SIDES],
                                  self.profile.repeats)
            name = f"`pgq.dequeue`, {plural(clients, 'client')}, lone channel, {backlog:,} backlog"
            row = compare(name, "msgs/s", pgq, raw, "DELETE+archive")
            rows.append(at_least(row, ratio=0.95) if clients == 1 else row)

        self.log("pgq.dequeue vs DELETE+archive, 8 clients, lone channel and (a) behind an older channel")
        lone, lone_raw, behind, behind_raw = interleave(
            [self.dequeue_side(database, side, 8, 1) for database in ("lone", "behind") for side in SIDES],
            self.profile.repeats)
        rows.append(at_least(compare(f"`pgq.dequeue`, 8 clients, lone channel, {backlog:,} backlog", "msgs/s",
                                     lone, lone_raw, "DELETE+archive"), ratio=0.95))
        rows.append(at_least(compare(f"(a) `pgq.dequeue`, 8 clients, behind an older channel of {backlog:,}",
                                     "msgs/s", behind, behind_raw, "DELETE+archive"), ratio=0.90))
        rows.append(at_least(compare("(a) `pgq.dequeue`, 8 clients: behind an older channel vs lone",
                                     "msgs/s", behind, lone, "lone channel"), ratio=0.90))

        self.log("pgq.dequeue(take 100) vs DELETE+archive of 100, 2 clients, lone channel")
        pgq, raw = interleave([self.dequeue_side("lone", side, 2, 100) for side in SIDES],
                              self.profile.repeats)
        rows.append(at_least(compare(f"`pgq.dequeue(channel, 100)`, 2 clients, lone channel, {backlog:,} "
                                     "backlog", "msgs/s", pgq, raw, "DELETE+archive", messages_per_run=100),
                             ratio=0.90))

        self.log(f"(c) pgq.dequeue polling {EMPTY_CHANNELS:,} empty channels vs the baseline, 8 clients")
        pgq, raw = interleave([self.plain("behind", f"dequeue_{side}.sql", 8, **channels("e", EMPTY_CHANNELS),
                                          take="1") for side in SIDES], self.profile.repeats)
        rows.append(compare(f"(c) `pgq.dequeue` polling {EMPTY_CHANNELS:,} empty channels, 8 clients, "
                            f"{2 * backlog:,} messages in two others", "polls/s", pgq, raw, "DELETE+archive"))
        return rows

    def consumed(self, side: str) -> int:
        """Messages consumed so far in the zipf database: pgq's own totals, the baseline's archive."""
        query = ("SELECT coalesce(sum(consumed), 0) FROM pgq.stats()" if side == "pgq"
                 else "SELECT count(*) FROM bench.raw_archive")
        return int(self.sql(query, "zipf"))

    def zipf(self) -> list[Row]:
        """(b) 8 producers and 8 consumers side by side, each call on a channel drawn by Zipf's law."""
        backlog, seconds = self.profile.backlog, self.profile.seconds
        self.log(f"(b) loading {backlog:,} messages over {ZIPF_CHANNELS:,} channels by Zipf's law "
                 f"(exponent {channels('z')['skew']}), in pgq and in the baseline")
        for side in SIDES:
            self.fill_zipf("zipf", side, backlog)
        self.settle("zipf")
        producers: dict[str, list[Run]] = {side: [] for side in SIDES}
        zipf = channels("z", ZIPF_CHANNELS)

        def side_run(side: str) -> Run:
            before = self.consumed(side)
            enqueued, dequeued = self.run(
                self.job("zipf", f"enqueue_{side}.sql", 8, **zipf, message=json.dumps(MESSAGE)),
                self.job("zipf", f"dequeue_{side}.sql", 8, **zipf, take="1"))
            producers[side].append(enqueued)
            return Run((self.consumed(side) - before) / seconds, dequeued.latencies,
                       dequeued.failed + enqueued.failed)

        self.log("(b) pgq vs the baseline, 8 producers + 8 consumers on 1,000 Zipf channels")
        pgq, raw = interleave([lambda: side_run("pgq"), lambda: side_run("raw")], self.profile.repeats)
        scenario = f"{ZIPF_CHANNELS:,} Zipf channels, 8 producers + 8 consumers"
        return [at_least(compare(f"(b) `pgq.dequeue`, {scenario}", "msgs/s", pgq, raw, "DELETE+archive"),
                         ratio=0.90),
                compare(f"(b) `pgq.enqueue`, {scenario}", "msgs/s", producers["pgq"], producers["raw"],
                        "INSERT")]

    def groups(self) -> list[Row]:
        """(g) 8 consumers lease then ack on one channel of 1,000 ordered groups (Zipf sizes), against the
        same backlog ungrouped; and on 10 groups, where 8 consumers meet the bound of one in flight per
        group. Rates are messages acked (the archive's count), not pgbench's transactions (some are empty)."""
        backlog, skew = self.profile.backlog, float(channels("z")["skew"])
        self.log(f"(g) loading {backlog:,} messages in {ZIPF_GROUPS:,} Zipf groups, {backlog:,} in "
                 f"{FEW_GROUPS} groups, and {backlog:,} ungrouped, each in a channel of its own")
        self.sql(f"SELECT bench.fill_groups('zipf_groups', {ZIPF_GROUPS}, {backlog}, {skew})", "groups")
        self.sql(f"SELECT bench.fill_groups('few_groups', {FEW_GROUPS}, {backlog}, 0)", "groups")
        self.fill("groups", "pgq", "ungrouped", backlog)
        self.settle("groups")
        for _ in range(2):  # two refreshes of each head, nothing consumed between: the heads start warm
            time.sleep(0.3)
            self.sql("SELECT pgq._ready_start(c), pgq._groups_start(c)"
                     " FROM unnest('{zipf_groups,few_groups,ungrouped}'::text[]) AS c", "groups")

        def side(channel: str) -> Callable[[], Run]:
            def acked() -> int:
                query = f"SELECT count(*) FROM pgq.archive WHERE channel = '{channel}'"
                return int(self.sql(query, "groups"))

            def run() -> Run:
                before = acked()
                (result,) = self.run(self.job("groups", "group_lease_ack_pgq.sql", 8, channel=channel))
                return Run((acked() - before) / self.profile.seconds, result.latencies, result.failed)
            return run

        self.log(f"(g) lease then ack, 8 consumers: {ZIPF_GROUPS:,} Zipf groups, {FEW_GROUPS} groups, "
                 "ungrouped")
        grouped, few, ungrouped = interleave([side("zipf_groups"), side("few_groups"), side("ungrouped")],
                                             self.profile.repeats)
        scenario = f"8 consumers, {backlog:,} messages"
        return [at_least(compare(f"(g) `pgq.lease` then `ack`, {ZIPF_GROUPS:,} Zipf groups, {scenario}",
                                 "msgs/s", grouped, ungrouped, "ungrouped"), ratio=0.80),
                compare(f"(g) `pgq.lease` then `ack`, {FEW_GROUPS} groups (at most {FEW_GROUPS} in flight), "
                        f"{scenario}", "msgs/s", few, ungrouped, "ungrouped")]

    def sustained(self) -> tuple[Row, list[dict[str, float]]]:
        """(d) 8 clients, each enqueueing a message and then dequeueing one on the same Zipf channel:
        producers paced to the consumers, so the backlog stays level. Dead tuples sampled."""
        backlog, every = self.profile.backlog, self.profile.sample_seconds
        seconds = self.profile.sustained_seconds
        self.log(f"(d) loading {backlog:,} messages over {ZIPF_CHANNELS:,} Zipf channels")
        self.fill_zipf("sustained", "pgq", backlog)
        self.settle("sustained")
        depth = "SELECT coalesce(sum(depth), 0) FROM pgq.stats()"
        # The queue table, or its partitions if it has any (pg_partition_tree lists none for a plain table).
        dead = ("SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relid = "
                "'pgq.queue'::regclass OR relid IN (SELECT relid FROM pg_partition_tree('pgq.queue'))")
        depth_before = int(self.sql(depth, "sustained"))
        self.log(f"(d) sustained: 8 clients for {seconds} s, sampling n_dead_tup every {every} s")
        job = Job(self.url("sustained"), "sustained_pgq.sql", 8,
                  {**channels("z", ZIPF_CHANNELS), "message": json.dumps(MESSAGE)}, aggregate_seconds=every)
        samples: list[float] = []
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(self.run, job, seconds=seconds)
            started = time.monotonic()
            for tick in range(1, seconds // every + 1):
                time.sleep(max(0.0, started + tick * every - time.monotonic()))
                samples.append(float(self.sql(dead, "sustained")))
            (result,) = running.result()
        depth_after = int(self.sql(depth, "sustained"))
        full = seconds // every  # pgbench also logs the last, partial interval
        if len(result.intervals) < full:
            raise BenchError(f"(d) expected {full} intervals of {every} s, pgbench logged {result.intervals}")
        rates = [count / every for count in result.intervals[:full]]
        intervals = [{"t": (index + 1) * every, "messages_per_s": rate, "n_dead_tup": dead_tuples}
                     for index, (rate, dead_tuples) in enumerate(zip(rates, samples, strict=True))]
        for interval in intervals:
            self.log(f"  t={interval['t']:>5}s {interval['messages_per_s']:>8,.0f} msgs/s in and out, "
                     f"n_dead_tup {interval['n_dead_tup']:>9,.0f}")
        length = f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
        row = Row(f"(d) sustained {length}, 8 clients enqueue then dequeue, {ZIPF_CHANNELS:,} Zipf channels: "
                  f"last {every} s vs first", "msgs/s", rates[-1], rates[0], f"first {every} s",
                  note=f"max n_dead_tup {max(samples, default=0):,.0f}; "
                       f"depth {depth_before:,} → {depth_after:,}")
        if result.failed:
            row.note += f"; {result.failed} failed transactions"
        return at_least(row, ratio=0.90), intervals

    def held_side(self, database: str, side: str, zipf: bool, hold: int) -> list[float]:
        """One run of 8 clients enqueueing then dequeueing, with a session holding a transaction id from
        hold_before seconds on for `hold` seconds: messages per second in each interval of hold_sample."""
        before, every = self.profile.hold_before, self.profile.hold_sample
        variables = {**(channels("z", ZIPF_CHANNELS) if zipf else channels(CHANNEL)),
                     "message": json.dumps(MESSAGE)}
        job = Job(self.url(database), f"sustained_{side}.sql", 8, variables, aggregate_seconds=every)
        with ThreadPoolExecutor(2) as pool:
            # One interval more than measured: pgbench may not log the last one of a run.
            running = pool.submit(self.run, job, seconds=before + hold + every)
            time.sleep(before)
            holder = pool.submit(self.sql, f"BEGIN; SELECT txid_current(); SELECT pg_sleep({hold}); COMMIT;",
                                 database)
            (result,) = running.result()
            holder.result()
        self.settle(database)  # the next run starts without this one's dead versions
        full = (before + hold) // every
        if len(result.intervals) < full:
            raise BenchError(f"(e) expected {full} intervals of {every} s, pgbench logged {result.intervals}")
        return [count / every for count in result.intervals[:full]]

    def held_horizon(self) -> tuple[list[Row], list[dict[str, Any]]]:
        """(e) 8 clients enqueue then dequeue, a level backlog, while a session holds a transaction id: the
        last hold_before seconds of the hold against the hold_before seconds before it, pgq and the baseline
        one after the other under the same conditions."""
        backlog, before = self.profile.level_backlog, self.profile.hold_before
        every = self.profile.hold_sample
        self.log(f"(e) loading {backlog:,} messages in c1 (database held) and over {ZIPF_CHANNELS:,} Zipf "
                 "channels (database heldz), in pgq and in the baseline")
        for side in SIDES:
            self.fill("held", side, f"{CHANNEL}1", backlog)
            self.fill_zipf("heldz", side, backlog)
        for database in ("held", "heldz"):
            self.settle(database)
        window = before // every
        rows, series = [], []
        places = (("held", False, "1 channel"), ("heldz", True, f"{ZIPF_CHANNELS:,} Zipf channels"))
        for number, hold in enumerate(self.profile.holds):
            # The longer holds (a pg_dump of a large database) on the one channel only: 11 minutes a side.
            for database, zipf, where in places if number == 0 else places[:1]:
                rates = {}
                for side in SIDES:
                    self.log(f"(e) {side}: 8 clients enqueue then dequeue on {where}, the horizon held for "
                             f"{hold} s after {before} s")
                    rates[side] = self.held_side(database, side, zipf, hold)
                for index, (ours, raw) in enumerate(zip(rates["pgq"], rates["raw"], strict=True)):
                    held = "held" if (index + 1) * every > before else ""
                    self.log(f"  t={(index + 1) * every:>5}s  pgq {ours:>8,.0f}  baseline {raw:>8,.0f} msgs/s"
                             f"  {held}")
                    series.append({"hold": hold, "channels": where, "t": (index + 1) * every, "pgq": ours,
                                   "baseline": raw, "held": bool(held)})

                def ratio(values: list[float]) -> tuple[float, float]:
                    return statistics.mean(values[-window:]), statistics.mean(values[:window])

                last, first = ratio(rates["pgq"])
                raw_last, raw_first = ratio(rates["raw"])
                row = Row(f"(e) held horizon, 8 clients enqueue then dequeue, {where}: last {before} s of a "
                          f"{hold} s hold vs the {before} s before", "msgs/s", last, first,
                          f"{before} s before",
                          note=f"baseline {raw_last / raw_first:.2f}x "
                               f"({raw_last:,.0f} vs {raw_first:,.0f} msgs/s)")
                rows.append(at_least(row, ratio=0.90))
        return rows, series

    def flight_side(self, side: str, ahead: int) -> Callable[[], Run]:
        """One run of 8 clients leasing then acking on channel f<ahead>x1, its ready backlog topped up
        first."""
        prefix = f"f{ahead}x"
        channel = f"{prefix}1"
        table = "pgq.queue" if side == "pgq" else "bench.raw_lease"

        def run() -> Run:
            ready = int(self.sql(f"SELECT count(*) FROM {table} WHERE channel = '{channel}'"
                                 " AND visible_at <= now()", "flight"))
            self.sql(f"SELECT {FLIGHT_FILL[side]}('{channel}', {max(0, self.profile.level_backlog - ready)})",
                     "flight")
            (result,) = self.run(self.job("flight", f"lease_ack_{side}.sql", 8, **channels(prefix)))
            return result
        return run

    def in_flight(self) -> list[Row]:
        """(f) 8 clients lease then ack, with 10,000 and 100,000 messages leased for an hour ahead of the
        first ready one, each against a channel with none; the baseline's ratio under the same conditions."""
        aheads = (0, *self.profile.in_flight)
        for ahead in aheads:
            self.log(f"(f) loading f{ahead}x1: {ahead:,} leased for an hour ahead of "
                     f"{self.profile.level_backlog:,} ready, in pgq and in the baseline")
            for side in SIDES:
                self.sql(f"SELECT {FLIGHT_FILL[side]}('f{ahead}x1', {ahead + self.profile.level_backlog})",
                         "flight")
        # Every channel's backlog in place before the ANALYZE: statistics that count a channel empty
        # (one filled after it) give pgq's dequeue and lease a plan that walks the whole channel once
        # per call (a nested loop over the channel's rows, joined to the one taken); the channel with
        # none ahead ran 40 lease-then-acks per second that way, against 300 beside it.
        self.sql("ANALYZE", "flight")
        for ahead in aheads[1:]:
            for side in SIDES:
                self.sql(f"SELECT bench.lease_ahead_{side}('f{ahead}x1', {ahead})", "flight")
        self.settle("flight")
        self.log("(f) pgq and the baseline, lease then ack, 8 clients, " +
                 ", ".join(f"{ahead:,}" for ahead in aheads) + " leased ahead")
        runs = dict(zip([(side, ahead) for side in SIDES for ahead in aheads],
                        interleave([self.flight_side(side, ahead) for side in SIDES for ahead in aheads],
                                   self.profile.repeats), strict=True))
        rows = []
        for ahead, target in zip(self.profile.in_flight, (0.90, 0.80), strict=True):
            raw = statistics.median(r.rate for r in runs["raw", ahead]) / statistics.median(
                r.rate for r in runs["raw", 0])
            row = compare(f"(f) lease then ack, 8 clients, {ahead:,} leased ahead vs none", "msgs/s",
                          runs["pgq", ahead], runs["pgq", 0], "none ahead")
            row.note = "; ".join(filter(None, [row.note, f"baseline {raw:.2f}x"]))
            rows.append(at_least(row, ratio=target))
        return rows

    def load_py(self) -> Row:
        count = self.profile.load_count
        self.log(f"support/load.py --count {count:,}")
        command = [sys.executable, str(REPO / "support" / "load.py"), "--url", gateway_url(self.url()),
                   "--channel", "loaded", "--count", str(count), "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"load.py failed:\n{done.stdout}{done.stderr}")
        row = Row(f"`support/load.py --count {count:,}`", "msgs/s", parse_load_rate(done.stdout))
        return at_least(row, rate=100_000)

    # ---------------------------------------------------------------- HTTP

    def k6(self, base_url: str, **env: str) -> dict[str, Any]:
        summary = self.workdir / f"k6-{time.monotonic_ns()}.json"
        command = [str(VENV_BIN / "k6"), "run", "--quiet", "--no-color", str(HERE / "load-test.js")]
        done = subprocess.run(command,
                              env={**os.environ, "BASE_URL": base_url, "SUMMARY": str(summary), **env},
                              capture_output=True, text=True, cwd=REPO)
        # 99: thresholds crossed. The summary is still written, and the caller judges it.
        if done.returncode not in (0, 99) or not summary.exists():
            raise BenchError(f"k6 {env} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        result: dict[str, Any] = json.loads(summary.read_text())
        return result

    def mix(self, base_url: str, connections: int = MIX_CONNECTIONS) -> dict[str, float]:
        """One closed-loop run of the 50/50 mix of POST /message and GET /queue/two."""
        return k6_figures(self.k6(base_url, SCENARIO="throughput", VUS=str(connections),
                                  DURATION=f"{self.profile.http_seconds}s"))

    def coalescer(self, served: Gateway) -> dict[str, dict[str, list[dict[str, float]]]]:
        """The mix on the gateway with the coalescer (`served`) and on one without (PGQ_COALESCE=false),
        A B at each of COALESCER_CONNECTIONS, repeats times: by connections, then "with" and "without"."""
        runs: dict[str, dict[str, list[dict[str, float]]]] = {
            str(connections): {"with": [], "without": []} for connections in COALESCER_CONNECTIONS}
        with serving(gateway_url(self.url()), self.log, PGQ_COALESCE="false") as plain:
            self.log(f"the coalescer: the mix with and without, at {COALESCER_CONNECTIONS} connections")
            for _ in range(self.profile.repeats):
                for connections in COALESCER_CONNECTIONS:
                    for side, app in (("with", served), ("without", plain)):
                        runs[str(connections)][side].append(self.mix(app.url, connections))
        return runs

    def profiled(self, served: Gateway) -> dict[str, Any]:
        """One more mix run while py-spy samples the app's worker processes: their top frames, from the
        samples of threads that hold the GIL (running Python, not waiting). The sampler takes CPU
        from the run, so its rate is not compared with anything."""
        stacks = self.workdir / f"py-spy-{served.pid}.txt"
        command = [str(VENV_BIN / "py-spy"), "record", "--pid", str(served.pid), "--subprocesses", "--gil",
                   "--nolineno", "--format", "raw", "--rate", "200",
                   "--duration", str(self.profile.http_seconds), "--output", str(stacks)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        run = self.mix(served.url)
        _, err = spy.communicate(timeout=60)
        if spy.returncode != 0 or not stacks.exists():
            raise BenchError(f"py-spy failed ({spy.returncode}):\n{err}")
        return {"run": run, **top_frames(stacks.read_text().splitlines(), supervisor=served.pid)}

    def http(self, profile_apps: bool = False) -> tuple[list[Row], dict[str, Any]]:
        profile = self.profile
        with serving(gateway_url(self.url()), self.log) as served, \
                serving(self.url(), self.log, app=MINIMAL_APP, probe="/queue/0.ready") as minimal:
            self.log(f"gateway vs the minimal app: 50/50 POST /message + GET /queue/two, "
                     f"{MIX_CONNECTIONS} connections")
            runs: dict[str, list[dict[str, float]]] = {"gateway": [], "minimal": []}
            for _ in range(profile.repeats):
                for side, app in (("gateway", served), ("minimal", minimal)):
                    runs[side].append(self.mix(app.url))
            row = versus_minimal(f"gateway (direct, {CORES} workers), POST /message + GET /queue/two, "
                                 f"{MIX_CONNECTIONS} connections", runs["gateway"], runs["minimal"])
            figures: dict[str, Any] = {"throughput": runs}
            if profile_apps:
                self.log("py-spy: one more mix run of each app, sampled")
                figures["profile"] = {"gateway": self.profiled(served), "minimal": self.profiled(minimal)}
                figures["coalescer"] = self.coalescer(served)

            self.log(f"gateway: the original app's load test, 100 req/s for {profile.spec_seconds} s")
            spec = k6_figures(self.k6(served.url, SCENARIO="spec", RATE="100",
                                      DURATION=f"{profile.spec_seconds}s"))
            spec_row = Row(f"the original app's load test, 100 req/s for {profile.spec_seconds} s", "req/s",
                           spec["rate"], p50=spec["p50"], p95=spec["p95"], p99=spec["p99"],
                           note=f"{int(spec['failed'])} failures")
            judge(spec_row, "p95 < 10 ms, 0 failures", spec["p95"] < 10 and spec["failed"] == 0)

            self.log(f"gateway: the knee, arrival rate stepped through {profile.knee_rates}")
            knee = self.k6(served.url, SCENARIO="knee", KNEE_RATES=profile.knee_rates,
                           KNEE_STEP=profile.knee_step)["knee"]
            knee_row = Row("knee: highest arrival rate with p99 < 50 ms, 0 errors", "req/s", knee["rate"],
                           note="above every step tried" if knee["rate"] == knee["steps"][-1]["rate"] else "")
        return [row, spec_row, knee_row], {**figures, "spec": spec, "knee": knee}


@contextmanager
def serving(database_url: str, log: Callable[[str], None], app: str = APP, probe: str = "/readyz",
            **env: str) -> Iterator[Gateway]:
    """An app served as the gateway is, uvicorn with one worker per core, until the block ends."""
    with running_gateway("--workers", str(CORES), "--no-access-log", app=app, probe=probe,
                         PGQ_DATABASE_URL=database_url, **env) as served:
        log(f"{app} up on {served.url}")
        yield served


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
    cli.add_argument("--only", choices=["sql", "http", "head", "groups", "calls"],
                     help="run only this part: the SQL scenarios (pgbench), the gateway under k6, the "
                          "head's scenarios (e) and (f), the ordered groups' (g), or the single calls' "
                          "rows (enqueue, enqueue_batch, dequeue)")
    cli.add_argument("--profile", action="store_true",
                     help="sample the gateway and the minimal app with py-spy, one more mix run each, "
                          "and run the mix with the coalescer and without")
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
            bench = Bench(profile, cluster.url_for, Path(workdir), log)
            rows: list[Row] = []
            intervals: list[dict[str, float]] = []
            held: list[dict[str, Any]] = []
            http: dict[str, Any] = {}
            if args.only != "http":
                bench.prepare()
            if args.only in (None, "sql", "calls"):
                rows += [*bench.enqueue(), bench.enqueue_batch(), *bench.dequeue()]
            if args.only in (None, "sql"):
                rows += [*bench.zipf(), *bench.groups()]
                sustained, intervals = bench.sustained()
                rows += [sustained, bench.load_py()]
            if args.only == "groups":
                rows += bench.groups()
            if args.only in (None, "sql", "head"):
                held_rows, held = bench.held_horizon()
                rows += [*held_rows, *bench.in_flight()]
            if args.only in (None, "http"):
                http_rows, http = bench.http(profile_apps=args.profile)
                rows += http_rows
            info = machine(url)
            report = {"profile": asdict(profile), "machine": info, "server_settings": SERVER_SETTINGS,
                      "started": began.isoformat(timespec="seconds"),
                      "seconds": round(time.monotonic() - started),
                      "rows": [{**asdict(row), "ratio": row.ratio} for row in rows],
                      "targets": targets(rows), "sustained": intervals, "held_horizon": held, "http": http}
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
    except (BenchError, GatewayNotReady) as error:
        sys.exit(f"bench: {error}")
