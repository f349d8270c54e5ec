"""Bulk-load test messages into a pgQueue channel, fast.

    python support/load.py --channel two --count 1000000
    python -m support.load --url postgresql://... --channel two --count 50000 --batch 500

Messages are {"seq": 1}, {"seq": 2}, ... They go in through
pgq.enqueue_batch, one call and one commit per --batch messages, so no
message costs a round trip of its own. A batch of a few thousand keeps the
server busy far longer than the round trip takes, so one connection is
about as fast as several, and it keeps the ids in seq order.

The URL defaults to PGQ_DATABASE_URL, else the local cluster of `make db`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import psycopg

if not __package__:  # run as `python support/load.py`, as the original README has it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gateway import bounds
from support.localpg import dev_cluster, gateway_url


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="load.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    cli.add_argument("--url", default=None,
                     help="PostgreSQL URL (default: $PGQ_DATABASE_URL, else the `make db` cluster)")
    cli.add_argument("--channel", default="two", help="channel to fill")
    cli.add_argument("--count", type=positive, default=100_000, help="number of messages")
    cli.add_argument("--batch", type=positive, default=5000, help=f"messages per call, 1-{bounds.MAX_BATCH}")
    cli.add_argument("--quiet", action="store_true", help="no progress bar")
    return cli


def batches(count: int, size: int) -> Iterator[tuple[int, str]]:
    """(size, JSON array of {"seq": n}) for n = 1..count, size at a time."""
    for start in range(1, count + 1, size):
        stop = min(start + size, count + 1)
        yield stop - start, json.dumps([{"seq": n} for n in range(start, stop)], separators=(",", ":"))


class Progress:
    """A one-line progress bar on a terminal; silent when output is not one."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream = total, stream
        self.enabled = enabled and stream.isatty()
        self.started = time.perf_counter()
        self.shown = -1

    def update(self, done: int) -> None:
        percent = done * 100 // self.total
        if not self.enabled or percent == self.shown:
            return
        self.shown = percent
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        bar = "#" * (percent // 4)
        self.stream.write(f"\r[{bar:<25}] {percent:3d}% {done:,}/{self.total:,} {done / elapsed:,.0f} msgs/s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def load(url: str, channel: str, count: int, batch: int, progress: Progress) -> int:
    """Enqueue count messages; returns how many the server confirmed."""
    done = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for size, messages in batches(count, batch):
            row = conn.execute("SELECT count(*) FROM pgq.enqueue_batch(%s, %s::jsonb)", (channel, messages),
                               prepare=True).fetchone()
            inserted = int(row[0]) if row else 0
            if inserted != size:
                raise RuntimeError(f"the server inserted {inserted} of a batch of {size}")
            done += inserted
            progress.update(done)
    return done


def main(argv: list[str] | None = None) -> None:
    cli = parser()
    args = cli.parse_args(argv)
    if args.batch > bounds.MAX_BATCH:
        cli.error(f"argument --batch: at most {bounds.MAX_BATCH} (pgq.enqueue_batch's limit),"
                  f" got {args.batch}")
    url = args.url or os.environ.get("PGQ_DATABASE_URL") or gateway_url(dev_cluster().url_for("pgqueue"))
    progress = Progress(args.count, sys.stderr, enabled=not args.quiet)
    started = time.perf_counter()
    try:
        done = load(url, args.channel, args.count, args.batch, progress)
    except psycopg.errors.InvalidParameterValue as error:
        # The broker owns validation; its message names what is wrong with the channel.
        progress.close()
        cli.error(f"argument --channel: {error.diag.message_primary}")
    except psycopg.OperationalError as error:
        progress.close()
        sys.exit(f"load.py: cannot reach PostgreSQL: {str(error).strip()}")
    progress.close()
    elapsed = time.perf_counter() - started
    print(f"loaded {done:,} messages into {args.channel!r} in {elapsed:.2f} s: {done / elapsed:,.0f} msgs/s")


if __name__ == "__main__":
    main()
