"""The bench harness measures what it says: minimal baselines, scripts that do their scenario's
work through pgq's public API, every transaction counted, percentiles and targets computed right,
k6 summaries and the knee read right. Nothing here asserts on speed."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from performance import minimal_app
from performance.bench import (
    CHANNEL,
    COALESCER_CONNECTIONS,
    FULL,
    MESSAGE,
    MIX_CONNECTIONS,
    QUEUE,
    QUICK,
    ZIPF_CHANNELS,
    Bench,
    Profile,
)
from performance.harness import (
    SQL,
    BenchError,
    Job,
    Row,
    Run,
    aggregate_counts,
    at_least,
    channels,
    compare,
    k6_figures,
    log_latencies_ms,
    parse_load_rate,
    parse_tps,
    percentile,
    run_together,
    table,
    targets,
    top_frames,
    versus_minimal,
)
from support.localpg import psql

Conn = psycopg.Connection[tuple[object, ...]]
# Small enough for a test: a second per run, one round, a few thousand messages.
TINY = Profile("tiny", seconds=1, repeats=1, backlog=5_000, sustained_seconds=4, sample_seconds=2,
               load_count=1_000, http_seconds=1, spec_seconds=1, knee_step="1s", knee_rates="10,20",
               level_backlog=20_000, hold_before=2, holds=(2,), hold_sample=1, in_flight=(100, 1_000))
ZIPF = channels("z", ZIPF_CHANNELS)


@pytest.fixture
def bench(admin_url: str, tmp_path: Path) -> Bench:
    """Every database the bench names is this test's own database."""
    psql(admin_url, (SQL / "setup.sql").read_text())
    return Bench(TINY, lambda _: admin_url, tmp_path, log=lambda _: None)


def count(admin: Conn, query: str, *params: object) -> int:
    row = admin.execute(query, params).fetchone()
    assert row is not None
    return int(str(row[0]))


def per_channel(admin: Conn, query: str) -> dict[str, int]:
    """channel -> count, from a query of two columns."""
    return {str(channel): int(str(number)) for channel, number in admin.execute(query)}


def depths(admin: Conn) -> dict[str, int]:
    return per_channel(admin, "SELECT channel, depth FROM pgq.stats()")


def ids(admin: Conn, query: str) -> list[int]:
    return [int(str(row[0])) for row in admin.execute(query)]


def consumed(admin: Conn) -> int:
    return count(admin, "SELECT coalesce(sum(consumed), 0) FROM pgq.stats()")


# ---------------------------------------------------------------- the baselines


def test_baselines_are_minimal_tables_owing_nothing_to_pgq(bench: Bench, admin: Conn) -> None:
    columns = {table: admin.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (table,)
    ).fetchall() for table in ("bench.raw_queue", "bench.raw_archive")}
    message = [("id", "bigint"), ("channel", "text"), ("message", "jsonb"),
               ("created_at", "timestamp with time zone")]
    assert columns["bench.raw_queue"] == message
    assert columns["bench.raw_archive"] == [*message, ("consumed_at", "timestamp with time zone")]
    indexes = admin.execute("SELECT indrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                            "WHERE indrelid IN ('bench.raw_queue'::regclass, 'bench.raw_archive'::regclass)"
                            ).fetchall()
    assert len(indexes) == 1 and indexes[0][0] == "bench.raw_queue"
    assert str(indexes[0][1]).endswith("USING btree (channel, id)")
    # No CHECK, no trigger, no storage option, nothing that refers to the broker's schema.
    assert admin.execute("SELECT conname FROM pg_constraint WHERE contype <> 'p' AND conrelid IN "
                         "('bench.raw_queue'::regclass, 'bench.raw_archive'::regclass)").fetchall() == []
    assert admin.execute("SELECT tgname FROM pg_trigger WHERE tgrelid IN "
                         "('bench.raw_queue'::regclass, 'bench.raw_archive'::regclass)").fetchall() == []
    assert admin.execute("SELECT relname FROM pg_class WHERE reloptions IS NOT NULL AND relnamespace = "
                         "'bench'::regnamespace").fetchall() == []
    assert admin.execute(
        "SELECT DISTINCT refobjid::regclass::text FROM pg_depend WHERE classid = 'pg_class'::regclass "
        "AND objid IN ('bench.raw_queue'::regclass, 'bench.raw_archive'::regclass) "
        "AND refclassid = 'pg_class'::regclass AND refobjid <> objid").fetchall() == []
    statements = [line for path in SQL.glob("*_raw.sql") for line in path.read_text().splitlines()
                  if not line.startswith("--")]
    assert statements and not [line for line in statements if "pgq." in line]


