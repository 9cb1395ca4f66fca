"""update_profiles (timeline) and update_profile (node) write every column type of every population
source: generated, CSV and Parquet columns are the population's own, writable arrays."""

import numpy as np
import pandas as pd
import pytest
import yaml

import journeysim
from journeysim import population

# column type -> (value before, value written, expression true only after the write)
TYPES = {
    "int": (0, 1, "bought == 1"),
    "float": (0.5, 2.5, "bought == 2.5"),
    "bool": (False, True, "bought == true"),
    "text": ("no", "yes", "bought == 'yes'"),
}


def write_scenario(tmp_path, path_kind: str, column: str, source: str):
    before, after, test = TYPES[column]
    frame = pd.DataFrame({"profile_id": [0, 1, 2], "bought": [before] * 3})
    if source == "csv":
        frame.to_csv(tmp_path / "people.csv", index=False)
        pop = {"file": "people.csv"}
    elif source == "parquet":
        frame.to_parquet(tmp_path / "people.parquet", index=False)
        pop = {"file": "people.parquet"}
    else:
        pop = {"size": 3, "attributes": {"bought": {"constant": before}}}
    nodes = {
        "read": {"type": "read_audience", "audience": "all", "schedule": {"at": "0s"}, "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "1h"}, "next": "check"},
        "check": {"type": "condition", "branches": [{"when": test, "next": "yes"}, {"otherwise": "no"}]},
        "yes": {"type": "action", "channel": "push", "next": "done"},
        "no": {"type": "action", "channel": "email", "next": "done"},
        "done": {"type": "end"},
    }
    timeline = []
    if path_kind == "node":
        nodes["read"]["next"] = "mark"
        nodes["mark"] = {"type": "update_profile", "set": {"bought": after}, "next": "wait"}
    else:
        timeline = [{"at": "30m", "update_profiles": {"where": "all", "set": {"bought": after}}}]
    doc = {"name": "writes", "seed": 1, "platform": "ajo", "duration": "2h", "resolution": "1s", "report_every": "1m",
           "population": pop, "journeys": [{"key": "j", "start": "read", "nodes": nodes}], "timeline": timeline}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize("source", ["generated", "csv", "parquet"])
@pytest.mark.parametrize("column", sorted(TYPES))
@pytest.mark.parametrize("path_kind", ["timeline", "node"])
def test_every_write_path_writes_every_column_type_of_every_source(tmp_path, path_kind, column, source):
    """All 3 profiles are read at 0 s and checked at 1 h, after the write (at 30 min, or on entry): 3 pushes, 0 emails."""
    result = journeysim.run(journeysim.load(write_scenario(tmp_path, path_kind, column, source)))
    actions = result.summary["journeys"]["j"]["actions"]
    assert actions.get("yes", 0) == 3 and actions.get("no", 0) == 0, actions


@pytest.mark.parametrize("source", ["csv", "parquet"])
def test_columns_read_from_a_file_are_owned_writable_arrays(tmp_path, source):
    frame = pd.DataFrame({"profile_id": [5, 6], "n": [1, 2], "x": [0.5, 1.5], "b": [True, False], "t": ["a", "b"]})
    path = tmp_path / f"people.{source}"
    frame.to_csv(path, index=False) if source == "csv" else frame.to_parquet(path, index=False)
    table = population.from_frame(population.read_table(path), path.name)
    for name, column in table.columns.items():
        assert column.flags.writeable and column.flags.owndata, name
    assert table.ids.flags.writeable


def test_a_fraction_written_into_a_whole_number_column_is_kept_whole():
    table = population.Population(np.arange(3), {"n": np.array([1, 2, 3])})
    table.set_values("n", np.array([1]), 2.5)
    assert table.columns["n"].tolist() == [1.0, 2.5, 3.0]
    table.set_values("n", np.array([0]), 7)
    assert table.columns["n"].tolist() == [7.0, 2.5, 3.0]
