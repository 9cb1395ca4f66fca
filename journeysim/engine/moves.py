"""Per-row time arithmetic shared by the engine: ticks, rate slots and node dwell times."""

from __future__ import annotations

import math

import numpy as np

from ..units import MAX_SECONDS, Distribution
from .store import NEVER


def to_ticks(seconds: float, resolution: float) -> int:
    return int(round(seconds / resolution))


def regular_ticks(first_s: float, every_s: float, count: int | None, resolution: float, end_tick: int,
                  most: int | None = None) -> np.ndarray:
    """Ticks of the items at ``first_s + k * every_s`` seconds (k = 0, 1, ...; at most ``count``) up to
    ``end_tick``: each time rounded to a whole tick, as every time is. When ``every_s`` is not a whole
    number of ticks (1.5 s, or 1 s at a 1 min resolution) the items are not spread one step of rounded
    length apart: 1.5 s at 1 s goes 0, 2, 3, 4, 6 (not 0, 2, 4, 6), 1 s at 1 min gives 60 a tick.
    ``most``: no more than this many are needed (the population's size, without re-entry)."""
    step = every_s / resolution
    first = to_ticks(first_s, resolution)
    if step == 0 or math.isclose(step, round(step), rel_tol=0.0, abs_tol=1e-9):
        step_ticks = max(1, round(step))
        n = (end_tick - first) // step_ticks + 1 if first <= end_tick else 0
        if count is not None:
            n = min(n, count)
        return first + step_ticks * np.arange(max(n, 0), dtype=np.int64)
    n = math.floor(((end_tick + 0.5) * resolution - first_s) / every_s) + 1 if first_s <= (end_tick + 0.5) * resolution else 0
    if count is not None:
        n = min(n, count)
    if most is not None:
        n = min(n, most + 1)
    ticks = np.rint((first_s + every_s * np.arange(max(n, 0), dtype=np.float64)) / resolution).astype(np.int64)
    return ticks[ticks <= end_tick]


def duration_ticks(dist: Distribution, u: np.ndarray, v: np.ndarray | None, resolution: float) -> np.ndarray:
    """Durations from ``dist`` for uniforms ``u`` (``v``: a second stream) in whole ticks, never negative."""
    if dist.kind == "fixed":
        return np.full(len(u), to_ticks(dist.params[0], resolution), dtype=np.int64)
    # a heavy tail (lognormal) can draw beyond int64 ticks: clip to the longest duration a file may write
    return np.clip(np.rint(dist.from_uniforms(u, v) / resolution), 0, MAX_SECONDS / resolution).astype(np.int64)


def rate_slots(count: int, rate_per_s: float, resolution: float, out: np.ndarray | None = None,
               start: int = 0, first: int = 0) -> np.ndarray:
    """Ticks after the start at which the i-th of ``count`` items goes at a rate: ceil((i+1) / rate)
    seconds, rounded up to a whole tick (R6).

    With 5,000/s at 1 s resolution, items 0-4,999 go 1 s after the start, the next 5,000 at 2 s:
    a backlog of N takes ceil(N / rate) seconds. At 0.5 s resolution the first 5,000 still go at
    1 s (not 2,500 at 0.5 s); at 1 min every item of the first 300,000 goes at 60 s.
    ``first``: the items are those numbered ``first`` to ``first + count - 1`` of a longer queue.
    ``out`` (int64, ``count`` long): written there plus ``start``, a million at a time, with no
    temporary as long as ``count`` (a read of 50M profiles).
    """
    latest = MAX_SECONDS / resolution
    if out is None:
        return _slots_between(first, first + count, rate_per_s, resolution, latest)
    for low in range(0, count, 1 << 20):
        high = min(count, low + (1 << 20))
        out[low:high] = _slots_between(first + low, first + high, rate_per_s, resolution, latest)
        out[low:high] += start
    return out


def _slots_between(first: int, last: int, rate_per_s: float, resolution: float, latest: float) -> np.ndarray:
    """ceil((i + 1) / rate) seconds, in whole ticks rounded up, for first <= i < last, at most ``latest`` ticks."""
    if resolution == 1.0:
        return _ceil_index(first, last, rate_per_s, latest)
    per_tick = rate_per_s * resolution
    whole_ticks_per_second = math.isclose(1.0 / resolution, round(1.0 / resolution)) and resolution < 1.0
    if not whole_ticks_per_second and resolution > 1.0 and math.isclose(resolution, round(resolution)):
        # a tick of whole seconds: ceil(ceil(x) / n) == ceil(x / n), the slot of the rate per tick
        return _ceil_index(first, last, per_tick, latest)
    seconds = _ceil_index(first, last, rate_per_s, MAX_SECONDS)
    if whole_ticks_per_second:
        return seconds * int(round(1.0 / resolution))
    return np.ceil(seconds / resolution - 1e-9).astype(np.int64)


def _ceil_index(first: int, last: int, per: float, latest: float) -> np.ndarray:
    """ceil((i + 1) / per) for first <= i < last, at most ``latest``."""
    if per >= last:  # every item goes in the first slot; a rate of 1e22/s must not reach int64 arithmetic
        return np.ones(last - first, dtype=np.int64)
    if math.isclose(per, round(per)) and round(per) >= 1:
        whole = int(round(per))
        index = np.arange(first + whole, last + whole, dtype=np.int64)  # (i + 1) + per - 1, floor-divided in place
        index //= whole
        return index
    index = np.arange(first + 1, last + 1, dtype=np.int64)
    # a rate of 1e-22/s puts items past int64 ticks: clip to the longest duration a file may write, as waits are
    return np.clip(np.ceil(index / per - 1e-9), 1, latest).astype(np.int64)


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


__all__ = ["NEVER", "duration_ticks", "rate_slots", "regular_ticks", "stable_order", "to_ticks"]