def test_scripts_write_pgq_through_its_public_api_only() -> None:
    for path in SQL.glob("*.sql"):
        text = path.read_text()
        assert not re.search(r"(INSERT INTO|UPDATE|DELETE FROM)\s+pgq\.", text, re.I), path.name


# ---------------------------------------------------------------- the scripts, on a real cluster


@pytest.mark.parametrize("side", ["pgq", "raw", "floor"])
def test_enqueue_scripts_spread_messages_over_channels_by_zipfs_law(
    bench: Bench, admin: Conn, side: str
) -> None:
    job = Job(bench.url(), f"enqueue_{side}.sql", 2, {**ZIPF, "message": json.dumps(MESSAGE)})
    (run,) = run_together([job], bench.workdir, transactions=300)
    assert run.failed == 0 and len(run.latencies) == 600
    table = "pgq.queue" if side == "pgq" else "bench.raw_queue"
    counts = per_channel(admin, f"SELECT channel, count(*) FROM {table} GROUP BY channel")
    assert sum(counts.values()) == 600
    assert all(re.fullmatch(r"z[1-9][0-9]*", name) and int(name[1:]) <= ZIPF_CHANNELS for name in counts)
    # Zipf, exponent 1.1: z1 draws about 18% of the calls, z2 8%, and the long tail the rest.
    assert max(counts, key=lambda name: counts[name]) == "z1"
    assert 40 < counts["z1"] < 200 and len(counts) > 50


@pytest.mark.parametrize("take", [1, 100])
def test_dequeue_scripts_take_a_channels_oldest_messages_and_archive_them(
    bench: Bench, admin: Conn, take: int
) -> None:
    for side in ("pgq", "raw"):
        bench.fill("bench", side, "other", 300)  # older messages of another channel stay put
        bench.fill("bench", side, f"{CHANNEL}1", 1_000)
    pgq_next = ids(admin, f"SELECT id FROM pgq.peek('c1', skip => {4 * take}, take => 1)")
    raw_ids = ids(admin, "SELECT id FROM bench.raw_queue WHERE channel = 'c1' ORDER BY id")
    for side, archive in (("pgq", None), ("raw", "bench.raw_archive")):
        job = Job(bench.url(), f"dequeue_{side}.sql", 2, {**channels(CHANNEL), "take": str(take)})
        (run,) = run_together([job], bench.workdir, transactions=2)
        assert run.failed == 0
        assert bench.depth("bench", side, f"{CHANNEL}1") == 1_000 - 4 * take
        assert bench.depth("bench", side, "other") == 300
        if archive is None:
            assert consumed(admin) == 4 * take
            assert ids(admin, "SELECT id FROM pgq.peek('c1', take => 1)") == pgq_next
        else:
            archived = ids(admin, f"SELECT id FROM {archive} ORDER BY id")
            assert archived == raw_ids[:4 * take]


def test_dequeue_scripts_on_empty_channels_move_nothing(bench: Bench, admin: Conn) -> None:
    for side in ("pgq", "raw"):
        bench.fill("bench", side, f"{CHANNEL}1", 100)
        job = Job(bench.url(), f"dequeue_{side}.sql", 2, {**channels("e", 1000), "take": "1"})
        (run,) = run_together([job], bench.workdir, transactions=50)
        assert run.failed == 0 and len(run.latencies) == 100
        assert bench.depth("bench", side, f"{CHANNEL}1") == 100
    assert consumed(admin) == 0
    assert count(admin, "SELECT count(*) FROM bench.raw_archive") == 0


def test_enqueue_batch_scripts_insert_the_same_hundred_messages_in_order(bench: Bench, admin: Conn) -> None:
    batch = json.dumps([{"seq": n} for n in range(100)])
    for side, queue in (("pgq", "pgq.queue"), ("raw", "bench.raw_queue")):
        job = Job(bench.url(), f"enqueue_batch_{side}.sql", 1, {"prefix": CHANNEL, "batch": batch})
        (run,) = run_together([job], bench.workdir, transactions=3)
        rows = admin.execute(f"SELECT channel, message->'seq' FROM {queue} ORDER BY id").fetchall()
        assert len(rows) == 300 and len(run.latencies) == 3
        assert rows[:100] == [(f"{CHANNEL}1", seq) for seq in range(100)]


