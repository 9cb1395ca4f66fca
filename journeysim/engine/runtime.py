"""Per-journey state that the engine's processes share: status, pause, filters, reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from ..expr import Expression
from ..model.graph import CompiledJourney
from .recorder import PauseRecord

# The order of the engine's events at one instant (docs/behaviors.md, "Decisions the documents leave
# open"): operator actions (the timeline's plain timeouts, simpy's NORMAL priority) first, then a
# pause's own end (auto resume, guardrail stop), then cap checks and reads, then a drain's end. Profile
# moves due at the instant are made after all of them (``sync`` moves only what was due before).
PAUSE_END, CHECK, READ, DRAIN_END = 2, 3, 3, 4


class At(simpy.events.Event):
    """A timeout ``delay`` ticks ahead taken, at its instant, after every event of a lower ``rank``,
    whichever was scheduled first."""

    def __init__(self, env: simpy.Environment, delay: int, rank: int):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, rank, delay)


@dataclass
class JourneyRuntime:
    compiled: CompiledJourney
    timeout_ticks: int
    status: str = "live"
    reopen_at: int = 0
    exclude: Expression | None = None
    catch_up_reads: bool = False
    read_done: np.ndarray | None = None
    entries_closed: bool = False
    entries_closed_at: int = 0  # the tick its entries closed (its last scheduled read; 0 for arrivals known at the start)
    pause: PauseRecord | None = None
    superseded: bool = False  # a later version was published (S10)
    last_exit: int = 0  # the tick its last profile left so far
    arrivals_expected: int | None = None  # rows of an event entry's arrivals, all scheduled at the start (None: a read)
    jump_target: bool = False  # a jump may bring entries at any time: finished only at the end of the run
