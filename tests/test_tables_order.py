"""The step-event log's time order: a linear radix sort that must equal numpy's stable argsort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from journeysim.outputs.tables import time_order


@given(arrays(np.int64, st.integers(0, 300), elements=st.one_of(st.integers(0, 5), st.integers(0, 2**40))))
def test_time_order_is_the_stable_argsort(t):
    assert (time_order(t) == np.argsort(t, kind="stable")).all()


def test_time_order_keeps_ties_in_recording_order():
    t = np.array([70_000, 3, 70_000, 3, 65_536, 0], dtype=np.int64)
    assert time_order(t).tolist() == [5, 1, 3, 4, 0, 2]
