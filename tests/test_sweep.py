"""Sweeps: identical results on every executor, common random numbers, resume after a kill."""

import json
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
import journeysim.api  # the flaky-run test patches journeysim.api.run: imported here, whatever ran before
from journeysim import sweep as sweep_module
from journeysim.cli import main
from journeysim.units import format_duration

GRID = ["--grid", "org.resume_rate=2/s,20/s", "--grid", "timeline[1].at=500s,700s", "-r", "2"]


def sweep(path, out, *extra):
    result = CliRunner().invoke(main, ["sweep", str(path), *GRID, "--out", str(out), "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "sweep.parquet")


def test_the_same_sweep_in_process_in_a_pool_and_on_a_dask_cluster_gives_identical_results(tiny, tmp_path):
    from distributed import LocalCluster

    local = sweep(tiny, tmp_path / "local")
    pool = sweep(tiny, tmp_path / "pool", "--workers", "2")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        # the CLI in its own process, pointed at the cluster by the environment; bounded in time
        env = {**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.scheduler_address}
        done = subprocess.run([sys.executable, "-m", "journeysim.cli", "sweep", str(tiny), *GRID, "--out", str(tmp_path / "dask")],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert f"in the Dask cluster at {cluster.scheduler_address}" in done.stderr
        assert "run_task" in cluster.scheduler.task_prefixes  # the runs really went to the cluster's workers
    dask = pd.read_parquet(tmp_path / "dask" / "sweep.parquet")

    assert len(local) == 8 and (local.status == "ok").all()
    pd.testing.assert_frame_equal(local, pool)
    pd.testing.assert_frame_equal(local, dask)
    # one row per run: grid values, replication, seed, then the key figures (sums and per journey)
    assert list(local.columns[:7]) == ["run_id", "grid.org.resume_rate", "grid.timeline[1].at", "replication", "seed", "status", "error"]
    for column in ("held_peak", "drain_s", "actions", "org_cap", "discarded.discard_mode", "discarded.paused_entry",
                   "j.held_peak", "j.drain_s", "j.org_cap"):
        assert column in local.columns
    assert set(local.seed) == {1} and sorted(set(local.replication)) == [0, 1]
    drain = local.groupby("grid.org.resume_rate")["drain_s"].mean()
    assert drain["2/s"] > drain["20/s"] > 0
    # common random numbers: within a replication, the resume rate and resume time do not move arrivals
    assert (local.groupby("replication")["arrived"].nunique() == 1).all()
    assert local.groupby("replication")["arrived"].first().nunique() == 2
    page = (tmp_path / "local" / "sweep.html").read_text()
    assert page.count("<figure><svg ") == 2 and "Per grid point" in page and "http" not in page  # offline
    assert list((tmp_path / "local").glob("*.png")) == []


def test_grid_points_share_random_numbers_common_random_numbers(tiny):
    slow = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "2/s"}), replication=1, events=True)
    fast = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "50/s"}), replication=1, events=True)
    other = journeysim.run(journeysim.load(tiny, overrides={"org.resume_rate": "2/s"}), replication=2, events=True)

    def arrivals(result):
        ev = result.events
        return ev[(ev.event == "entered") & (ev.node == "entry")][["t_s", "profile_id"]].reset_index(drop=True)

    assert slow.summary["journeys"]["j"]["arrived"] == fast.summary["journeys"]["j"]["arrived"]
    assert slow.summary["journeys"]["j"]["entered"] == fast.summary["journeys"]["j"]["entered"]
    pd.testing.assert_frame_equal(arrivals(slow), arrivals(fast))
    assert len(arrivals(slow)) > 500
    assert not arrivals(slow).equals(arrivals(other))  # another replication, other random numbers
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
    monkeypatch.setattr(journeysim.api, "run", real)
    again = sweep(tiny, tmp_path / "flaky", "--resume")  # --resume retries the failed runs only
    assert (again.status == "ok").all()
    kept = again.replication == 0
    pd.testing.assert_frame_equal(again[kept].reset_index(drop=True), table[kept][again.columns].reset_index(drop=True),
                                  check_dtype=False)