def test_sustained_script_keeps_every_channels_backlog_level(bench: Bench, admin: Conn) -> None:
    bench.fill_zipf("bench", "pgq", 5_000)
    before = depths(admin)
    assert len(before) == ZIPF_CHANNELS and abs(sum(before.values()) - 5_000) <= ZIPF_CHANNELS / 2  # rounding
    # Every channel has its Zipf share, however small: the tail is not empty.
    assert before["z1"] > before["z2"] > before["z1000"] > 0
    job = Job(bench.url(), "sustained_pgq.sql", 1, {**ZIPF, "message": json.dumps(MESSAGE)})
    (run,) = run_together([job], bench.workdir, transactions=200)
    assert run.failed == 0
    assert consumed(admin) == 200
    assert depths(admin) == before


def test_wal_per_call_tells_writes_from_empty_polls(bench: Bench) -> None:
    message = json.dumps(MESSAGE)
    (insert,) = bench.run(bench.job("bench", "enqueue_raw.sql", 1, **channels(CHANNEL), message=message),
                          transactions=200)
    (poll,) = bench.run(bench.job("bench", "dequeue_raw.sql", 1, **channels("e", 1000), take="1"),
                        transactions=200)
    assert insert.transactions == poll.transactions == 200
    assert insert.wal_per_transaction and insert.wal_per_transaction > 100  # a row, an index entry, a commit
    assert poll.wal_per_transaction is not None and poll.wal_per_transaction < 20  # nothing to write


def test_compare_takes_medians_and_wal_per_message() -> None:
    pgq = [Run(100, [1.0, 2.0], transactions=500, wal_bytes=500 * 400.0), Run(300, [3.0]),
           Run(200, transactions=1000, wal_bytes=1000 * 600.0)]
    baseline = [Run(400, transactions=10, wal_bytes=10 * 200.0)] * 3
    row = compare("s", "msgs/s", pgq, baseline, "INSERT", messages_per_run=2)
    assert (row.value, row.baseline, row.ratio) == (400, 800, 0.5)
    assert (row.p50, row.p99) == (2.0, 3.0)
    assert row.wal_per_message == {}  # one pgq run had no WAL figure: no median of two out of three
    pgq[1] = Run(300, [3.0], transactions=100, wal_bytes=100 * 1000.0)
    row = compare("s", "msgs/s", pgq, baseline, "INSERT", messages_per_run=2)
    assert row.wal_per_message == {"pgq": 300, "baseline": 100}
    assert row.note == "WAL per msg 300 B vs 100 B"
    polls = [Run(100, transactions=10, wal_bytes=0.0)]
    row = compare("s", "polls/s", polls, polls, "DELETE+archive")
    assert row.wal_per_message == {"pgq": 0, "baseline": 0} and row.note == "WAL per poll 0 B vs 0 B"


# ---------------------------------------------------------------- the scenarios' own logic


def test_a_run_that_drains_the_backlog_stops_the_bench(bench: Bench) -> None:
    drains = bench.dequeue_side("bench", "raw", 2, 100)  # 5,000 messages last well under a second
    with pytest.raises(BenchError, match="drained the 5,000 backlog"):
        drains()


def test_every_dequeue_run_starts_from_a_vacuumed_queue(bench: Bench, admin: Conn) -> None:
    """Dead tuples left by earlier runs would slow the side whose table autovacuum leaves alone."""
    vacuums = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = %s::regclass"
    before = {side: count(admin, vacuums, table) for side, table in QUEUE.items()}
    for side in QUEUE:
        bench.dequeue_side("bench", side, 1, 1)()
    admin.execute("SELECT pg_stat_clear_snapshot()")
    after = {side: count(admin, vacuums, table) - before[side] for side, table in QUEUE.items()}
    assert after == {"pgq": 1, "raw": 1}


def test_zipf_scenario_counts_consumed_messages_on_both_sides(bench: Bench, admin: Conn) -> None:
    dequeue, enqueue = bench.zipf()
    for row in (dequeue, enqueue):
        assert row.runs["pgq"][0] > 0 and row.runs["baseline"][0] > 0
    archived = count(admin, "SELECT count(*) FROM bench.raw_archive")
    assert dequeue.runs["baseline"] == [archived / TINY.seconds]
    assert dequeue.runs["pgq"] == [consumed(admin) / TINY.seconds]
    assert dequeue.target == "ratio ≥ 0.90" and enqueue.met is None


