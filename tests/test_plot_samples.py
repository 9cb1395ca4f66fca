"""plots.Samples: the report's figures read the time series as numpy columns, from a fresh run's coded
columns or from any DataFrame (a saved run read back, or one a user built), with the same sums."""

import numpy as np
import pandas as pd

from journeysim.api import Result
from journeysim.outputs.tables import Coded
from journeysim.plots import Samples

ROWS = {  # two sample times; journey a has two nodes, so a's held count at t is the sum over both
    "t_s": [0, 0, 0, 0, 300, 300, 300, 300],
    "journey": ["a", "a", "a", "b", "a", "a", "a", "b"],
    "node": ["n1", "n2", "n1", "m", "n1", "n2", "n1", "m"],
    "state": ["held", "held", "waiting", "held", "held", "held", "waiting", "held"],
    "count": [2, 3, 7, 1, 0, 4, 5, 6],
}


def coded(values: list[str]) -> Coded:
    names = sorted(set(values))
    return Coded(np.array([names.index(v) for v in values], dtype=np.int8), names)


def results() -> list[Result]:
    frame = pd.DataFrame(ROWS)
    columns = {"t_s": np.array(ROWS["t_s"], dtype=np.int64), "count": np.array(ROWS["count"], dtype=np.int64),
               **{name: coded(ROWS[name]) for name in ("journey", "node", "state")}}
    categorical = frame.astype({"journey": "category", "node": "category", "state": "category"})
    return [Result({}, frame), Result({}, categorical), Result({}, columns={"timeseries": columns})]


def test_samples_sum_each_time_over_nodes_whatever_the_table_is_made_of():
    for result in results():
        samples = Samples(result)
        times, held = samples.per_time(samples.where(journey="a", states=("held",)))
        assert times.tolist() == [0.0, 300.0] and held.tolist() == [5, 4]  # 2 + 3, then 0 + 4
        times, held = samples.per_time(samples.where(states=("held",)))
        assert held.tolist() == [6, 10]  # every journey: 5 + 1, 4 + 6
        assert samples.per_time(samples.where(journey="c"))[0].tolist() == []  # a journey with no row
        assert samples.per_time(samples.where(journey="b", states=("queued",)))[1].tolist() == []
