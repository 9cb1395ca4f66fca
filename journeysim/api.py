"""The Python API for notebooks and scripts: ``load``, ``run`` and ``Result``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import ConservationError
from .loader import LoadedScenario
from .loader import load as _load


@dataclass
class Result:
    """What one run produced: the summary dict and two long-format DataFrames."""

    summary: dict
    timeseries: pd.DataFrame
    events: pd.DataFrame | None = None
    scenario: LoadedScenario | None = field(default=None, repr=False)
    cap_checks: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return bool(self.summary["conservation"]["ok"])


def load(path: str | Path, overrides: dict[str, object] | None = None) -> LoadedScenario:
    """Load and check a scenario file (raises ``journeysim.errors.ScenarioError``).

    ``overrides`` maps key paths to values, as ``--set`` does: ``{"org.resume_rate": "2000/s"}``.
    """
    from .overrides import parse_path

    parsed = [(parse_path(k), v, f"{k}={v}") for k, v in (overrides or {}).items()]
    return _load(path, parsed)


def run(scenario: LoadedScenario | str | Path, *, seed: int | None = None, events: bool = False,
        progress: bool | None = False, check: bool = True, replication: int | None = None) -> Result:
    """Simulate a scenario. With ``check`` a conservation violation raises ``ConservationError``.

    ``replication`` r draws every random number from ``SeedSequence(seed, spawn_key=(r,))``, so
    replication r of two scenarios that differ only in a setting share their random streams.
    """
    from .engine.simulation import Simulation

    loaded = scenario if isinstance(scenario, LoadedScenario) else load(scenario)
    if seed is not None:
        loaded = loaded.with_seed(seed)
    sim = Simulation(loaded, record_events=events, progress=progress, replication=replication)
    sim.run()
    return collect(sim, loaded, events=events, check=check)


def collect(sim, loaded: LoadedScenario, *, events: bool = False, check: bool = True) -> Result:
    """The ``Result`` of a simulation that has run (to its end, or to where it was stopped)."""
    from .outputs.summary import build_summary, conservation
    from .outputs.tables import events as events_table
    from .outputs.tables import timeseries

    sim.close_all_open()
    verdict = conservation(sim)
    summary = build_summary(sim, verdict)
    checks = pd.DataFrame(sim.recorder.cap_checks, columns=["t_s", "held", "over_cap"]).astype({"t_s": "float64"})
    checks["t_s"] *= sim.res
    result = Result(summary, timeseries(sim), events_table(sim) if events else None, loaded, checks)
    if check and not verdict["ok"]:
        error = ConservationError("conservation violated: " + "; ".join(verdict["problems"]))
        error.result = result  # type: ignore[attr-defined]
        raise error
    return result
