"""Input files are checked before they are read (issue 10 item 6): a named pipe, a device or a folder
is called what it is, an over-large or sparse file is refused by its size, and one huge value is
refused. Each case runs the CLI in a child process bounded in time and memory (address space), so
a regression fails instead of hanging the suite."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import linear_journey, scenario

from journeysim import population

MEMORY_BOUND = 1536 * 2**20


def bounded(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """journeysim ARGS in a child limited to 1.5 GiB of address space; a timeout fails the test."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))

    return subprocess.run([sys.executable, "-m", "journeysim.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit)


def refused(done: subprocess.CompletedProcess, words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and words in done.stderr, done.stderr


def scenario_naming(tmp_path: Path, population_file: str | None = None, arrivals_file: str | None = None) -> Path:
    doc = scenario(linear_journey())
    if population_file:
        doc["population"] = {"file": population_file}
    if arrivals_file:
        doc["journeys"][0]["nodes"]["entry"]["arrivals"] = {"file": arrivals_file}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_scenario_that_is_a_pipe_a_device_or_a_folder_is_named_so(tmp_path, kind):
    target = {"fifo": tmp_path / "pipe.yaml", "device": Path("/dev/zero"), "folder": tmp_path / "d.yaml"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    done = bounded("run", str(target), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert {"fifo": "named pipe (FIFO)", "device": "it is a device", "folder": "is a directory"}[kind] in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_twenty_megabyte_scenario_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * 2_100_000)
    refused(bounded("validate", str(big), cwd=tmp_path, timeout=20), "more than the 2.0 MiB a scenario file may be")


@pytest.mark.parametrize("kind, words", [
    ("fifo", "it is a named pipe (FIFO), not a file"),
    ("device", "it is a device, not a file"),
    ("folder", "it is a folder, not a file"),
])
def test_a_population_file_that_is_a_pipe_a_device_or_a_folder_is_named_so(tmp_path, kind, words):
    name = {"fifo": "people.csv", "device": "/dev/zero", "folder": "people.csv"}[kind]
    if kind == "fifo":
        os.mkfifo(tmp_path / name)
    elif kind == "folder":
        (tmp_path / name).mkdir()
    done = bounded("validate", str(scenario_naming(tmp_path, name)), cwd=tmp_path)
    refused(done, f"cannot read population file {name!r}: {words}")
    assert "no such file" not in done.stderr


def test_an_arrivals_file_that_is_a_pipe_is_named_so(tmp_path):
    os.mkfifo(tmp_path / "times.csv")
    path = scenario_naming(tmp_path, arrivals_file="times.csv")
    refused(bounded("validate", str(path), cwd=tmp_path), "cannot read arrivals file 'times.csv': it is a named pipe")


@pytest.mark.parametrize("suffix, words", [("csv", "binary data (NUL bytes)"), ("parquet", "not a Parquet file")])
def test_a_sparse_two_gigabyte_population_file_is_refused_without_reading_it(tmp_path, suffix, words):
    with open(tmp_path / f"people.{suffix}", "wb") as handle:
        handle.truncate(2 * 2**30)
    refused(bounded("validate", str(scenario_naming(tmp_path, f"people.{suffix}")), cwd=tmp_path, timeout=20), words)


def test_a_population_file_too_large_for_memory_is_refused_with_an_estimate(tmp_path, monkeypatch):
    """3,000 bytes of CSV need about 5 x 3,000 bytes to read; with 10 KB available that is refused before reading."""
    path = tmp_path / "people.csv"
    path.write_text("profile_id,score\n" + "".join(f"{i},{i % 7}\n" for i in range(400)))
    monkeypatch.setattr(population, "available_memory", lambda: 10_000)
    read = []
    import pandas
    monkeypatch.setattr(pandas, "read_csv", lambda *a, **k: read.append(1))
    with pytest.raises(population.PopulationError, match=r"needs about 0\.0 GiB to read, more than 80% of the 0\.0 GiB"):
        population.read_table(path)
    assert read == []
    assert population.CSV_MEMORY_PER_BYTE * path.stat().st_size > 0.8 * 10_000


def test_one_six_hundred_thousand_character_value_is_refused(tmp_path):
    rows = "".join(f"{i},FR,30\n" for i in range(1000)) + "1000," + "x" * 600_000 + ",30\n"
    (tmp_path / "people.csv").write_text("profile_id,country,age\n" + rows)
    refused(bounded("validate", str(scenario_naming(tmp_path, "people.csv")), cwd=tmp_path),
            "column 'country' data row 1001 holds a value of 600,000 characters, more than 1,000")


def test_a_sweep_file_that_is_a_pipe_is_refused(tmp_path, fifo):
    refused(bounded("sweep", str(fifo), "--grid", "seed=1,2", "--out", str(tmp_path / "o"), cwd=tmp_path), "named pipe (FIFO)")


def test_a_long_text_value_in_the_scenario_is_refused_before_the_population_is_built(tmp_path):
    """2,000 characters x 200,000 profiles would be 1.6 GB of one attribute: the value is refused, not stored."""
    doc = scenario(linear_journey(), size=200_000, attributes={"tier": {"constant": "t" * 2000}})
    doc["journeys"][0]["nodes"]["mark"] = {"type": "update_profile", "set": {"tier": "u" * 5000}, "next": "done"}
    doc["journeys"][0]["nodes"]["send"]["next"] = "mark"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    done = bounded("validate", str(path), cwd=tmp_path)
    refused(done, "population.attributes.tier: a text value of 2,000 characters, more than 1,000")
    assert "journeys[0].nodes.mark.set.tier: a text value of 5,000 characters" in done.stderr
