"""Threads whose failure fails the test that started them.

A plain thread that dies leaves the others running, and the assertions made on
what they did may still hold: `Worker.join()` raises the thread's exception
again, in the test. (pyproject.toml also turns pytest's warning about an
unhandled thread exception into an error, for threads started elsewhere.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


class Worker(threading.Thread):
    def __init__(self, target: Callable[..., object], *args: object) -> None:
        super().__init__(target=target, args=args, daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            super().run()
        except BaseException as exc:
            self.error = exc
            raise

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error
        assert not self.is_alive(), f"{self.name} still running after {timeout} s"


def start_all(workers: Iterable[Worker]) -> list[Worker]:
    started = list(workers)
    for worker in started:
        worker.start()
    return started


def join_all(workers: Iterable[Worker], timeout: float | None = None) -> None:
    """Wait for every worker, then raise the first failure (a worker that died or hangs)."""
    workers = list(workers)
    for worker in workers:
        threading.Thread.join(worker, timeout)
    for worker in workers:
        worker.join(0)
