"""Org business rules (L6): frequency caps per profile across journeys, on rolling windows.

A rule ``{channel, max, per}`` lets a profile receive at most ``max`` messages of its channel
(every channel for ``all``) in any window of ``per``. Per rule the state is columnar: a ring of
the last ``max`` send ticks of every profile (``ticks[profile * max + slot]``) and the slot of the
oldest (``oldest[profile]``; none when ``max`` is 1). A send at tick ``t`` is allowed when the oldest of the last ``max`` sends
is at or before ``t - per``; a suppressed send counts in no rule.

Callers hand each profile's sends in time order; several sends of one profile in one call must
share a tick (the engine's write-order path guarantees both) and are taken in row order.
"""

from __future__ import annotations

import numpy as np

from ..schema import BusinessRule
from .moves import to_ticks

ALL_CHANNELS = "all"
CAPPED_NODE_TYPE = "action"  # messages; content decisions and custom actions are not sends


class FrequencyCaps:
    def __init__(self, rules: list[BusinessRule], profiles: int, resolution: float, end_tick: int):
        self.rules = rules
        self.window = [max(1, to_ticks(rule.per, resolution)) for rule in rules]
        longest = max(self.window, default=0)
        dtype = np.int32 if end_tick + longest < np.iinfo(np.int32).max // 2 else np.int64
        never = -(longest + 1)  # "no send yet": out of every window from tick 0
        # rule r's ring of profile p is ticks[r][p * max : (p + 1) * max]; with max 1 there is no ring to turn
        self.ticks = [np.full(profiles * rule.max, never, dtype=dtype) for rule in rules]
        self.oldest = [np.zeros(profiles, dtype=np.uint16) if rule.max > 1 else None for rule in rules]

    def rules_for(self, node_type: str, channel: str) -> list[int]:
        if node_type != CAPPED_NODE_TYPE:
            return []
        return [r for r, rule in enumerate(self.rules) if rule.channel in (ALL_CHANNELS, channel)]

    def send(self, rules: list[int], profiles: np.ndarray, t: np.ndarray, distinct: bool = False) -> np.ndarray:
        """Which of these sends go out (True) or are suppressed by a cap (False); the ones that go
        out are recorded in every rule of ``rules``. ``distinct``: no profile is twice in ``profiles``."""
        allowed = np.ones(len(profiles), dtype=bool)
        if not rules or len(profiles) == 0:
            return allowed
        for rank_rows in [np.arange(len(profiles))] if distinct else _by_occurrence(profiles):
            p, tick = profiles[rank_rows], t[rank_rows]
            ok = np.ones(len(p), dtype=bool)
            slots = []
            for r in rules:
                slot = None if self.oldest[r] is None else self.oldest[r][p]
                at = p if slot is None else p * self.rules[r].max + slot
                ok &= self.ticks[r][at] <= tick - self.window[r]
                slots.append((slot, at))
            sent_at = tick[ok]
            for r, (slot, at) in zip(rules, slots):
                self.ticks[r][at[ok]] = sent_at
                if slot is not None:
                    self.oldest[r][p[ok]] = (slot[ok] + 1) % self.rules[r].max
            allowed[rank_rows] = ok
        return allowed

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.ticks) + sum(a.nbytes for a in self.oldest if a is not None)


def _by_occurrence(profiles: np.ndarray) -> list[np.ndarray]:
    """Row indices split into rounds: each profile's first row, then its second, ... (row order kept)."""
    if len(profiles) < 2:
        return [np.arange(len(profiles))]
    order = np.argsort(profiles, kind="stable")
    sorted_p = profiles[order]
    starts = np.flatnonzero(np.r_[True, sorted_p[1:] != sorted_p[:-1]])
    if len(starts) == len(profiles):
        return [np.arange(len(profiles))]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(profiles)]))
    rank = np.empty(len(profiles), dtype=np.int64)
    rank[order] = np.arange(len(profiles)) - group_start
    return [np.flatnonzero(rank == k) for k in range(int(rank.max()) + 1)]
