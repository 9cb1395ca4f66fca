"""A sweep in a pool of worker processes writes the same bytes as in-process (issue 15: sweeps use both cores)."""

import multiprocessing

import pytest
from click.testing import CliRunner
from conftest import linear_journey, pause, resume, scenario

from journeysim import executors
from journeysim.cli import main

GRID = ["--grid", "org.resume_rate=2/s,20/s", "-r", "3"]


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_sweep_on_two_workers_writes_byte_identical_outputs(simulate, tmp_path):
    journey = linear_journey(wait="60s")
    journey["nodes"]["entry"]["arrivals"] = {"rate": "1/s"}
    path = simulate.write(scenario(journey, size=2000, duration="1200s", timeline=[pause("300s"), resume("600s")]))
    for workers in ("1", "2"):
        done = CliRunner().invoke(main, ["sweep", str(path), *GRID, "--out", str(tmp_path / workers), "-q", "--workers", workers])
        assert done.exit_code == 0, done.output
    one, two = files(tmp_path / "1"), files(tmp_path / "2")
    assert len([name for name in one if name.startswith("runs/")]) == 6
    assert {"sweep.parquet", "sweep.html"} <= set(one)
    assert two["sweep.html"].count(b"<svg ") == 1  # drawn by the page writer process: the same bytes
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def run_path_was_imported() -> bool:
    import sys

    return "journeysim.engine.simulation" in sys.modules and "pydantic" in sys.modules


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this system")
def test_pool_workers_start_with_the_run_path_imported():
    """Workers are forks of this process made when the pool opens, with the engine already imported: not
    fresh interpreters that import numpy, pydantic and the engine again before their first run."""
    with executors.make_executor(workers=2) as pool:
        assert all(pool.submit(run_path_was_imported).result() for _ in range(4))


def test_a_pool_starts_no_more_processes_than_there_are_runs(simulate, tmp_path, monkeypatch):
    """``--workers 1000`` over 2 runs forks 2 processes, not 1,000 that would sit idle (and says so)."""
    started = []
    make_pool = executors._process_pool
    monkeypatch.setattr(executors, "_process_pool", lambda workers: started.append(workers) or make_pool(workers))
    path = simulate.write(scenario(linear_journey(), duration="600s"))
    done = CliRunner().invoke(main, ["sweep", str(path), "--grid", "org.resume_rate=2/s,20/s", "--out", str(tmp_path / "s"),
                                     "--workers", "1000"])
    assert done.exit_code == 0, done.output
    assert started == [2]
    assert "2 runs (2 grid point(s) x 1 replication(s)) in a pool of 2 processes" in done.output
