"""The long-format tables: the step-event log's time order (a packed-key sort that must equal numpy's
stable argsort), text columns as codes, and Parquet written by pyarrow alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from journeysim.outputs.tables import time_order

ROOT = Path(__file__).resolve().parents[1]


@given(arrays(np.int64, st.integers(0, 300), elements=st.one_of(st.integers(0, 5), st.integers(0, 2**40))))
def test_time_order_is_the_stable_argsort(t):
    assert (time_order(t) == np.argsort(t, kind="stable")).all()


def test_time_order_keeps_ties_in_recording_order():
    t = np.array([70_000, 3, 70_000, 3, 65_536, 0], dtype=np.int64)
    assert time_order(t).tolist() == [5, 1, 3, 4, 0, 2]


def test_coded_column_merges_a_node_id_used_in_two_journeys():
    from journeysim.outputs.tables import Coded

    column = Coded.of(np.array([0, 1, 2, 1]), ["done", "a", "done"])
    assert column.categories == ["a", "done"]
    assert list(column.pandas()) == ["done", "a", "done", "a"]


def test_tables_written_without_pandas_read_back_as_the_frames(tmp_path):
    """events.parquet and timeseries.parquet written by pyarrow alone hold what the DataFrames hold."""
    import pandas as pd

    import journeysim

    path = ROOT / "scenarios" / "org-cap-small.yaml"  # two journeys that share node ids
    result = journeysim.run(journeysim.load(path, overrides={"population.size": 2000}), events=True)
    result.write_table("timeseries", tmp_path / "t.parquet")
    result.write_table("events", tmp_path / "e.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), result.timeseries)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "e.parquet"), result.events)
    assert result.events["node"].cat.categories.is_unique


def test_a_run_without_report_does_not_import_pandas_or_matplotlib(tmp_path):
    code = ("import sys; from journeysim.cli import main; sys.argv = ['journeysim', 'run', sys.argv[1], '--out', "
            "sys.argv[2], '--no-report', '-q']\ntry:\n    main()\nexcept SystemExit as e:\n    assert not e.code\n"
            "print(sorted(m for m in ('pandas', 'matplotlib', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "scenarios" / "org-cap-small.yaml"), str(tmp_path / "o")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "o" / "timeseries.parquet").exists()