def test_sustained_scenario_reports_the_first_and_last_interval(bench: Bench) -> None:
    row, intervals = bench.sustained()
    assert [interval["t"] for interval in intervals] == [2, 4]
    assert row.baseline == intervals[0]["messages_per_s"] > 0
    assert row.value == intervals[-1]["messages_per_s"] > 0
    depth = re.search(r"depth ([\d,]+) → ([\d,]+)", row.note)
    assert depth, row.note
    before, after = (int(number.replace(",", "")) for number in depth.groups())
    assert before >= 5_000 and abs(after - before) <= 8  # level, but for a race per client at most
    assert row.target == "ratio ≥ 0.90"


def test_held_horizon_scenario_reports_both_sides_interval_by_interval(bench: Bench) -> None:
    rows, series = bench.held_horizon()
    assert [row.target for row in rows] == ["ratio ≥ 0.90"] * 2
    assert all(row.value > 0 and row.baseline and "baseline" in row.note for row in rows)
    places = ("1 channel", f"{ZIPF_CHANNELS:,} Zipf channels")
    assert [(point["channels"], point["t"], point["held"]) for point in series] == [
        (where, t, t > 2) for where in places for t in (1, 2, 3, 4)]
    # An interval of a loaded machine may move nothing; each side moves messages over the run.
    assert all(point["pgq"] >= 0 and point["baseline"] >= 0 for point in series)
    assert sum(point["pgq"] for point in series) > 0 and sum(point["baseline"] for point in series) > 0


def test_in_flight_scenario_compares_leased_ahead_with_none(bench: Bench, admin: Conn) -> None:
    rows = bench.in_flight()
    assert [row.target for row in rows] == ["ratio ≥ 0.90", "ratio ≥ 0.80"]
    assert all(row.value > 0 and row.baseline and "baseline" in row.note for row in rows)
    leased = admin.execute("SELECT channel, count(*) FROM pgq.queue"
                           " WHERE visible_at > now() + interval '1 minute' GROUP BY 1 ORDER BY 1").fetchall()
    assert leased == [("f1000x1", 1_000), ("f100x1", 100)], "the messages ahead stay leased for the hour"
    # Analysed with every backlog in place: statistics that count the channel with none ahead empty give
    # dequeue and lease a plan that walks the whole channel on every call.
    analysed = admin.execute("SELECT tablename, most_common_vals::text::text[] FROM pg_stats"
                             " WHERE schemaname || '.' || tablename IN ('pgq.queue', 'bench.raw_lease')"
                             " AND attname = 'channel' ORDER BY 1").fetchall()
    seen = [table for table, common in analysed if isinstance(common, list) and "f0x1" in common]
    assert seen == ["queue", "raw_lease"]


# ---------------------------------------------------------------- latencies and percentiles


def test_logged_latencies_are_milliseconds_of_each_transaction(bench: Bench, tmp_path: Path) -> None:
    """Client 0's transactions take no time, client 1's at least 200 ms: p50 is client 0's, p95
    and p99 client 1's. A wrong field, unit or percentile moves one of them across 200 ms."""
    script = tmp_path / "sleep.sql"
    script.write_text("SELECT pg_sleep(:client_id * 0.2);\n")
    (run,) = run_together([Job(bench.url(), str(script), 2, {})], bench.workdir, transactions=10)
    assert len(run.latencies) == 20
    assert percentile(run.latencies, 50) < 200 <= percentile(run.latencies, 95)
    assert 200 <= percentile(run.latencies, 99) < 2_000


def test_pgbench_text_and_logs() -> None:
    stdout = "number of failed transactions: 3 (0.1%)\nlatency average = 1.2 ms\n" \
             "tps = 1234.5678 (without initial connection time)\n"
    assert parse_tps(stdout) == 1234.5678
    log = ["0 1 250 0 1700000000 1", "1 1 failed 0 1700000000 2", "0 2 1500 0 1700000000 3", ""]
    assert log_latencies_ms(iter(log)) == [0.25, 1.5]


