"""Small runs start fast (issue 15): the command line imports the heavy libraries only where they are used.

Each check runs in a fresh interpreter and reads ``sys.modules``: what a module imports, not how long it takes.
"""

import json
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
