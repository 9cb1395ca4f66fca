"""The time order of the step-event log: a stable sort of the recorded events by their ticks.

numpy's stable argsort of an int64 array is a timsort, its scratch buffer comes from ``malloc``
(fresh memory, a page fault per 4 KiB on first touch), and gathering columns by the resulting order
reads memory at random. Here the events are moved, chunk by chunk, into buckets of ticks (a few
thousand ticks wide: the high bits) and each bucket is then sorted by its low bits with numpy's radix
sort of uint16 keys. Every sort and gather is small and local, and each bucket is final before the
next is sorted, so the writer can start on the first rows early.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

BLOCK = 1 << 16  # events bucketed at a time
MAX_BUCKETS = 1 << 12


def time_order(t: np.ndarray) -> np.ndarray:
    """``np.argsort(t, kind="stable")``."""
    ordered = TimeSorted([(t, np.arange(len(t)))])
    for _ in ordered.fill():
        pass
    return ordered.columns[0]


class TimeSorted:
    """Recorded chunks ``(ticks, column, column, ...)`` sorted by tick, stably (ties in recording order).

    ``fill()`` sorts, yielding how many leading rows of ``columns`` are final so far;
    ``ticks_at(a, b)`` are the ticks of rows a to b (int64)."""

    def __init__(self, chunks: list[tuple[np.ndarray, ...]]):
        self.chunks = [c for c in chunks if len(c[0])]
        self.size = sum(len(c[0]) for c in self.chunks)
        width = len(chunks[0]) - 1 if chunks else 0
        self.columns: list[np.ndarray] = [np.zeros(0, dtype=np.int64) for _ in range(width)]
        self._sorted = np.zeros(0, dtype=np.int64)  # the ticks in order (fallback), or their low bits
        self._bounds: list[int] = [0]  # bucket boundaries in the order, and each bucket's first tick
        self._bases: list[int] = []

    def fill(self) -> Iterator[int]:
        if not self.size:
            return
        top = max(int(c[0].max()) for c in self.chunks)
        shift = max(12, top.bit_length() - 12)
        if min(int(c[0].min()) for c in self.chunks) < 0 or shift > 16 or top >> shift >= MAX_BUCKETS:
            yield from self._fill_packed()
            return
        counts = np.zeros((top >> shift) + 1, dtype=np.int64)
        for block in (b for chunk in self.chunks for b in _blocks(chunk)):
            counts += np.bincount(block[0] >> shift, minlength=len(counts))
        bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
        self.columns = [np.empty(self.size, dtype=np.result_type(*(c[k + 1] for c in self.chunks)))
                        for k in range(len(self.columns))]
        self._sorted = low = np.empty(self.size, dtype=np.uint16)  # the ticks' low bits
        cursor = bounds[:-1]
        for block in (b for chunk in self.chunks for b in _blocks(chunk)):
            _place(block, shift, cursor, low, self.columns)
        for bucket in np.flatnonzero(counts).tolist():
            start, end = bounds[bucket], bounds[bucket + 1]
            by_low = np.argsort(low[start:end], kind="stable")
            for column in (low, *self.columns):
                column[start:end] = column[start:end][by_low]
            self._bounds.append(end)
            self._bases.append(bucket << shift)
            yield end

    def _fill_packed(self) -> Iterator[int]:
        ticks = np.concatenate([c[0] for c in self.chunks])
        order = _packed_order(ticks)
        self._sorted = ticks[order].astype(np.int64)
        self.columns = [np.concatenate([c[k + 1] for c in self.chunks])[order] for k in range(len(self.columns))]
        yield self.size

    def ticks_at(self, start: int, end: int) -> np.ndarray:
        if not self._bases:
            return self._sorted[start:end]
        bounds = np.clip(self._bounds, start, end)
        return self._sorted[start:end] + np.repeat(np.array(self._bases, dtype=np.int64), np.diff(bounds))

def _blocks(chunk: tuple[np.ndarray, ...]) -> Iterator[tuple[np.ndarray, ...]]:
    if len(chunk[0]) <= BLOCK:
        yield chunk
    else:
        for start in range(0, len(chunk[0]), BLOCK):
            yield tuple(c[start:start + BLOCK] for c in chunk)


def _place(block: tuple[np.ndarray, ...], shift: int, cursor: list[int], low: np.ndarray, columns: list[np.ndarray]) -> None:
    """Append a block's low bits and columns to their buckets (at ``cursor``), in recording order."""
    ticks, *values = block
    bucket = ticks >> shift
    low_bits = (ticks & ((1 << shift) - 1)).astype(np.uint16)
    first, last = int(bucket.min()), int(bucket.max())
    if first == last:
        at, n = cursor[first], len(ticks)
        low[at:at + n] = low_bits
        for column, value in zip(columns, values):
            column[at:at + n] = value
        cursor[first] += n
        return
    relative = (bucket - first).astype(np.uint16)  # fewer than MAX_BUCKETS
    order = np.argsort(relative, kind="stable")
    counts = np.bincount(relative)
    moved = [low_bits[order], *(np.asarray(v)[order] for v in values)]
    start = 0
    for k in np.flatnonzero(counts).tolist():
        end = start + int(counts[k])
        at = cursor[first + k]
        for column, value in zip((low, *columns), moved):
            column[at:at + end - start] = value[start:end]
        cursor[first + k] += end - start
        start = end