def test_a_bad_grid_is_refused_before_anything_runs_naming_the_closest_path(tiny, tmp_path):
    bad_value = CliRunner().invoke(main, ["sweep", str(tiny), "--grid", "org.resume_rate=2/s,fast", "--out", str(tmp_path / "x")])
    assert bad_value.exit_code == 2 and "org.resume_rate" in bad_value.output and not (tmp_path / "x").exists()
    typo = CliRunner().invoke(main, ["sweep", str(tiny), "--grid", "journeys[j].nodes.wiat.duration={fixed: 1s},{fixed: 2s}",
                                     "--out", str(tmp_path / "x")])
    assert typo.exit_code == 2 and "closest valid path: journeys[j].nodes.wait" in typo.output
    unwritten = CliRunner().invoke(main, ["sweep", str(tiny), "--grid", "org.resume_rat.x=1,2", "--out", str(tmp_path / "x")])
    assert unwritten.exit_code == 2 and "closest valid path: org.resume_rate" in unwritten.output  # no org: section in the file
    both = CliRunner().invoke(main, ["sweep", str(tiny), "--workers", "2", "--scheduler", "tcp://x:1", "--out", str(tmp_path / "x")])
    assert both.exit_code == 2 and not (tmp_path / "x").exists()


def test_grid_values_may_hold_commas_inside_brackets():
    assert sweep_module.parse_grid(["journeys[j].nodes.wait.duration={uniform: [1h, 2d]},{fixed: 1h}", "seed=1,2"]) == {
        "journeys[j].nodes.wait.duration": ["{uniform: [1h, 2d]}", "{fixed: 1h}"], "seed": ["1", "2"]}


