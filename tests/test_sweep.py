"""Sweeps: identical results on every executor, common random numbers, resume after a kill."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import linear_journey, pause, resume, scenario

import journeysim
from journeysim import sweep as sweep_module
from journeysim.cli import main


@pytest.fixture
def tiny(simulate):
    journey = linear_journey(wait="60s")
    journey["nodes"]["entry"]["arrivals"] = {"rate": "1/s"}
    return simulate.write(scenario(journey, size=3000, duration="1500s",
                                   timeline=[pause("300s"), resume("600s")]))


def sweep(path, out, *extra):
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", "org.resume_rate=2/s,20/s",
                                       "--grid", "timeline[1].at=500s,700s", "-r", "2", "--out", str(out), "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "sweep.parquet")


def test_the_same_sweep_in_process_in_a_pool_and_on_a_dask_cluster_gives_identical_results(tiny, tmp_path):
    from distributed import LocalCluster

    local = sweep(tiny, tmp_path / "local")
    pool = sweep(tiny, tmp_path / "pool", "--workers", "2")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = sweep(tiny, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert len(local) == 8 and (local.status == "ok").all()
    pd.testing.assert_frame_equal(local, pool)
    pd.testing.assert_frame_equal(local, dask)
    assert local.groupby("grid.org.resume_rate")["drain_s"].mean().to_dict()["2/s"] > 0
    assert (tmp_path / "local" / "sweep.html").read_text().count("<img") == 2


def test_grid_points_share_random_numbers_common_random_numbers(tiny):
    slow = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "2/s"}), replication=1, events=True)
    fast = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "50/s"}), replication=1, events=True)
    other = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "2/s"}), replication=2, events=True)

    def arrivals(result):
        ev = result.events
        return ev[(ev.event == "entered") & (ev.node == "entry")][["t_s", "profile_id"]].reset_index(drop=True)

    pd.testing.assert_frame_equal(arrivals(slow), arrivals(fast))
    assert not arrivals(slow).equals(arrivals(other))
    assert slow.summary["journeys"]["j"]["pauses"][0]["drain_s"] > fast.summary["journeys"]["j"]["pauses"][0]["drain_s"]


def test_a_failed_run_is_recorded_and_the_others_go_on(tiny, tmp_path, monkeypatch):
    real = journeysim.api.run

    def flaky(loaded, **kw):
        if kw.get("replication") == 1:
            raise RuntimeError("worker lost")
        return real(loaded, **kw)

    monkeypatch.setattr(journeysim.api, "run", flaky)
    table = sweep(tiny, tmp_path / "flaky")
    assert (table.status == "error").sum() == 4 and (table.status == "ok").sum() == 4
    assert table[table.status == "error"].error.str.contains("worker lost").all()
    assert "Failed runs" in (tmp_path / "flaky" / "sweep.html").read_text()


def test_a_bad_grid_value_is_refused_before_anything_runs(tiny, tmp_path):
    result = CliRunner().invoke(main, ["sweep", str(tiny), "--grid", "org.resume_rate=2/s,fast", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "org.resume_rate" in result.output and not (tmp_path / "x").exists()


def test_a_sweep_file_names_the_scenario_grid_and_replications(tiny, tmp_path):
    file = tiny.parent / "plan.yaml"
    file.write_text(f"sweep:\n  scenario: {tiny.name}\n  grid:\n    org.resume_rate: [2/s, 20/s]\n  replications: 3\n")
    result = CliRunner().invoke(main, ["sweep", str(file), "--out", str(tmp_path / "f"), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(tmp_path / "f" / "sweep.parquet")
    assert len(table) == 6 and sorted(set(table["grid.org.resume_rate"])) == ["2/s", "20/s"]


def test_resume_after_a_kill_runs_only_what_is_missing(tiny, tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "journeysim.cli", "sweep", str(tiny), "--grid",
               "org.resume_rate=" + ",".join(f"{r}/s" for r in range(1, 11)), "-r", "4", "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "runs").glob("*.json"))) < 6:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert 6 <= len(before) < 40 and not (out / "sweep.parquet").exists()
    assert subprocess.run(command + ["--resume"], timeout=300).returncode == 0
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert len(after) == 40
    assert all(after[name] == stamp for name, stamp in before.items())  # finished runs were not run again
    whole = tmp_path / "whole"
    assert subprocess.run(command[:-3] + ["--out", str(whole), "--quiet"], timeout=300).returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), pd.read_parquet(whole / "sweep.parquet"))


def test_interval_is_a_normal_approximation_of_95_percent():
    mean, half = sweep_module.interval(pd.Series([1.0, 2.0, 3.0, 4.0]))
    assert mean == 2.5 and half == pytest.approx(1.96 * 1.2909944 / 2)
