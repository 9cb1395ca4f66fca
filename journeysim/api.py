"""The Python API for notebooks and scripts: ``load``, ``run`` and ``Result``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConservationError
from .loader import LoadedScenario
from .loader import load as _load

if TYPE_CHECKING:
    import pandas as pd

_UNSET = object()


class Result:
    """What one run produced: the summary dict and long-format DataFrames (``timeseries``, ``events``
    if recorded, ``cap_checks``).

    A run's frames are built on first use, from numpy columns: writing them to Parquet
    (``write_tables``) needs no pandas, so a command-line run starts and ends faster.
    """

    def __init__(self, summary: dict, timeseries: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                 scenario: LoadedScenario | None = None, cap_checks: pd.DataFrame | None = None, *,
                 columns: dict | None = None):
        self.summary = summary
        self.scenario = scenario
        self._frames = {"timeseries": timeseries, "events": events, "cap_checks": cap_checks}
        self._columns = columns or {}  # table name -> numpy columns, or None for an empty event log

    def _frame(self, name: str):
        if self._frames[name] is None and name in self._columns:
            from .outputs import tables

            columns = self._columns[name]
            if name == "events" and columns is None:
                self._frames[name] = tables.empty_events_frame()
            else:
                self._frames[name] = tables.frame(columns)
        return self._frames[name]

    def _replace(self, name: str, frame) -> None:
        self._frames[name] = frame
        self._columns.pop(name, None)

    timeseries = property(lambda self: self._frame("timeseries"), lambda self, f: self._replace("timeseries", f),
                          doc="Sampled counts: t_s, journey, node, state, count, status.")
    events = property(lambda self: self._frame("events"), lambda self, f: self._replace("events", f),
                      doc="The step-event log (``events=True``), else None.")
    cap_checks = property(lambda self: self._frame("cap_checks"), lambda self, f: self._replace("cap_checks", f),
                          doc="Org cap checks: t_s, held, over_cap.")

    def has(self, name: str) -> bool:
        return self._frames[name] is not None or name in self._columns

    def write_table(self, name: str, path: Path) -> None:
        """Write ``timeseries`` or ``events`` to Parquet: from the frame if one was built, else with pyarrow alone."""
        if self._frames[name] is None and self._columns.get(name) is not None:
            from .outputs.tables import write_parquet

            write_parquet(self._columns[name], path)
        else:
            self._frame(name).to_parquet(path, index=False)

    @property
    def ok(self) -> bool:
        return bool(self.summary["conservation"]["ok"])

    def __repr__(self) -> str:
        return f"Result(summary=<{self.summary.get('scenario')!r}>, tables={[n for n in self._frames if self.has(n)]})"


def load(path: str | Path, overrides: dict[str, object] | list[str] | tuple[str, ...] | None = None) -> LoadedScenario:
    """Load and check a scenario file (raises ``journeysim.errors.ScenarioError``).

    ``overrides`` maps key paths to values, as ``--set`` does: ``{"org.resume_rate": "2000/s"}``; or it is
    a list of ``PATH=VALUE`` texts read exactly as ``--set`` reads them (each value as YAML), such as a
    sweep row's ``overrides``: ``["org.resume_rate=1000/s", "journeys[j].nodes.w.duration={fixed: 2h}"]``.
    """
    from dataclasses import replace

    from .errors import Problem, ScenarioError
    from .overrides import parse_overrides, parse_path

    try:
        if isinstance(overrides, (list, tuple)):
            return _load(path, parse_overrides(str(path), list(overrides)))
        parsed, problems = [], []
        for key, value in (overrides or {}).items():
            try:
                parsed.append((parse_path(key), value, f"{key}={value}"))
            except ValueError as exc:  # a key path that cannot be read: a problem, not a bare ValueError
                problems.append(Problem("--set", 1, 1, str(key), str(exc).splitlines()[0]))
        if problems:
            raise ScenarioError(problems)
        return _load(path, parsed)
    except ScenarioError as exc:  # a problem of an override is the ``overrides`` argument's, not a --set option's
        raise ScenarioError([replace(p, file="overrides") if p.file == "--set" else p for p in exc.problems]) from None


def run(scenario: LoadedScenario | str | Path, *, seed: int | None = None, events: bool = False,
        progress: bool | None = False, check: bool = True, replication: int | None = None,
        events_near: str | Path | None = None) -> Result:
    """Simulate a scenario. With ``check`` a conservation violation raises ``ConservationError``.

    ``replication`` r draws every random number from ``SeedSequence(seed, spawn_key=(r,))``, so
    replication r of two scenarios that differ only in a setting share their random streams.

    ``events_near`` (a folder on the file system events.parquet will go to; implies ``events``):
    the step-event log is also written to Parquet during the run, into a temporary file there, and
    ``Result.write_table("events", path)`` moves it to ``path`` (the same bytes as without it).
    """
    from .engine.memory import freed_memory_reused
    from .engine.simulation import Simulation

    loaded = scenario if isinstance(scenario, LoadedScenario) else load(scenario)
    if seed is not None:
        loaded = loaded.with_seed(seed)
    events = events or events_near is not None
    with freed_memory_reused():
        sim = Simulation(loaded, record_events=events, progress=progress, replication=replication)
        stream = None
        if events_near is not None:
            from .outputs.event_stream import EventStream

            stream = EventStream(sim, events_near)
        try:
            sim.run()
        except BaseException:
            if stream is not None:
                stream.discard()
            raise
        if stream is not None:
            stream.finish()
        return collect(sim, loaded, events=events, check=check, event_stream=stream)


def collect(sim, loaded: LoadedScenario, *, events: bool = False, check: bool = True, event_stream=None) -> Result:
    """The ``Result`` of a simulation that has run (to its end, or to where it was stopped)."""
    import numpy as np

    from .outputs.summary import build_summary, conservation
    from .outputs.tables import event_columns, timeseries_columns

    sim.close_all_open()
    verdict = conservation(sim)
    summary = build_summary(sim, verdict)
    checks = sim.recorder.cap_checks
    columns = {"timeseries": timeseries_columns(sim),
               "cap_checks": {"t_s": np.array([c[0] for c in checks], dtype=np.float64) * sim.res,
                              "held": np.array([c[1] for c in checks], dtype=np.int64),
                              "over_cap": np.array([c[2] for c in checks], dtype=bool)}}
    if events:
        columns["events"] = log = event_columns(sim)
        if event_stream is not None:
            if log is None:  # nothing recorded: the empty table is written without it
                event_stream.discard()
            else:
                log.stream = event_stream
    result = Result(summary, scenario=loaded, columns=columns)
    if check and not verdict["ok"]:
        error = ConservationError("conservation violated: " + "; ".join(verdict["problems"]))
        error.result = result  # type: ignore[attr-defined]
        raise error
    return result
