"""Per-journey state that the engine's processes share: status, pause, filters, reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..expr import Expression
from ..model.graph import CompiledJourney
from .recorder import PauseRecord


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
    last_exit: int = 0