def test_aggregate_counts_add_threads_interval_by_interval() -> None:
    thread0 = ["1700000000 120 5 5 1 9 0", "1700000030 100 5 5 1 9 0", "1700000060 3 1 1 1 1 0", ""]
    thread1 = ["1700000001 80 5 5 1 9 0", "1700000031 90 5 5 1 9 0"]
    assert aggregate_counts([thread0, thread1]) == [200, 190, 3]


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(100, 0, -1)]
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_load_py_rate() -> None:
    assert parse_load_rate("loaded 1,000,000 messages into 'two' in 6.01 s: 166,389 msgs/s\n") == 166_389


# ---------------------------------------------------------------- targets and the table


@pytest.mark.parametrize(("value", "baseline", "ratio", "rate", "met"), [
    (900, 1000, 0.90, None, True),  # exactly on the target
    (899, 1000, 0.90, None, False),
    (900, None, 0.90, None, False),  # nothing to compare with: missed, not met by default
    (100_000, None, None, 100_000, True),
    (99_999, None, None, 100_000, False),
    (120_000, 100_000, 0.90, 100_000, True),
    (120_000, 200_000, 0.90, 100_000, False),  # the rate alone does not make it
    (80_000, 80_000, 0.90, 100_000, False),  # nor the ratio alone
])
def test_targets_are_met_only_at_or_above_every_bound(
    value: float, baseline: float | None, ratio: float | None, rate: float | None, met: bool
) -> None:
    row = at_least(Row("s", "msgs/s", value, baseline), ratio=ratio, rate=rate)
    assert row.met is met


def test_target_texts_and_the_results_json() -> None:
    rows = [at_least(Row("a", "msgs/s", 900, 1000, "INSERT"), ratio=0.85),
            at_least(Row("b", "msgs/s", 150_000), rate=100_000),
            Row("c", "req/s", 5)]
    assert [row.target for row in rows] == ["ratio ≥ 0.85", "≥ 100,000 msgs/s", ""]
    assert targets(rows) == [
        {"scenario": "a", "target": "ratio ≥ 0.85", "value": 900, "unit": "msgs/s", "baseline": 1000,
         "baseline_name": "INSERT", "ratio": 0.9, "met": True},
        {"scenario": "b", "target": "≥ 100,000 msgs/s", "value": 150_000, "unit": "msgs/s", "baseline": None,
         "baseline_name": "", "ratio": None, "met": True}]
    with pytest.raises(ValueError, match="needs a ratio"):
        at_least(rows[2])


def test_table_marks_misses_and_ratios() -> None:
    rows = [Row("a", "msgs/s", 900, 1000, "INSERT", p50=0.5, target="ratio ≥ 0.95", met=False),
            Row("b", "req/s", 100, note="0 failures", target="p95 < 10 ms", met=True)]
    lines = table(rows).splitlines()
    assert lines[2] == "| a | 900 msgs/s | 1,000 INSERT | 0.90 | 0.50 | - | - | ratio ≥ 0.95 | **missed** |"
    assert lines[3].endswith("| p95 < 10 ms | met (0 failures) |")


def test_sustained_profiles_compare_two_distinct_intervals() -> None:
    assert (FULL.sustained_seconds, FULL.sample_seconds) == (300, 30)  # 5 minutes, last 30 s vs first 30 s
    for profile in (FULL, QUICK):
        assert profile.sustained_seconds >= 2 * profile.sample_seconds  # else first and last are one interval


# ---------------------------------------------------------------- k6


class Stub(BaseHTTPRequestHandler):
    """Answers like the gateway's routes, but: with failing_step set, every request of that knee
    step gets failing_status, or waits slow_seconds if that is 0; without it, every POST gets
    failing_status. With slow_every set, every slow_every-th request waits slow_seconds."""

    failing_step = ""
    failing_status = 0
    slow_seconds = 0.0
    slow_every = 0
    served = 0
    lock = threading.Lock()

    def answer(self, status: int) -> None:
        with Stub.lock:
            Stub.served += 1
            slow = bool(Stub.slow_every) and Stub.served % Stub.slow_every == 0
        if not Stub.failing_step:
            if Stub.failing_status and self.command == "POST":
                status = Stub.failing_status
        elif self.headers.get("X-Knee-Step") == Stub.failing_step:
            status, slow = Stub.failing_status or status, slow or not Stub.failing_status
        if slow:
            time.sleep(Stub.slow_seconds)
        self.send_response(status)
        self.end_headers()

    def do_GET(self) -> None:
        self.answer(204)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.answer(201)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    Stub.failing_step, Stub.failing_status, Stub.slow_seconds, Stub.slow_every, Stub.served = "", 0, 0.0, 0, 0


