"""Long-format tables: the sampled time series and the step-event log.

Each table is first built as numpy columns (text columns as codes into sorted category names);
``*_frame`` turns them into a pandas DataFrame and ``write_parquet`` writes them with pyarrow
alone, so a command-line run that nobody reads in pandas does not import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..engine.recorder import EVENT_CODE, EVENTS, KINDS_PER_NODE, NOT_IN_REPORT, REASON_CODE, REASONS, SERIES_STATES

if TYPE_CHECKING:
    import pandas as pd

    from ..engine.simulation import Simulation

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
        return pa.DictionaryArray.from_arrays(_arrow(self.codes), names)


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


def event_columns(sim: Simulation) -> dict[str, np.ndarray | Coded] | None:
    """The step-event log in time order (ties in the order the engine recorded them); None if empty.

    The recorder keeps one int32 kind per event (node, event, reason: ``recorder.KINDS_PER_NODE``);
    every text column is then a lookup of the ordered kinds in a table as long as the kinds present.
    """
    chunks = sim.recorder.event_chunks
    if not chunks:
        return None
    t = np.concatenate([c[0] for c in chunks])
    order = time_order(t)
    kinds = np.concatenate([c[2] for c in chunks])
    present = np.flatnonzero(np.bincount(kinds))
    kinds = kinds[order]
    rows = np.concatenate([c[1] for c in chunks])[order]
    ids = sim.population.ids
    node_of, slot = np.divmod(present, KINDS_PER_NODE)
    event_of, reason_of = np.divmod(slot, len(REASONS) + 1)
    reason_of -= 1
    journey_of = np.array([sim.nodes[g].journey for g in node_of.tolist()], dtype=np.int64)
    labels = [c.label for c in sim.journeys_c]
    versions = np.array([c.spec.version for c in sim.journeys_c], dtype=np.int64)
    lookup = _KindLookup(kinds, present)
    discarded = event_of == EVENT_CODE["discarded"]
    hidden = discarded & np.isin(reason_of, [REASON_CODE[r] for r in NOT_IN_REPORT])
    return {
        "t_s": t[order] * sim.res,
        "profile_id": rows.astype(np.int64) if np.array_equal(ids, np.arange(len(ids))) else ids[rows],
        "journey": lookup.coded([labels[j] for j in journey_of.tolist()], len(labels)),
        "version": lookup.values(versions[journey_of]),
        "node": lookup.coded([sim.nodes[g].node_id for g in node_of.tolist()], len(sim.nodes)),
        "event": Coded(lookup.values(event_of.astype(np.int8)), list(EVENTS)),
        "reason": lookup.coded([(REASONS + ("",))[r] for r in reason_of.tolist()], len(REASONS) + 1),
        "in_report": lookup.values(~hidden),
    }


class _KindLookup:
    """Per-row columns from per-kind values: ``values[k]`` for the kinds present, gathered by each row's kind."""

    def __init__(self, kinds: np.ndarray, present: np.ndarray):
        self.kinds, self.present = kinds, present
        self.size = int(present[-1]) + 1 if len(present) else 0

    def values(self, per_present: np.ndarray) -> np.ndarray:
        if len(per_present) and (per_present == per_present[0]).all():
            return np.full(len(self.kinds), per_present[0], dtype=per_present.dtype)
        table = np.zeros(self.size, dtype=per_present.dtype)
        table[self.present] = per_present
        return table[self.kinds]

    def coded(self, names: list[str], universe: int) -> Coded:
        """A text column: categories the sorted distinct ``names`` (one per kind present); codes int8 when
        fewer than 127 names could occur (``universe``), as ``Coded.of`` makes them."""
        categories = sorted(set(names))
        position = {name: k for k, name in enumerate(categories)}
        codes = np.array([position[name] for name in names], dtype=np.int8 if universe < 127 else np.int32)
        return Coded(self.values(codes), categories)


def frame(columns: dict[str, np.ndarray | Coded]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({name: c.pandas() if isinstance(c, Coded) else c for name, c in columns.items()})


def empty_events_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "t_s" else "bool" if c == "in_report" else "object")
                         for c in EVENT_COLUMNS})


def write_parquet(columns: dict[str, np.ndarray | Coded], path) -> None:
    """Write a table's columns to Parquet with pyarrow (no pandas): text columns dictionary-encoded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([c.arrow() if isinstance(c, Coded) else _arrow(c) for c in columns.values()],
                                 names=list(columns))
    pq.write_table(table, path)


def timeseries(sim: Simulation) -> pd.DataFrame:
    return frame(timeseries_columns(sim))


def events(sim: Simulation) -> pd.DataFrame:
    columns = event_columns(sim)
    return empty_events_frame() if columns is None else frame(columns)


def time_order(t: np.ndarray) -> np.ndarray:
    """``np.argsort(t, kind="stable")``, faster for the event log's ticks (non-negative, far fewer distinct
    values than 2**32): a least-significant-digit radix sort, numpy's stable sort of the low 16 bits
    then of the high bits (both radix sorts in numpy). Other keys: each tick and its position packed
    into one int64 key (unique keys, so any sort gives the stable order), sorted in place."""
    n = len(t)
    if n == 0 or t.min() < 0:
        return np.argsort(t, kind="stable")
    high = int(t.max()) >> 16
    if high < 1 << 16:
        order = np.argsort(t.astype(np.uint16), kind="stable")  # the low 16 bits (astype wraps)
        if high:
            high_bits = (t >> 16).astype(np.uint8 if high < 1 << 8 else np.uint16)[order]
            order = order[np.argsort(high_bits, kind="stable")]
        return order
    if int(t.max()) >= ((1 << 63) - n) // n:
        return np.argsort(t, kind="stable")
    key = t.astype(np.int64) * n
    key += np.arange(n, dtype=np.int64)
    key.sort(kind="stable")
    key %= n
    return key
