"""Small runs start fast (issue 15): the command line imports the heavy libraries only where they are used.

Each check runs in a fresh interpreter and reads ``sys.modules``: what a module imports, not how long it takes.
"""

import json
import os
import subprocess
import sys

from conftest import ROOT

HEAVY = ("pandas", "pyarrow", "matplotlib", "tqdm", "simpy", "pydantic", "journeysim.importers.sfmc")


def modules_after(code: str, *args: str) -> set[str]:
    report = f"\nimport json\nprint(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", code + report, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


RUN = ("import sys\nfrom journeysim.cli import main\nsys.argv = ['journeysim', 'run', *sys.argv[1:], '-q']\n"
       "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code")


def test_importing_the_command_line_loads_none_of_the_heavy_libraries():
    assert modules_after("import sys, journeysim.cli") == set()


def test_a_run_of_a_scenario_without_imported_journeys_does_not_load_the_importers(tmp_path):
    loaded = modules_after(RUN, str(ROOT / "scenarios" / "bench-10m.yaml"), "--set", "population.size=100",
                           "--out", str(tmp_path / "o"), "--no-report")
    assert "journeysim.importers.sfmc" not in loaded
    assert not {"pandas", "matplotlib", "tqdm"} & loaded
    assert (tmp_path / "o" / "timeseries.parquet").is_file()


def test_a_run_with_the_report_leaves_matplotlib_and_pandas_to_the_renderer(tmp_path):
    """The figures are drawn by the forked renderer (which loaded matplotlib while the run went on):
    this process imports neither matplotlib nor pandas, and the page has its six figures inline."""
    loaded = modules_after(RUN, str(ROOT / "scenarios" / "bench-10m.yaml"), "--set", "population.size=100",
                           "--out", str(tmp_path / "o"))
    page = (tmp_path / "o" / "report.html").read_text()
    assert page.count("<figure id=") == 6 and page.count("<svg ") == 6
    if hasattr(os, "fork") and len(os.sched_getaffinity(0)) > 1:
        assert not {"pandas", "matplotlib"} & loaded
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [".journeysim-manifest.json", "report.html", "summary.json",
                                                                  "timeseries.parquet"]


def test_a_renderer_that_fails_leaves_the_figures_to_this_process(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from journeysim.cli import main
    from journeysim.outputs import figures

    monkeypatch.setattr(figures, "_serve", lambda job, back: None)  # the renderer leaves without drawing
    done = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "bench-10m.yaml"), "--set", "population.size=100",
                                     "--out", str(tmp_path / "o"), "-q"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "o" / "report.html").read_text().count("<svg ") == 6


def test_a_refused_scenario_stops_the_renderer_at_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    done = subprocess.run([sys.executable, "-m", "journeysim", "run", str(bad), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "refused" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
