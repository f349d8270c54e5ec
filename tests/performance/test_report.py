"""docs/performance.md shows the latest results as `python -m performance.report` renders them from
performance/results/*.json: the newest full-profile run of each part, and (e)'s series."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from performance.report import BEGIN, END, GUIDE, PROFILE_BEFORE, full_runs, latest, render, replace_section

MACHINE = {"nproc": "2", "cpu": "a CPU", "postgresql": "15"}


def row(scenario: str, value: float) -> dict[str, Any]:
    return {"scenario": scenario, "unit": "msgs/s", "value": value, "baseline": None, "ratio": None,
            "unknown_field_of_a_later_bench": 1}


Points = list[dict[str, Any]]


def write(results: Path, name: str, rows: Points, held: Points | None = None) -> None:
    results.mkdir(exist_ok=True)
    (results / name).write_text(json.dumps({
        "profile": {"name": "full", "hold_sample": 10}, "machine": MACHINE, "started": name[:16],
        "seconds": 600, "rows": rows, "held_horizon": held or []}))


SQL_ROW, HEAD_ROW, HTTP_ROW = "`pgq.enqueue`, 1 client", "(e) held horizon", "knee: highest arrival rate"


def test_the_guide_shows_what_the_generator_renders_from_the_committed_results() -> None:
    """Run `python -m performance.report --write` after committing a results file."""
    assert render() in GUIDE.read_text()


def test_each_part_comes_from_the_newest_full_run_that_measured_it(tmp_path: Path) -> None:
    write(tmp_path, "20261101T000000Z.json", [row(SQL_ROW, 1), row(HEAD_ROW, 2), row(HTTP_ROW, 3)])
    write(tmp_path, "20261102T000000Z-head.json", [row(HEAD_ROW, 20)])
    write(tmp_path, "20261103T000000Z-quick.json", [row(SQL_ROW, 9), row(HEAD_ROW, 9), row(HTTP_ROW, 9)])
    write(tmp_path, "20261104T000000Z-quick-http.json", [row(HTTP_ROW, 3000)])
    (tmp_path / "longpoll-20261105T000000Z.json").write_text("{}")
    chosen = latest(full_runs(tmp_path))
    assert {part: [run.path.name for run, _ in picked] for part, picked in chosen.items()} == {
        "sql": ["20261101T000000Z.json"], "head": ["20261102T000000Z-head.json"],
        "http": ["20261101T000000Z.json"]}
    assert rates(render(tmp_path)) == ["1 msgs/s", "20 msgs/s", "3 msgs/s"], "the bench's order, no quick run"


def test_a_partial_run_replaces_only_the_rows_it_measured(tmp_path: Path) -> None:
    """`--only calls` and `--only groups` measure some SQL scenarios: the others keep the rows of the
    newest whole run, and a run older than that is not read (its scenarios may have been renamed)."""
    write(tmp_path, "20261031T000000Z.json", [row("`pgq.enqueue`, 1 clients", 7), row(SQL_ROW, 7)])
    write(tmp_path, "20261101T000000Z.json", [row(SQL_ROW, 1), row("(b) Zipf", 2), row(HTTP_ROW, 3)])
    write(tmp_path, "20261102T000000Z-calls.json", [row(SQL_ROW, 10), row("floor", 11)])
    write(tmp_path, "20261103T000000Z-groups.json", [row("(g) groups", 12)])
    assert rates(render(tmp_path)) == ["10 msgs/s", "11 msgs/s", "2 msgs/s", "12 msgs/s", "3 msgs/s"]
    sources = [line for line in render(tmp_path).splitlines() if line.startswith("- ")]
    assert [line.split(": `")[0] for line in sources] == [
        "- 1 of the SQL scenarios", "- 2 of the SQL scenarios", "- 1 of the SQL scenarios and the gateway"]


def rates(section: str) -> list[str]:
    """The rate column of the generated table's rows, top to bottom."""
    lines = section.splitlines()
    return [line.split(" | ")[1] for line in lines if line.startswith("| ") and " msgs/s" in line]


def test_the_series_splits_each_side_at_the_hold(tmp_path: Path) -> None:
    held = [{"hold": 100, "channels": "1 channel", "t": t, "pgq": 1000 + t, "baseline": 2000 + t,
             "held": t > 20} for t in (10, 20, 30, 40)]
    write(tmp_path, "20261101T000000Z-head.json", [row(HEAD_ROW, 2)], held)
    lines = render(tmp_path).splitlines()
    assert "| 100 s | 1 channel | pgq | 1,010 1,020 | 1,030 1,040 |" in lines
    assert "| 100 s | 1 channel | baseline | 2,010 2,020 | 2,030 2,040 |" in lines


def test_write_replaces_only_the_generated_section() -> None:
    guide = f"# Title\n\nprose\n\n{BEGIN}\nold table\n{END}\n\nmore prose\n"
    replaced = replace_section(guide, f"{BEGIN}\nnew\n{END}")
    assert replaced == f"# Title\n\nprose\n\n{BEGIN}\nnew\n{END}\n\nmore prose\n"
    with pytest.raises(ValueError):
        replace_section("no markers", "x")


def profile(own: str, requests: int) -> dict[str, Any]:
    return {"run": {"requests": requests}, "samples": 400, "own": [[own, 50.0]],
            "packages": [[own.split(" (")[1].split("/")[0], 50.0]], "total": [[own, 80.0]]}


def write_profiled(results: Path, name: str, gateway: str, coalescer: dict[str, Any] | None = None) -> None:
    write(results, name, [row(HTTP_ROW, 3)])
    path = results / name
    data = json.loads(path.read_text())
    profiles = {"gateway": profile(gateway, 1000), "minimal": profile("send (uvicorn/h.py)", 2000)}
    data["http"] = {"profile": profiles, **({"coalescer": coalescer} if coalescer else {})}
    path.write_text(json.dumps(data))


def test_the_profile_shows_the_before_run_and_the_newest_profiled_one(tmp_path: Path) -> None:
    mix = {"rate": 0.0, "p99": 0.0}
    coalescer = {"1": {"with": [{**mix, "rate": 100.0, "p99": 2.0}],
                       "without": [{**mix, "rate": 200.0, "p99": 1.0}]}}
    write_profiled(tmp_path, "20261101T000000Z-http.json", "older (gateway/a.py)")
    write_profiled(tmp_path, PROFILE_BEFORE, "before (gateway/b.py)")
    write_profiled(tmp_path, "29991231T000000Z-http.json", "after (gateway/c.py)", coalescer)
    write(tmp_path, "29991231T235959Z-sql.json", [row(SQL_ROW, 1)])  # newer, but no profile
    lines = render(tmp_path).splitlines()
    top = ["`before (gateway/b.py)` | 50.0", "`after (gateway/c.py)` | 50.0", "`send (uvicorn/h.py)` | 50.0"]
    assert f"| 1 | {' | '.join(top)} |" in lines
    assert not any("older" in line for line in lines)
    # 400 samples at 200 a second over 1,000 requests: 2 ms each; the minimal app's 2,000 requests: 1 ms.
    cost = next(line for line in lines if line.startswith("Python per request"))
    assert "before 2.00 ms" in cost and "minimal app 1.00 ms" in cost
    assert "| 1 | 100 req/s | 200 req/s | 0.50 | 2.0 ms | 1.0 ms |" in lines


def test_without_the_before_run_there_is_no_profile(tmp_path: Path) -> None:
    write_profiled(tmp_path, "29991231T000000Z-http.json", "after (gateway/c.py)")
    assert "`--profile`" not in render(tmp_path)
