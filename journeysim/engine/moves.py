"""Per-row time arithmetic shared by the engine: ticks, rate slots and node dwell times."""

from __future__ import annotations

import math

import numpy as np

from ..units import MAX_SECONDS, Distribution
from .store import NEVER


def to_ticks(seconds: float, resolution: float) -> int:
    return int(round(seconds / resolution))


def duration_ticks(dist: Distribution, u: np.ndarray, v: np.ndarray | None, resolution: float) -> np.ndarray:
    """Durations from ``dist`` for uniforms ``u`` (``v``: a second stream) in whole ticks, never negative."""
    if dist.kind == "fixed":
        return np.full(len(u), to_ticks(dist.params[0], resolution), dtype=np.int64)
    # a heavy tail (lognormal) can draw beyond int64 ticks: clip to the longest duration a file may write
    return np.clip(np.rint(dist.from_uniforms(u, v) / resolution), 0, MAX_SECONDS / resolution).astype(np.int64)


def rate_slots(count: int, rate_per_s: float, resolution: float, out: np.ndarray | None = None,
               start: int = 0) -> np.ndarray:
    """Ticks after the start at which the i-th of ``count`` items goes at a rate: ceil((i+1) / rate).

    With 5,000/s at 1 s resolution, items 0-4,999 go 1 s after the start, the next 5,000 at 2 s:
    a backlog of N takes ceil(N / rate) seconds (R6). ``out`` (int64, ``count`` long): written there
    plus ``start``, a million at a time, with no temporary as long as ``count`` (a read of 50M profiles).
    """
    latest = MAX_SECONDS / resolution
    if out is None:
        return _slots_between(0, count, rate_per_s * resolution, latest)
    for first in range(0, count, 1 << 20):
        last = min(count, first + (1 << 20))
        out[first:last] = _slots_between(first, last, rate_per_s * resolution, latest)
        out[first:last] += start
    return out


def _slots_between(first: int, last: int, per_tick: float, latest: float) -> np.ndarray:
    """ceil((i + 1) / per_tick) for first <= i < last, at most ``latest``."""
    if per_tick >= last:  # every item goes in the first tick; a rate of 1e22/s must not reach int64 arithmetic
        return np.ones(last - first, dtype=np.int64)
    if math.isclose(per_tick, round(per_tick)) and round(per_tick) >= 1:
        per = int(round(per_tick))
        index = np.arange(first + per, last + per, dtype=np.int64)  # (i + 1) + per - 1, floor-divided in place
        index //= per
        return index
    index = np.arange(first + 1, last + 1, dtype=np.int64)
    # a rate of 1e-22/s puts items past int64 ticks: clip to the longest duration a file may write, as waits are
    return np.clip(np.ceil(index / per_tick - 1e-9), 1, latest).astype(np.int64)


def stable_order(ticks: np.ndarray) -> np.ndarray:
    """``np.argsort(ticks, kind="stable")``, faster: each tick (less the smallest) and its position packed
    into one int64 key; the keys are unique, so sorting them gives the stable order."""
    n = len(ticks)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    low = int(ticks.min())
    if int(ticks.max()) - low < 1 << 16:  # numpy sorts 16-bit keys stably by radix, in linear time
        return np.argsort((ticks - low).astype(np.uint16), kind="stable")
    if int(ticks.max()) - low >= ((1 << 63) - n) // n:
        return np.argsort(ticks, kind="stable")
    key = ticks - low
    key *= n
    key += np.arange(n, dtype=np.int64)
    key.sort()
    key %= n
    return key


__all__ = ["NEVER", "duration_ticks", "rate_slots", "stable_order", "to_ticks"]