def test_k6_summary_counts_204_as_success_and_reads_each_percentile(bench: Bench, stub: str) -> None:
    """Every 5th request takes 400 ms, the others next to nothing: the median is a fast one,
    p95 and p99 are slow ones. Reading the mean, or the wrong percentile, crosses a bound."""
    Stub.slow_every, Stub.slow_seconds = 5, 0.4
    figures = k6_figures(bench.k6(stub, SCENARIO="spec", RATE="20", DURATION="2s"))
    assert figures["requests"] >= 30
    assert figures["failed"] == 0
    assert figures["p50"] < 40
    assert 400 <= figures["p95"] <= figures["p99"] < 2_000


def test_k6_counts_failures(bench: Bench, stub: str) -> None:
    Stub.failing_status = 503  # on every POST; GETs answer 204, a success
    figures = k6_figures(bench.k6(stub, SCENARIO="throughput", VUS="2", DURATION="1s"))
    assert 0 < figures["failed"] < figures["requests"]


@pytest.mark.parametrize(("status", "why"), [(503, "failed"), (0, "p99")])
def test_knee_stops_at_the_first_failing_step(bench: Bench, stub: str, status: int, why: str) -> None:
    """The middle step fails (503s, or a p99 over 50 ms) and the one above it passes: the knee
    is the step below the failure, not the highest passing step."""
    Stub.failing_step, Stub.failing_status, Stub.slow_seconds = "20", status, 0.08
    knee = bench.k6(stub, SCENARIO="knee", KNEE_RATES="10,20,30", KNEE_STEP="1s")["knee"]
    assert [step["ok"] for step in knee["steps"]] == [True, False, True]
    failing = knee["steps"][1]
    assert failing["failed"] > 0 if why == "failed" else failing["p99_ms"] >= 80
    assert knee["rate"] == 10


def test_knee_is_zero_when_the_first_step_fails(bench: Bench, stub: str) -> None:
    Stub.failing_step, Stub.failing_status = "10", 503
    knee = bench.k6(stub, SCENARIO="knee", KNEE_RATES="10,20", KNEE_STEP="1s")["knee"]
    assert [step["ok"] for step in knee["steps"]] == [False, True]
    assert knee["rate"] == 0


def test_knee_is_the_top_step_when_every_step_passes(bench: Bench, stub: str) -> None:
    knee = bench.k6(stub, SCENARIO="knee", KNEE_RATES="10,20", KNEE_STEP="1s")["knee"]
    assert knee["rate"] == 20
    assert all(step["ok"] and step["requests"] > 0 for step in knee["steps"])


# ---------------------------------------------------------------- the gateway's baseline


def test_minimal_app_is_at_most_50_lines_and_runs_the_baseline_scripts_statements() -> None:
    assert len(Path(minimal_app.__file__).read_text().splitlines()) <= 50
    assert minimal_app.INSERT.startswith("INSERT INTO bench.raw_queue (channel, message) VALUES ($1, $2)")
    assert minimal_app.MOVE.startswith("WITH next AS") and "LIMIT 1\n" in minimal_app.MOVE
    assert ":" not in minimal_app.MOVE.replace("::", ""), "a pgbench variable left in the statement"


