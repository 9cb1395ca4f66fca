"""Long-format tables: the sampled time series and the step-event log.

Each table is first built as numpy columns (text columns as codes into sorted category names);
``frame`` turns them into a pandas DataFrame and ``write_parquet`` writes them with pyarrow
alone, so a command-line run that nobody reads in pandas does not import pandas. The step-event
log is a mapping of such columns built when first used (``event_log.EventLog``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..engine.recorder import SERIES_STATES
from .ordering import time_order  # noqa: F401 (the event log's order, tested here)

if TYPE_CHECKING:
    import pandas as pd

    from ..engine.simulation import Simulation
    from .event_log import EventLog

IN_JOURNEY_NODE = "(journey)"
TIMESERIES_COLUMNS = ("t_s", "journey", "node", "state", "count", "status")
EVENT_COLUMNS = ("t_s", "profile_id", "journey", "version", "node", "event", "reason", "in_report")


class Coded:
    """A text column as codes into ``categories`` (sorted, only the names present): a pandas Categorical."""

    def __init__(self, codes: np.ndarray, categories: list[str]):
        self.codes, self.categories = codes, categories

    @classmethod
    def of(cls, codes: np.ndarray, names, *, present: np.ndarray | None = None) -> Coded:
        """``names[codes]`` as a coded column, without a string per row."""
        names = list(names)
        if present is None:
            present = np.flatnonzero(np.bincount(codes, minlength=len(names)))
        categories = sorted({names[i] for i in present})  # names may repeat (a node id in two journeys)
        remap = np.full(len(names), -1, dtype=np.int8 if len(names) < 127 else np.int32)
        position = {name: k for k, name in enumerate(categories)}
        remap[present] = [position[names[i]] for i in present]
        return cls(remap[codes], categories)

    @classmethod
    def fixed(cls, codes: np.ndarray, categories: list[str]) -> Coded:
        return cls(codes.astype(np.int8 if len(categories) < 127 else np.int32), list(categories))

    def pandas(self):
        import pandas as pd

        return pd.Categorical.from_codes(self.codes, dtype=pd.CategoricalDtype(pd.Index(self.categories)))

    def arrow(self):
        import pyarrow as pa

        encoded = [name.encode() for name in self.categories]
        offsets = np.concatenate(([0], np.cumsum([len(e) for e in encoded]))).astype(np.int32)
        names = pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])
        return pa.DictionaryArray.from_arrays(_arrow(self.codes), names, safe=False)  # our codes are in range: no check pass


def _arrow(values: np.ndarray):
    """A numpy number column as a pyarrow array, zero-copy. (``pa.array`` would import pandas to check the type.)"""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def _status_at(log: list[tuple[int, str]], times: np.ndarray) -> np.ndarray:
    ticks = np.array([t for t, _ in log])
    return np.searchsorted(ticks, times, side="right") - 1


def timeseries_columns(sim: Simulation) -> dict[str, np.ndarray | Coded]:
    """Counts per (sample time, journey, node, state), ordered by time, journey, node and state."""
    rec = sim.recorder
    times = np.arange(rec.samples, dtype=np.int64) * rec.sample_ticks
    series = rec.series()
    labels = [c.label for c in sim.journeys_c]
    parts = []  # (journey, node name, state name, counts)
    for (key, state), counts in sorted(series.items()):
        if key < 0:
            parts.append((-1 - key, IN_JOURNEY_NODE, "in_journey", counts))
        else:
            node = sim.nodes[key]
            parts.append((node.journey, node.node_id, SERIES_STATES[state], counts))
    for j in range(len(labels)):
        if not any((-1 - j, 0) == k for k in series):
            parts.append((j, IN_JOURNEY_NODE, "in_journey", np.zeros(len(times), dtype=np.int64)))
    n = len(times)
    nodes = sorted({p[1] for p in parts})
    states = sorted({p[2] for p in parts})
    statuses: list[str] = []
    status_code: dict[str, int] = {}
    journey = np.repeat(np.array([p[0] for p in parts], dtype=np.int64), n)
    node = np.repeat(np.array([nodes.index(p[1]) for p in parts], dtype=np.int64), n)
    state = np.repeat(np.array([states.index(p[2]) for p in parts], dtype=np.int64), n)
    status = np.empty(len(parts) * n, dtype=np.int64)
    for k, (j, *_rest) in enumerate(parts):
        log = rec.journeys[j].status_log
        codes = [status_code.setdefault(name, len(status_code)) for _, name in log]
        status[k * n:(k + 1) * n] = np.array(codes, dtype=np.int64)[_status_at(log, times)]
    statuses = list(status_code)
    journey_rank = np.argsort(np.argsort(np.array(labels), kind="stable"), kind="stable")
    t = np.tile(times, len(parts))
    order = np.lexsort((state, node, journey_rank[journey], t))  # stable: ties keep the series order
    count = np.concatenate([np.asarray(p[3], dtype=np.int64) for p in parts]) if parts else np.zeros(0, np.int64)
    return {"t_s": t[order] * sim.res, "journey": Coded.of(journey[order], labels),
            "node": Coded.of(node[order], nodes), "state": Coded.of(state[order], states),
            "count": count[order], "status": Coded.of(status[order], statuses)}


def event_columns(sim: Simulation) -> EventLog | None:
    """The step-event log in time order (a mapping of columns, built when first used); None if empty."""
    from .event_log import EventLog

    return EventLog(sim) if sim.recorder.event_chunks else None


def frame(columns: dict[str, np.ndarray | Coded]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({name: c.pandas() if isinstance(c, Coded) else c for name, c in columns.items()})


def empty_events_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "t_s" else "bool" if c == "in_report" else "object")
                         for c in EVENT_COLUMNS})


def write_parquet(columns: Mapping[str, np.ndarray | Coded], path) -> None:
    """Write a table's columns to Parquet with pyarrow (no pandas): text columns dictionary-encoded."""
    import pyarrow.parquet as pq

    if hasattr(columns, "write_parquet"):  # the event log writes itself, a row group at a time
        columns.write_parquet(path)
        return
    table = arrow_table(columns)
    pq.write_table(table, path, **parquet_options(table.schema))


def arrow_table(columns: Mapping[str, np.ndarray | Coded]):
    """The columns as a pyarrow Table. No column of our tables holds a missing value, so every field
    is declared non-nullable: Parquet then stores no definition level per value (a third of the
    writing time of the event log)."""
    import pyarrow as pa

    arrays = [column.arrow() if isinstance(column, Coded) else _arrow(column) for column in columns.values()]
    schema = pa.schema([pa.field(name, array.type, nullable=False) for name, array in zip(columns, arrays)])
    return pa.Table.from_arrays(arrays, schema=schema)


def parquet_options(schema, also_dictionary: tuple[str, ...] = ()) -> dict:
    """Parquet settings for our tables: dictionary pages only for the text columns (already
    dictionaries) and ``also_dictionary``, where they shrink the file; min/max statistics only for the
    other columns (for text columns pyarrow computes them from the strings, a third of the writing)."""
    import pyarrow as pa

    text = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    return {"use_dictionary": text + [name for name in also_dictionary if name in schema.names],
            "write_statistics": [f.name for f in schema if f.name not in text], "compression": "snappy"}


def timeseries(sim: Simulation) -> pd.DataFrame:
    return frame(timeseries_columns(sim))


def events(sim: Simulation) -> pd.DataFrame:
    columns = event_columns(sim)
    return empty_events_frame() if columns is None else frame(columns)
