"""The virtual clock: one ``Simulation`` behind a lock, moved by wall time or by ``/sim/advance``.

Every API call takes the lock, brings the simulation up to the virtual instant it arrived at
and acts there, as a timeline action listed after the scenario's own actions at that instant: the
control events that such an action comes before in ``journeysim run`` wait for the clock to move on
(``Simulation.run_to_call``). The lock serializes calls: the simulation is only ever
touched by one thread at a time.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engine import store as S
from ..engine.simulation import Simulation
from ..loader import LoadedScenario
from ..model.timeline import PlannedAction
from ..units import format_seconds


@dataclass
class ApiCall:
    at_s: float
    method: str
    path: str
    status: int
    answer: object

    def as_dict(self) -> dict:
        return {"at_s": self.at_s, "method": self.method, "path": self.path, "status": self.status, "answer": self.answer}


@dataclass
class VirtualClock:
    """Simulated seconds as a function of wall seconds: ``speed`` simulated seconds per wall second
    from ``(wall_origin, virtual_origin)``; speed 0 stands still until moved by hand."""

    speed: float
    wall: Callable[[], float] = time.monotonic
    wall_origin: float = field(default=0.0)
    virtual_origin: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed) and self.speed >= 0):
            raise ValueError(f"speed must be a finite number >= 0, got {self.speed!r}")
        self.wall_origin = self.wall()

    def now_s(self) -> float:
        return self.virtual_origin + (self.wall() - self.wall_origin) * self.speed

    def set(self, virtual_s: float) -> None:
        self.virtual_origin, self.wall_origin = virtual_s, self.wall()


class SimRunner:
    """The running simulation, its clock and the log of API calls."""

    def __init__(self, loaded: LoadedScenario, out: Path, *, speed: float, events: bool = False, report: bool = True,
                 on_end: Callable[[], None] | None = None, wall: Callable[[], float] = time.monotonic):
        self.loaded = loaded
        self.out = Path(out)
        self.events = events
        self.report = report
        self.sim = Simulation(loaded, record_events=events, progress=False)
        self.clock = VirtualClock(speed, wall)
        self.lock = threading.RLock()
        self.calls: list[ApiCall] = []
        self.calls_lock = threading.Lock()  # the log never waits for the simulation
        self.next_index = len(loaded.timeline)
        self.ended_by: str | None = None
        self.at_end = False  # the clock reached the scenario's end; the outputs follow the call that got there
        self.written: list[Path] = []
        self.on_end = on_end
        self.sim.start()

    # ------------------------------------------------------------------ time
    @property
    def res(self) -> float:
        return self.sim.res

    @property
    def now_tick(self) -> int:
        return int(self.sim.env.now)

    @property
    def now_s(self) -> float:
        value = self.now_tick * self.res
        return int(value) if float(value).is_integer() else round(value, 6)

    @property
    def finished(self) -> bool:
        return self.ended_by is not None

    def catch_up(self) -> None:
        """Run the simulation up to the virtual instant of now (with the lock held)."""
        if self.finished:
            return
        virtual_s = min(self.clock.now_s(), self.sim.end_tick * self.res)  # a huge speed overflows to inf
        self.run_to(int(virtual_s // self.res))

    def run_to(self, tick: int) -> None:
        """Run every control event up to ``tick`` (not past the scenario's end, which it notes)."""
        tick = max(self.now_tick, min(tick, self.sim.end_tick))
        self.sim.run_to_call(tick)  # a call made now acts where the same action in the timeline would
        self.sim.sync()
        if self.clock.speed == 0 or tick >= self.sim.end_tick:
            self.clock.set(tick * self.res)
        if tick >= self.sim.end_tick:
            self.at_end = True

    def finish_if_at_end(self) -> None:
        """Write the outputs once the end is reached (after the call that reached it is logged)."""
        if self.at_end and not self.finished:
            self.end("end")

    def advance(self, to_s: float) -> None:
        with self.lock:
            self.catch_up()
            if not self.finished:
                self.run_to(int(np.ceil(to_s / self.res - 1e-9)))
                self.clock.set(self.now_tick * self.res)

    def next_action_index(self) -> int:
        index, self.next_index = self.next_index, self.next_index + 1
        return index

    def apply(self, step: PlannedAction) -> None:
        """Execute a checked action now (lock held, clock caught up)."""
        step.at = self.now_tick * self.res
        self.sim.apply_call(step)

    def record(self, method: str, path: str, status: int, answer: object) -> None:
        with self.calls_lock:
            self.calls.append(ApiCall(self.now_s, method, path, status, answer))

    def calls_so_far(self) -> list[dict]:
        with self.calls_lock:
            return [c.as_dict() for c in self.calls]

    # ------------------------------------------------------------------ reading
    def journey_counts(self, j: int) -> dict[str, int]:
        st = self.sim.store
        n = st.size
        mine = st.journey[:n] == j
        state = st.state[:n][mine]
        nodes = st.node[:n][mine]
        waiting = (state == S.FROZEN) | ((state == S.ACTIVE) & self.sim.node_waiting[nodes])
        record = self.sim.recorder.journeys[j]
        return {
            "arrived": record.arrived,
            "entered": record.entered,
            "in_journey": int(np.isin(state, S.IN_JOURNEY).sum()),
            "held": int((state == S.HELD).sum()),
            "waiting": int(waiting.sum()),
            "queued": int(np.isin(state, S.AT_DOOR).sum()),
            "left": int(record.reasons.sum()),
        }

    def status(self) -> dict:
        with self.lock:
            self.catch_up()
            journeys = []
            for j, runtime in enumerate(self.sim.runtime):
                spec = runtime.compiled.spec
                journeys.append({"key": spec.key, "version": spec.version, "label": self.sim.journeys_c[j].label,
                                 "status": runtime.status, **self.journey_counts(j)})
            return {"scenario": self.sim.scenario.name, "now_s": self.now_s, "now": format_seconds(self.now_s),
                    "duration_s": self.sim.scenario.duration, "speed": self.clock.speed, "ended": self.at_end,
                    "journeys": journeys}

    def summary_so_far(self) -> dict:
        from ..outputs.summary import build_summary, conservation

        with self.lock:
            self.catch_up()
            if self.finished:
                return self.final_summary
            summary = build_summary(self.sim, conservation(self.sim, arrivals_done=False))
            summary["api_calls"] = self.calls_so_far()
            return summary

    # ------------------------------------------------------------------ the end
    def end(self, why: str) -> None:
        """Write the outputs (at the scenario's end, or where a signal stopped it); once."""
        from ..api import collect
        from ..outputs.writer import write_outputs

        with self.lock:
            if self.finished:
                return
            self.ended_by = why
            cut = None if why == "end" else self.now_tick
            self.sim.run_until(self.now_tick)  # the control events at this instant that calls here would have preceded
            self.sim.finish_run(cut)
            result = collect(self.sim, self.loaded, events=self.events, check=False)
            if cut is not None:
                keep = result.timeseries["t_s"] <= cut * self.res
                result.timeseries = result.timeseries[keep].reset_index(drop=True)
                if result.events is not None:
                    result.events = result.events[result.events["t_s"] <= cut * self.res].reset_index(drop=True)
            result.summary["api_calls"] = self.calls_so_far()
            result.summary["serve"] = {"ended_by": why, "ended_at_s": self.now_s if cut is not None else result.summary["duration_s"],
                                       "speed": self.clock.speed}
            self.final_summary = result.summary
            extra = None
            if self.report:
                from ..outputs.report import write_report_files

                def extra(folder: Path) -> None:
                    write_report_files(result, folder)
            self.written = write_outputs(result, self.out, extra=extra)
        if self.on_end is not None:
            self.on_end()

    def tick_forever(self, stop: threading.Event, every_s: float = 0.05) -> None:
        """With a moving clock: keep the simulation up with wall time until the end or ``stop``."""
        while not stop.wait(every_s):
            with self.lock:
                self.catch_up()
                self.finish_if_at_end()
                if self.finished:
                    return
