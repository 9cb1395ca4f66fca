"""Random numbers keyed by what they decide, not by when they are drawn.

Every per-profile draw (a wait's length, whether an event happens, a split branch) is a hash of
the run's seed, the profile, its journey entry, the node, the moment and the purpose (splitmix64,
vectorised). A result therefore does not depend on how rows are batched or ordered, and two
runs that differ only in a setting that cannot change a draw share it (common random numbers).
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def _mix_int(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


class KeyedDraws:
    """Uniform numbers in [0, 1) from (seed, profile, entry time, node, moment, purpose)."""

    def __init__(self, seed_sequence: np.random.SeedSequence):
        self.seed = int(seed_sequence.generate_state(1, np.uint64)[0])

    def uniform(self, profiles: np.ndarray, entered_at: np.ndarray, node: int, moments: np.ndarray,
                purpose: int = 0) -> np.ndarray:
        salt = np.uint64(_mix_int(self.seed ^ _mix_int((node << 8) | purpose)))
        h = _mix(profiles.astype(np.uint64) ^ salt)
        h = _mix(h ^ entered_at.astype(np.uint64))
        h = _mix(h ^ np.asarray(moments).astype(np.uint64))
        return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
