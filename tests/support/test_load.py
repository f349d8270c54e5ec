"""The bulk loader, run as a user runs it: a subprocess against a database of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from support.load import batches
from support.localpg import REPO, free_port


def run_loader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "support/load.py", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env)


def seqs(admin: psycopg.Connection[tuple[object, ...]], channel: str) -> list[object]:
    rows = admin.execute("SELECT message->'seq' FROM pgq.queue WHERE channel = %s ORDER BY id", (channel,))
    return [seq for (seq,) in rows]


def test_batches_cover_every_seq_once_with_a_short_last_batch() -> None:
    sizes = [size for size, _ in batches(2500, 1000)]
    assert sizes == [1000, 1000, 500]
    assert next(batches(3, 2))[1] == '[{"seq":1},{"seq":2}]'


def test_loads_every_message_in_seq_order_and_reports_the_rate(
    gateway_dsn: str, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    done = run_loader("--url", gateway_dsn, "--channel", "bulk", "--count", "2500", "--batch", "1000")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("loaded 2,500 messages into 'bulk' in ")
    assert done.stdout.rstrip().endswith(" msgs/s")
    assert seqs(admin, "bulk") == list(range(1, 2501))


def test_url_defaults_to_pgq_database_url(
    gateway_dsn: str, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    done = run_loader("--channel", "two", "--count", "7", env={**os.environ, "PGQ_DATABASE_URL": gateway_dsn})
    assert done.returncode == 0, done.stderr
    assert seqs(admin, "two") == list(range(1, 8))


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--count", "0"], "argument --count: must be at least 1, got 0"),
        (["--count", "lots"], "argument --count: expected a whole number, got 'lots'"),
        (["--batch", "-5"], "argument --batch: must be at least 1, got -5"),
        (["--batch", "10001"], "argument --batch: at most 10000"),
        (["--channel", "..", "--count", "3"], "argument --channel: channel must be 1-64 characters"),
        (["--colour", "red"], "unrecognized arguments: --colour red"),
    ],
)
def test_bad_arguments_are_usage_errors_and_load_nothing(
    gateway_dsn: str, admin: psycopg.Connection[tuple[object, ...]], args: list[str], complaint: str
) -> None:
    done = run_loader("--url", gateway_dsn, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: load.py")
    assert complaint in done.stderr
    assert admin.execute("SELECT count(*) FROM pgq.queue").fetchone() == (0,)


def test_an_unreachable_server_is_one_clear_line() -> None:
    done = run_loader("--url", f"postgresql://nobody:x@127.0.0.1:{free_port()}/none", "--count", "1")
    assert done.returncode == 1
    assert done.stderr.startswith("load.py: cannot reach PostgreSQL: ")
    assert "Traceback" not in done.stderr
