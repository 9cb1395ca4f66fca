"""The profile store: one row per (profile, journey entry), columnar numpy arrays.

A row is never a SimPy process or event. ``t_next`` is when the row must next be looked at
(its move, a release, an event alarm or its global timeout); the engine moves every row due
before the next control event in vectorised batches.
"""

from __future__ import annotations

import numpy as np

NEVER = np.iinfo(np.int64).max // 4

# Row states
PENDING = 0   # an arrival at a journey's door, not yet looked at
ACTIVE = 1    # in the journey, at ``node``, moving on at ``t_move``
HELD = 2      # stopped by a pause; ``t_move`` is the release time once scheduled
QUEUED = 3    # retained entry waiting for the resume (S5)
READQ = 4     # in a read-audience queue, entering at ``t_move`` (R1)
FROZEN = 5    # in a wait whose clock is stopped by the pause (S2)
DONE = 6      # exited or discarded; ``reason`` says why
VOID = 7      # an arrival that never happened (its journey was stopped first)

IN_JOURNEY = (ACTIVE, HELD, FROZEN)
AT_DOOR = (QUEUED, READQ)

# profile is a population row: int32 holds any population that fits in memory (append checks)
_COLUMNS = {
    "profile": np.int32, "journey": np.int16, "node": np.int32, "state": np.int8, "reason": np.int8,
    "branch": np.int8, "fire_drawn": np.bool_, "parked": np.bool_,
    "t_next": np.int64, "t_held": np.int64, "t_move": np.int64, "t_entry": np.int64, "t_node": np.int64,
    "t_state": np.int64, "t_fire": np.int64,
}
#: when a row reached its node, when its event fires, whether that is drawn, which way it leaves (timeout)
_EVENT_COLUMNS = ("t_node", "t_fire", "fire_drawn", "branch")


def state_table(states: tuple[int, ...]) -> np.ndarray:
    """A lookup table: ``table[state]`` is whether ``state`` is one of ``states`` (faster than ``np.isin``)."""
    table = np.zeros(VOID + 1, dtype=bool)
    table[list(states)] = True
    return table


class ProfileStore:
    """Growable columns; ``size`` rows are in use. Access columns as attributes."""

    def __init__(self, capacity: int = 1024, event_nodes: bool = True):
        self.size = 0
        self.event_nodes = event_nodes  # keep the columns only event nodes use (A2/A4/A6); else never touched
        self._capacity = max(capacity, 16)
        for name, dtype in _COLUMNS.items():
            setattr(self, name, np.empty(self._capacity if name in self._in_use() else 0, dtype=dtype))

    def _grow(self, needed: int) -> None:
        capacity = self._capacity
        while capacity < needed:
            capacity = capacity * 2
        for name in self._in_use():
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)
        self._capacity = capacity

    def append(self, profiles: np.ndarray | int, journey: int, node: int, state: int, t_next: np.ndarray) -> slice:
        """Add rows; returns the slice of their indices (a slice, not an index array: at 10M rows an
        array of indices would be 80 MB at the run's memory peak, the first read). ``profiles``: the
        rows' profiles, or how many rows there are when the caller writes their profiles itself."""
        count = profiles if isinstance(profiles, int) else len(profiles)
        if self.size + count > self._capacity:
            self._grow(self.size + count)
        new = slice(self.size, self.size + count)  # slice writes: no index array per column
        self.size += count
        if not isinstance(profiles, int):
            self.write_profiles(new, profiles)
        self.journey[new] = journey
        self.node[new] = node
        self.state[new] = state
        self.reason[new] = -1
        self.parked[new] = False
        self.t_held[new] = NEVER
        self.t_next[new] = t_next
        self.t_move[new] = t_next
        self.t_entry[new] = NEVER
        self.t_state[new] = t_next
        if self.event_nodes:
            self.t_node[new] = t_next
            self.t_fire[new] = NEVER
            self.fire_drawn[new] = False
            self.branch[new] = 0
        return new

    def write_profiles(self, rows: slice, profiles: np.ndarray) -> None:
        if len(profiles) and profiles.dtype.itemsize > 4 and int(profiles.max()) > np.iinfo(np.int32).max:
            raise OverflowError(f"profile {int(profiles.max())} does not fit the store's profile column")
        self.profile[rows] = profiles

    def due_before(self, tick: int, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows ``start`` to ``stop`` (every row by default) due before ``tick``, ascending."""
        stop = self.size if stop is None else stop
        due = np.flatnonzero(self.t_next[start:stop] < tick)
        due += start
        return due

    def rows_of(self, journey: int, states: tuple[int, ...]) -> np.ndarray:
        n = self.size
        mask = self.state[:n] == states[0] if len(states) == 1 else state_table(states)[self.state[:n]]
        mask &= self.journey[:n] == journey
        return np.flatnonzero(mask)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self._in_use())

    def _in_use(self) -> list[str]:
        return [name for name in _COLUMNS if name not in _EVENT_COLUMNS or self.event_nodes]