def test_minimal_app_moves_messages_through_the_minimal_tables(
    admin_url: str, admin: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    psql(admin_url, (SQL / "setup.sql").read_text())
    monkeypatch.setenv("PGQ_DATABASE_URL", admin_url)
    with TestClient(minimal_app.create_app()) as client:
        posted = [client.post("/message", json={"channel": "two", "message": {"seq": seq, "n": 1.50}})
                  for seq in range(2)]
        assert [answer.status_code for answer in posted] == [201, 201]
        first = client.get("/queue/two")
        assert first.status_code == 200
        assert first.json()["id"] == posted[0].json()["id"] and first.json()["channel"] == "two"
        assert b'"message":{"n": 1.5, "seq": 0}' in first.content  # jsonb's own text, passed through
        assert client.get("/queue/other").status_code == 204
    posts = REGISTRY.get_sample_value("http_requests_total", {"handler": "/message", "method": "POST",
                                                              "status": "201"})
    assert posts == 2, "the gateway's HTTP metrics"
    assert count(admin, "SELECT count(*) FROM bench.raw_archive WHERE channel = 'two'") == 1
    assert count(admin, "SELECT count(*) FROM bench.raw_queue") == 1
    assert count(admin, "SELECT count(*) FROM pgq.queue") == 0


def mix(rate: float, p99: float = 10.0, failed: int = 0) -> dict[str, float]:
    return {"rate": rate, "requests": rate, "failed": failed, "p50": 1.0, "p95": p99 / 2, "p99": p99}


@pytest.mark.parametrize(("gateway", "met"), [
    ([mix(850), mix(100), mix(900)], True),  # the median, exactly on the ratio
    ([mix(849), mix(900), mix(800)], False),
    ([mix(900, p99=49.9), mix(900, p99=60), mix(900, p99=10)], True),  # the median run's p99
    ([mix(900, p99=50), mix(900, p99=60), mix(900, p99=10)], False),
    ([mix(900), mix(900, failed=1), mix(900)], False),  # one error in any run
])
def test_the_gateway_mix_is_judged_against_the_minimal_app(
    gateway: list[dict[str, float]], met: bool
) -> None:
    minimal = [mix(1000), mix(2000), mix(500, failed=3)]
    row = versus_minimal("mix", gateway, minimal)
    assert row.baseline == 1000 and row.baseline_name == "minimal app"
    assert row.target == "ratio ≥ 0.85, p99 < 50 ms, 0 errors" and row.met is met
    assert row.note.endswith("minimal app p99 10.0 ms, 3 errors")
    assert row.runs == {"gateway": [run["rate"] for run in gateway], "minimal": [1000, 2000, 500]}


def test_top_frames_count_own_time_per_function_and_package_and_total_time_in_our_code() -> None:
    repo = str(SQL.parent.parent)
    worker = 'process 11:"python -m uvicorn --workers 2";process 12:"python -m uvicorn --workers 2"'
    other = 'process 11:"python -m uvicorn --workers 2";process 13:"python -m uvicorn --workers 2"'
    raw = [
        f"{worker};run (uvloop/__init__.py);handle ({repo}/gateway/app.py);"
        "fetchval (/x/.venv/lib/python3.11/site-packages/asyncpg/connection.py) 6",
        f"{worker};run (uvloop/__init__.py);handle ({repo}/gateway/app.py) 2",
        f"{other};run (uvloop/__init__.py);loads (/usr/lib/python3.11/json/__init__.py) 1",
        f"{other};run (uvloop/__init__.py);dumps (/usr/lib/python3.11/json/__init__.py) 1",
        'process 11:"python -m uvicorn --workers 2";_recv (/usr/lib/python3.11/multiprocessing/x.py) 90',
        "",
    ]
    frames = top_frames(raw, top=2, supervisor=11)
    assert frames["samples"] == 10
    assert frames["own"] == [["fetchval (asyncpg/connection.py)", 60.0], ["handle (gateway/app.py)", 20.0]]
    assert frames["packages"] == [["asyncpg", 60.0], ["gateway", 20.0]]  # json's 20% ties, and sorts later
    assert frames["total"] == [["handle (gateway/app.py)", 80.0]]  # uvloop and asyncpg are not our code


def test_http_scenario_runs_the_gateway_and_the_minimal_app_alike_and_profiles_both(bench: Bench) -> None:
    rows, figures = bench.http(profile_apps=True)
    mix_row = rows[0]
    assert f"{MIX_CONNECTIONS} connections" in mix_row.scenario and mix_row.baseline_name == "minimal app"
    runs = figures["throughput"]
    assert len(runs["gateway"]) == len(runs["minimal"]) == TINY.repeats
    assert all(run["requests"] > 0 and run["failed"] == 0 for side in runs.values() for run in side)
    gateway, minimal = figures["profile"]["gateway"], figures["profile"]["minimal"]
    assert gateway["samples"] > 0 and minimal["samples"] > 0
    assert any("gateway/" in frame for frame, _ in gateway["total"]), gateway["total"]
    assert any("performance/minimal_app.py" in frame for frame, _ in minimal["total"]), minimal["total"]
    assert not any("gateway/db" in frame for frame, _ in minimal["total"]), minimal["total"]
    coalescer = figures["coalescer"]
    assert list(coalescer) == [str(connections) for connections in COALESCER_CONNECTIONS]
    for sides in coalescer.values():
        assert list(sides) == ["with", "without"]
        assert all(len(side) == TINY.repeats for side in sides.values())
        assert all(run["requests"] > 0 and run["failed"] == 0 for side in sides.values() for run in side)