def _packed_order(t: np.ndarray) -> np.ndarray:
    """Any int64 ticks: each tick and its position packed into one int64 key (unique keys, so any sort
    gives the stable order), sorted in place; numpy's stable argsort when the keys would overflow."""
    n = len(t)
    if n == 0 or t.min() < 0 or int(t.max()) >= ((1 << 63) - n) // n:
        return np.argsort(t, kind="stable")
    key = t.astype(np.int64) * n
    key += np.arange(n, dtype=np.int64)
    key.sort(kind="stable")
    key %= n
    return key


class TickBuckets:
    """Events sorted by tick as they arrive: each chunk ``(ticks, rows, kinds)`` is split at once into
    buckets of ``1 << shift`` ticks (each bucket in arrival order), and ``take_before(bound)`` sorts the
    buckets before ``bound`` by their low bits when they are taken. The split, the costly pass, is
    done while the engine still records; what is final is then sorted a bucket at a time.

    Events arriving after ``take_before(bound)`` must be at ``bound`` or later (checked by the caller)."""

    def __init__(self, last_tick: int):
        self.shift = max(12, int(last_tick).bit_length() - 12)  # a few thousand buckets at most
        self.low_type = np.uint16 if self.shift <= 16 else np.uint32
        self.buckets: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}  # (low bits, rows, kinds)

    def add(self, ticks: np.ndarray, rows: np.ndarray, kinds: np.ndarray) -> None:
        for start in range(0, len(ticks), BLOCK):
            self._add(ticks[start:start + BLOCK], rows[start:start + BLOCK], kinds[start:start + BLOCK])

    def _add(self, ticks: np.ndarray, rows: np.ndarray, kinds: np.ndarray) -> None:
        if not len(ticks):
            return
        bucket = ticks >> self.shift
        low = (ticks & ((1 << self.shift) - 1)).astype(self.low_type)
        first, last = int(bucket.min()), int(bucket.max())
        if first == last:
            self.buckets.setdefault(first, []).append((low, rows, kinds))
            return
        relative = bucket - first
        if last - first < 1 << 16:  # numpy's radix sort: one pass a byte
            relative = relative.astype(np.uint8 if last - first < 1 << 8 else np.uint16)
        order = np.argsort(relative, kind="stable")
        counts = np.bincount(relative)
        low, rows, kinds = low[order], rows[order], kinds[order]
        start = 0
        for k in np.flatnonzero(counts).tolist():
            end = start + int(counts[k])
            self.buckets.setdefault(first + k, []).append((low[start:end], rows[start:end], kinds[start:end]))
            start = end

    def take_before(self, bound: int | None, piece: int = 1 << 18) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The events before ``bound`` (all, if None) in time order, stably: ``(rows, kinds, ticks)``
        pieces of at most ``piece`` events (int64 ticks made a piece at a time: less fresh memory)."""
        for key in sorted(self.buckets):
            base = key << self.shift
            if bound is not None and base >= bound:
                break
            low, rows, kinds = (np.concatenate(part) if len(part) > 1 else part[0] for part in zip(*self.buckets.pop(key)))
            order = np.argsort(low, kind="stable")
            low, rows, kinds = low[order], rows[order], kinds[order]
            final = len(low)
            if bound is not None and base + (1 << self.shift) > bound:  # the bucket holding the bound: in part
                final = int(np.searchsorted(low, bound - base))
                if final < len(low):
                    self.buckets[key] = [(low[final:], rows[final:], kinds[final:])]  # sorted: still a stable start
            for start in range(0, final, piece):
                end = min(final, start + piece)
                ticks = low[start:end].astype(np.int64)
                ticks += base
                yield rows[start:end], kinds[start:end], ticks
