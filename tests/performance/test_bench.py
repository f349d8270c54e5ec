"""The bench harness measures what it says: baselines on identical tables, every
transaction counted, k6 summaries read right. Nothing here asserts on speed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from performance.bench import (
    CHANNEL,
    MESSAGE,
    QUICK,
    SQL,
    Bench,
    Row,
    interval_rates,
    k6_figures,
    log_latencies_ms,
    parse_load_rate,
    parse_tps,
    percentile,
    table,
)
from support.localpg import psql

Conn = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def bench(admin_url: str, tmp_path: Path) -> Bench:
    psql(admin_url, (SQL / "setup.sql").read_text())
    return Bench(QUICK, admin_url, tmp_path, log=lambda _: None)


def definition(admin: Conn, table_name: str) -> dict[str, object]:
    """Columns, constraints, index shapes and storage options, without the table's name."""
    oid = admin.execute("SELECT %s::regclass::oid", (table_name,)).fetchone()
    assert oid is not None
    columns = admin.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull, attidentity, attcollation, "
        "pg_get_expr(adbin, adrelid) FROM pg_attribute "
        "LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum", oid).fetchall()
    checks = admin.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s "
                           "ORDER BY 1", oid).fetchall()
    indexes = admin.execute("SELECT regexp_replace(pg_get_indexdef(indexrelid), '^.* USING ', '') "
                            "FROM pg_index WHERE indrelid = %s ORDER BY 1", oid).fetchall()
    options = admin.execute("SELECT reloptions FROM pg_class WHERE oid = %s", oid).fetchall()
    return {"columns": columns, "checks": checks, "indexes": indexes, "options": options}


@pytest.mark.parametrize(("broker", "baseline"), [("pgq.queue", "bench.raw_queue"),
                                                  ("pgq.archive", "bench.raw_archive")])
def test_baseline_tables_are_identical_to_the_brokers(bench: Bench, admin: Conn, broker: str,
                                                      baseline: str) -> None:
    assert definition(admin, baseline) == definition(admin, broker)


def test_every_enqueue_transaction_is_one_message_and_one_logged_latency(bench: Bench, admin: Conn) -> None:
    variables = {"channel": CHANNEL, "message": json.dumps(MESSAGE)}
    pgq = bench.pgbench("enqueue_pgq.sql", 2, variables, seconds=1)
    raw = bench.pgbench("enqueue_raw.sql", 2, variables, seconds=1)
    for run, table_name in ((pgq, "pgq.queue"), (raw, "bench.raw_queue")):
        assert run.rate > 0 and run.failed == 0
        assert admin.execute(f"SELECT count(*) FROM {table_name}").fetchone() == (len(run.latencies),)
        assert 0 < percentile(run.latencies, 50) <= percentile(run.latencies, 99)
    stored = admin.execute("SELECT DISTINCT message FROM bench.raw_queue").fetchall()
    assert stored == [(MESSAGE,)]


@pytest.mark.parametrize("take", [1, 100])
def test_dequeue_baseline_moves_messages_to_its_archive_like_pgq(
    bench: Bench, admin: Conn, take: int
) -> None:
    backlog = 20_000 if take == 1 else 200_000  # more than a second of dequeues drains here
    for script, queue, archive in (("dequeue_pgq.sql", "pgq.queue", "pgq.archive"),
                                   ("dequeue_raw.sql", "bench.raw_queue", "bench.raw_archive")):
        bench.top_up(queue, backlog)
        assert admin.execute(f"SELECT count(*) FROM {queue}").fetchone() == (backlog,)
        run = bench.pgbench(script, 2, {"channel": CHANNEL, "take": str(take)}, seconds=1)
        row = admin.execute(f"SELECT count(*) FROM {archive}").fetchone()
        assert row is not None
        (archived,) = row
        assert archived == len(run.latencies) * take
        assert admin.execute(f"SELECT count(*) FROM {queue} q JOIN {archive} a USING (id)").fetchone() == (0,)
        assert admin.execute(f"SELECT count(*) FROM {queue}").fetchone() == (backlog - archived,)


