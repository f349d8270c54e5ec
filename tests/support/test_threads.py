"""A thread that dies fails the test that started it, whichever way the test waits for it."""

from __future__ import annotations

import threading
import tomllib

import pytest

from support.localpg import REPO
from tests.utils.threads import Worker, join_all, start_all

pytest_plugins = ["pytester"]


def die() -> None:
    raise RuntimeError("deadlock detected")


# The dying thread also raises pytest's warning, an error by the project's settings (tested below).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_join_raises_the_exception_of_a_worker_that_died() -> None:
    workers = start_all([Worker(lambda: None), Worker(die)])
    with pytest.raises(RuntimeError, match="deadlock detected"):
        join_all(workers)


def test_a_worker_still_running_at_its_deadline_fails() -> None:
    release = threading.Event()
    worker = start_all([Worker(release.wait)])
    with pytest.raises(AssertionError, match="still running"):
        join_all(worker, timeout=0.1)
    release.set()
    join_all(worker)


def test_the_project_settings_fail_a_test_whose_plain_thread_died(pytester: pytest.Pytester) -> None:
    """pyproject.toml's filterwarnings, copied into a scratch project: pytest's warning is an error."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    listed = ", ".join(f'"{entry}"' for entry in settings["filterwarnings"])
    pytester.makepyprojecttoml(f"[tool.pytest.ini_options]\nfilterwarnings = [{listed}]\n")
    pytester.makepyfile("""
        import threading

        def test_starts_a_thread_that_dies():
            thread = threading.Thread(target=lambda: 1 / 0)
            thread.start()
            thread.join()
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0, result.stdout.str()
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) + outcomes.get("error", 0) == 1
