"""The step-event log (``events.parquet``): the recorder's chunks put in time order, as columns.

The recorder keeps one integer kind per event (node, event and reason: ``recorder.KINDS_PER_NODE``);
every text column is a lookup of the ordered kinds in a table as long as the kinds present. The log
is built when first used: as whole columns (a mapping, what a DataFrame is made of), or written to
Parquet a row group at a time, each row group built while a second thread writes the one before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ..engine.recorder import EVENT_CODE, EVENTS, KINDS_PER_NODE, NOT_IN_REPORT, REASON_CODE, REASONS
from .ordering import TimeSorted
from .tables import EVENT_COLUMNS, Coded, arrow_table, parquet_options

if TYPE_CHECKING:
    from ..engine.simulation import Simulation
    from .event_stream import EventStream

ROW_GROUP = 1 << 18  # rows per Parquet row group: a few MiB of columns in memory at a time


class EventLog(Mapping):
    """The step-event log in time order (ties in the order the engine recorded them)."""

    def __init__(self, sim: Simulation):
        self.chunks = sim.recorder.event_chunks  # (ticks, profile rows, kinds); a live run may record more
        self.res = sim.res
        self.ids = None if sim.population.ids_are_row_numbers else sim.population.ids  # None: the id is the row number
        self.node_ids = [n.node_id for n in sim.nodes]
        self.node_journey = [n.journey for n in sim.nodes]
        self.labels = [c.label for c in sim.journeys_c]
        self.versions = np.array([c.spec.version for c in sim.journeys_c], dtype=np.int64)
        self._columns: dict | None = None
        self._tables: dict | None = None
        self._ordered: TimeSorted | None = None
        self._complete = False
        self.stream: EventStream | None = None  # the log streamed to Parquet during the run, if it was

    # ---------------------------------------------------------------- whole columns (a Mapping)
    def __getitem__(self, name: str):
        if self._columns is None:
            for _ in self._fill():
                pass
            ordered = self._ordered
            self._columns = self._rows(*ordered.columns, ordered.ticks_at(0, ordered.size))
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(EVENT_COLUMNS)

    def __len__(self) -> int:
        return len(EVENT_COLUMNS)

    # ---------------------------------------------------------------- Parquet, row group by row group
    def write_parquet(self, path) -> None:
        import pyarrow.parquet as pq

        if self.stream is not None:  # written during the run: moved into place
            stream, self.stream = self.stream, None
            stream.deliver(path)
            return
        if self._columns is not None:  # already built whole
            tables = iter([self._arrow(self._columns)])
        else:
            tables = (self._arrow(self._rows(*group)) for group in self._row_groups())
        first = next(tables)
        with pq.ParquetWriter(path, first.schema, **parquet_options(first.schema, also_dictionary=("version",))) as writer, \
                ThreadPoolExecutor(1, thread_name_prefix="journeysim-events") as pool:
            pending = pool.submit(writer.write_table, first, ROW_GROUP)
            for table in tables:
                pending.result()
                pending = pool.submit(writer.write_table, table, ROW_GROUP)
            pending.result()

    # ---------------------------------------------------------------- building rows
    def _fill(self) -> Iterator[int]:
        """Sort the log (once): yields how many leading events are final so far."""
        if self._ordered is not None:
            if not self._complete:
                raise RuntimeError("the step-event log is being sorted by another reader, or its sort failed")
            yield self._ordered.size
            return
        self._lookups()
        self._ordered = TimeSorted(self.chunks)
        yield from self._ordered.fill()
        self._complete = True

    def _row_groups(self) -> Iterator[tuple[np.ndarray, ...]]:
        """``(rows, kinds, ticks)`` in consecutive slices of ROW_GROUP events, each as soon as it is final."""
        start = 0
        for done in self._fill():
            ordered = self._ordered
            while done - start >= ROW_GROUP or (done == ordered.size and done > start):
                end = min(start + ROW_GROUP, done)
                yield (*(c[start:end] for c in ordered.columns), ordered.ticks_at(start, end))
                start = end

    def _lookups(self) -> dict:
        """Per kind present: each column's value (the tables of the lookups), computed once."""
        if self._tables is None:
            size = max(int(c[2].max()) for c in self.chunks) + 1
            self._tables = self.kind_tables(np.flatnonzero(sum(np.bincount(c[2], minlength=size) for c in self.chunks)))
        return self._tables

    def kind_tables(self, present: np.ndarray) -> dict:
        """The lookups for a log whose kinds are ``present`` (ascending): text columns are dictionaries of
        the names these kinds have."""
        node_of, slot = np.divmod(present, KINDS_PER_NODE)
        event_of, reason_of = np.divmod(slot, len(REASONS) + 1)
        reason_of -= 1
        journey_of = np.array([self.node_journey[g] for g in node_of.tolist()], dtype=np.int64)
        hidden = (event_of == EVENT_CODE["discarded"]) & np.isin(reason_of, [REASON_CODE[r] for r in NOT_IN_REPORT])
        return {
            "present": present,
            "journey": _coded([self.labels[j] for j in journey_of.tolist()], len(self.labels)),
            "version": self.versions[journey_of],
            "node": _coded([self.node_ids[g] for g in node_of.tolist()], len(self.node_ids)),
            "event": (event_of.astype(np.int8), list(EVENTS)),
            "reason": _coded([(REASONS + ("",))[r] for r in reason_of.tolist()], len(REASONS) + 1),
            "in_report": ~hidden,
        }

    def _rows(self, rows: np.ndarray, kinds: np.ndarray, ticks: np.ndarray, lookups: dict | None = None) -> dict[str, np.ndarray | Coded]:
        """The columns of events given by their profile rows, kinds and ticks (``lookups``: ``kind_tables``)."""
        lookups = self._lookups() if lookups is None else lookups
        table = _KindTable(kinds, lookups["present"])
        columns: dict[str, np.ndarray | Coded] = {
            "t_s": ticks * self.res,
            "profile_id": rows.astype(np.int64) if self.ids is None else self.ids[rows],
        }
        for name in ("journey", "version", "node", "event", "reason", "in_report"):
            value = lookups[name]
            if isinstance(value, tuple):
                codes, categories = value
                columns[name] = Coded(table.values(codes), categories)
            else:
                columns[name] = table.values(value)
        return {name: columns[name] for name in self}

    @staticmethod
    def _arrow(columns: dict):
        return arrow_table(columns)


class _KindTable:
    """Per-row values from per-kind values: ``values[k]`` for the kinds present, gathered by each row's kind."""

    def __init__(self, kinds: np.ndarray, present: np.ndarray):
        self.kinds, self.present = kinds, present
        self.size = int(present[-1]) + 1 if len(present) else 0

    def values(self, per_present: np.ndarray) -> np.ndarray:
        if len(per_present) == 0 or (per_present == per_present[0]).all():
            fill = per_present[0] if len(per_present) else 0
            return np.full(len(self.kinds), fill, dtype=per_present.dtype)
        table = np.zeros(self.size, dtype=per_present.dtype)
        table[self.present] = per_present
        return table[self.kinds]


def _coded(names: list[str], universe: int) -> tuple[np.ndarray, list[str]]:
    """Per kind present, a code into the sorted distinct ``names``; int8 codes when fewer than 127 names
    could occur (``universe``), as ``Coded.of`` makes them."""
    categories = sorted(set(names))
    position = {name: k for k, name in enumerate(categories)}
    return np.array([position[name] for name in names], dtype=np.int8 if universe < 127 else np.int32), categories