def test_enqueue_batch_baseline_inserts_the_same_hundred_messages(bench: Bench, admin: Conn) -> None:
    batch = json.dumps([{"seq": n} for n in range(100)])
    for script, queue in (("enqueue_batch_pgq.sql", "pgq.queue"),
                          ("enqueue_batch_raw.sql", "bench.raw_queue")):
        run = bench.pgbench(script, 1, {"channel": CHANNEL, "batch": batch}, seconds=1)
        rows = admin.execute(f"SELECT message->'seq' FROM {queue} ORDER BY id").fetchall()
        assert len(rows) == 100 * len(run.latencies)
        assert [seq for (seq,) in rows[:100]] == list(range(100))


def test_pgbench_text_and_logs() -> None:
    stdout = "number of failed transactions: 3 (0.1%)\nlatency average = 1.2 ms\n" \
             "tps = 1234.5678 (without initial connection time)\n"
    assert parse_tps(stdout) == 1234.5678
    log = ["0 1 250 0 1700000000 1", "1 1 failed 0 1700000000 2", "0 2 1500 0 1700000000 3", ""]
    assert log_latencies_ms(iter(log)) == [0.25, 1.5]


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(100, 0, -1)]
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_load_py_rate_and_sustained_intervals() -> None:
    assert parse_load_rate("loaded 1,000,000 messages into 'two' in 6.01 s: 166,389 msgs/s\n") == 166_389
    samples = [{"t": 10.0, "enqueued": 0, "consumed": 0, "dead": 0, "depth": 0},
               {"t": 40.0, "enqueued": 3000, "consumed": 1500, "dead": 800, "depth": 1500}]
    assert interval_rates(samples) == [{"t": 30.0, "enqueued_per_s": 100.0, "consumed_per_s": 50.0,
                                        "total_per_s": 150.0, "n_dead_tup": 800, "depth": 1500}]


def test_table_marks_misses_and_ratios() -> None:
    rows = [Row("a", "msgs/s", 900, 1000, "INSERT", p50=0.5, target="ratio ≥ 0.95", met=False),
            Row("b", "req/s", 100, note="0 failures", target="p95 < 10 ms", met=True)]
    lines = table(rows).splitlines()
    assert lines[2] == "| a | 900 msgs/s | 1,000 INSERT | 0.90 | 0.50 | - | - | ratio ≥ 0.95 | **missed** |"
    assert lines[3].endswith("| p95 < 10 ms | met (0 failures) |")


# ---------------------------------------------------------------- k6

class Stub(BaseHTTPRequestHandler):
    """Answers like the gateway's routes, or with failing_status on POST."""

    failing_status = 0

    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.failing_status or 201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    Stub.failing_status = 0


def test_k6_summary_counts_204_as_success(bench: Bench, stub: str) -> None:
    figures = k6_figures(bench.k6(stub, SCENARIO="spec", RATE="20", DURATION="1s"))
    assert figures["requests"] >= 15
    assert figures["failed"] == 0
    assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"]


def test_k6_counts_failures_and_the_knee_stops_at_the_first_failing_step(bench: Bench, stub: str) -> None:
    Stub.failing_status = 503
    figures = k6_figures(bench.k6(stub, SCENARIO="throughput", TARGET="mixed", VUS="2", DURATION="1s"))
    assert 0 < figures["failed"] < figures["requests"]
    knee = bench.k6(stub, SCENARIO="knee", KNEE_RATES="10,20", KNEE_STEP="1s")["knee"]
    assert knee["rate"] == 0
    assert [step["rate"] for step in knee["steps"]] == [10, 20]
    assert all(not step["ok"] and step["failed"] > 0 for step in knee["steps"])


def test_knee_is_the_top_step_when_every_step_passes(bench: Bench, stub: str) -> None:
    knee = bench.k6(stub, SCENARIO="knee", KNEE_RATES="10,20", KNEE_STEP="1s")["knee"]
    assert knee["rate"] == 20
    assert all(step["ok"] and step["requests"] > 0 for step in knee["steps"])
