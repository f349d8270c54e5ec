"""Real faults for a test-owned cluster: crashes, and a gateway process to crash it under."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import psycopg

from support.localpg import Cluster
from support.localpg import children_of as children_of  # tests import it from here


def wait_gone(pids: list[int], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, f"processes {pids} outlived SIGKILL"
        time.sleep(0.05)


def wait_accepting(cluster: Cluster, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(cluster.url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "PostgreSQL did not come back"
            time.sleep(0.1)


def crash(cluster: Cluster, kind: str) -> None:
    """Crash the server one of three ways, and bring it back."""
    if kind == "immediate":
        cluster.stop("immediate")
        cluster.start()
    elif kind == "backend":
        # SIGKILL of one backend makes the postmaster reset every session and recover.
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE usename = 'pgq_gateway'").fetchall()
        victim = int(rows[0][0]) if rows else None
        assert victim, "no gateway backend to kill"
        os.kill(victim, signal.SIGKILL)
    elif kind == "postmaster":
        postmaster = cluster.postmaster_pid()
        assert postmaster
        orphans = children_of(postmaster)
        os.kill(postmaster, signal.SIGKILL)
        # Left alone, the orphaned backends keep the old shared memory busy and the
        # restart fails; a real operator (or systemd's KillMode) kills them first.
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_gone([postmaster, *orphans])
        cluster.start()
    else:
        raise ValueError(kind)
    wait_accepting(cluster)