@pytest.mark.parametrize("nested", [False, True])
def test_a_sweep_file_names_the_scenario_grid_and_replications(tiny, tmp_path, nested):
    plan = {"scenario": tiny.name, "grid": {"org.resume_rate": ["2/s", "20/s"], "journeys[j].nodes.wait.duration": [{"fixed": "30s"}]},
            "replications": 3, "set": {"population.size": 2500}}
    file = tiny.parent / "plan.yaml"
    file.write_text(json.dumps({"sweep": plan} if nested else plan))
    result = CliRunner().invoke(main, ["sweep", str(file), "--out", str(tmp_path / "f"), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(tmp_path / "f" / "sweep.parquet")
    assert len(table) == 6 and (table.status == "ok").all() and sorted(set(table["grid.org.resume_rate"])) == ["2/s", "20/s"]
    assert set(table["grid.journeys[j].nodes.wait.duration"]) == {'{"fixed": "30s"}'}
    assert json.loads(table.overrides[0])[0] == "population.size=2500"
    file.write_text(json.dumps({"scenario": tiny.name, "replicatoins": 2}))
    refused = CliRunner().invoke(main, ["sweep", str(file), "--out", str(tmp_path / "g")])
    assert refused.exit_code == 2 and "unknown key 'replicatoins'" in refused.output


def test_resume_after_a_kill_runs_only_what_is_missing(tiny, tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "journeysim.cli", "sweep", str(tiny), "--grid",
               "org.resume_rate=" + ",".join(f"{r}/s" for r in range(1, 11)), "-r", "4", "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "runs").glob("*.json"))) < 6:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert 6 <= len(before) < 40 and not (out / "sweep.parquet").exists()
    assert subprocess.run(command + ["--resume"], timeout=300).returncode == 0
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert len(after) == 40
    assert all(after[name] == stamp for name, stamp in before.items())  # finished runs were not run again
    whole = tmp_path / "whole"
    result = CliRunner().invoke(main, command[3:-3] + ["--out", str(whole), "--quiet"])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), pd.read_parquet(whole / "sweep.parquet"))


def test_resume_reruns_runs_whose_scenario_changed(tiny, tmp_path):
    first = sweep(tiny, tmp_path / "s")
    tiny.write_text(tiny.read_text().replace("seed: 1", "seed: 2"))
    second = sweep(tiny, tmp_path / "s", "--resume")
    assert set(first.seed) == {1} and set(second.seed) == {2}


def test_resume_reruns_runs_whose_population_file_changed(simulate, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("flag\n" + "true\n" * 300 + "false\n" * 300)
    doc = scenario(linear_journey(wait="60s", count=500), duration="1500s", timeline=[pause("300s"), resume("600s")])
    doc["population"] = {"file": str(people)}
    doc["journeys"][0]["nodes"]["entry"]["audience"] = "flag"
    path = simulate.write(doc)
    first = sweep(path, tmp_path / "s")
    people.write_text("flag\n" + "true\n" * 100 + "false\n" * 500)  # fewer profiles in the audience
    second = sweep(path, tmp_path / "s", "--resume")
    fresh = sweep(path, tmp_path / "fresh")
    pd.testing.assert_frame_equal(second, fresh)
    assert (second.entered < first.entered).all()  # 100 in the audience instead of 300


def test_a_missing_dask_is_a_clear_error(tiny, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    result = CliRunner().invoke(main, ["sweep", str(tiny), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "d")])
    assert result.exit_code == 1 and "pip install 'journeysim[dask]'" in result.output


def test_interval_is_the_95_percent_student_t_interval_of_the_mean():
    mean, half = sweep_module.interval(pd.Series([1.0, 2.0, 3.0, 4.0]))
    assert mean == 2.5 and half == pytest.approx(3.182 * 1.2909944 / 2)
    assert sweep_module.interval(pd.Series([5.0])) == (5.0, 0.0)
    assert sweep_module.t_quantile(30) == pytest.approx(2.042) and sweep_module.t_quantile(200) == pytest.approx(1.972, abs=1e-3)


def test_resume_says_how_many_runs_it_reused(tiny, tmp_path):
    """Issue 10 item 14: --resume names the runs it kept instead of running them again."""
    out = tmp_path / "s"
    sweep(tiny, out)
    (out / "runs" / "g0000-r001.json").unlink()  # one of the 8 runs lost: 7 are reused, 1 runs again
    again = CliRunner().invoke(main, ["sweep", str(tiny), *GRID, "--out", str(out), "--resume"])
    assert again.exit_code == 0, again.output
    assert "8 runs (0 failed, 7 reused from" in again.stdout
    assert "7 of them reused from a previous sweep (--resume)" in (out / "sweep.html").read_text()


def test_the_sweep_page_reads_in_titles_durations_and_separated_counts(tiny, tmp_path):
    """Issue 10 item 14: human titles, times as durations, counts with separators, a table that scrolls."""
    out = tmp_path / "s"
    table = sweep(tiny, out)
    page = (out / "sweep.html").read_text()
    table_html = page[page.index("<h2>Per grid point</h2>"):]
    assert "Longest resume drain" in table_html and "Held at the peak (org-wide)" in table_html
    assert "drain_s" not in table_html and "held_peak" not in table_html and "e+0" not in table_html
    assert "<div class='wide'><table>" in table_html
    # 2/s, resumed at 500 s: the drain of the slow grid point in seconds, written as a duration
    slow = table[(table["grid.org.resume_rate"] == "2/s") & (table["grid.timeline[1].at"] == "500s")]["drain_s"]
    assert f"<td>{format_duration(slow.mean())}" in table_html


def test_sweep_panels_draw_names_as_points_times_in_hours_and_zeros_from_zero():
    """Issue 10 item 14: hold and discard are not joined by a line, an all-zero panel has no negative axis,
    seconds read in hours, and ticks never use scientific notation."""
    import matplotlib.pyplot as plt

    from journeysim.sweep import _panel

    ok = pd.DataFrame({"grid.mode": ["hold", "hold", "discard", "discard"], "status": "ok",
                       "held_peak": [14000, 15000, 0, 0], "org_cap": [0, 0, 0, 0],
                       "send_delay_max_s": [21600.0, 21600.0, 0.0, 0.0]})
    fig, axes = plt.subplots(1, 3)
    try:
        for ax, figure in zip(axes, ("held_peak", "org_cap", "send_delay_max_s")):
            _panel(ax, ok, figure, "mode", [])
        held, cap, delay = axes
        (series,) = held.containers
        assert series.lines[0].get_linestyle() == "None"  # points, not a line between hold and discard
        assert [t.get_text() for t in held.get_xticklabels()] == ["hold", "discard"]
        assert held.yaxis.get_major_formatter()(14390, 0) == "14,390"
        assert cap.get_ylim() == (0, 1)
        assert delay.get_title() == "Latest held send, delay (hours)"
        assert delay.containers[0].lines[0].get_ydata().tolist() == [6.0, 0.0]
    finally:
        plt.close(fig)


def test_a_sweep_row_is_rebuilt_alone_by_run_with_its_overrides_and_replication(tiny, tmp_path):
    """sweeps.md: any run can be rebuilt with `journeysim run SCENARIO --set ... --replication R`
    (without --replication a run draws as no replication does, not as replication 0)."""
    table = sweep(tiny, tmp_path / "sw")
    row = table[(table.replication == 1) & (table["grid.org.resume_rate"] == "20/s") & (table["grid.timeline[1].at"] == "700s")].iloc[0]
    args = ["run", str(tiny), "--set", "org.resume_rate=20/s", "--set", "timeline[1].at=700s", "-q", "--no-report"]
    alone = CliRunner().invoke(main, [*args, "--replication", "1", "--out", str(tmp_path / "one")])
    assert alone.exit_code == 0, alone.output
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    assert summary["replication"] == 1 and summary["journeys"]["j"]["arrived"] == row["arrived"]
    plain = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0
    assert json.loads((tmp_path / "plain" / "summary.json").read_text())["journeys"]["j"]["arrived"] != row["arrived"]
