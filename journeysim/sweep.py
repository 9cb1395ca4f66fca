"""What-if sweeps: a grid of overrides times R replications, on any ``concurrent.futures`` executor.

Each run is a small picklable task (scenario path, overrides, replication) that rebuilds its
scenario and seeds itself from ``SeedSequence(seed, spawn_key=(r,))``, so the result never depends
on where it ran: in-process, in a process pool, or on a Dask cluster (``executors.py``). Finished
runs are written to ``DIR/runs/<id>.json`` as they complete; ``resume=True`` runs only what is
missing or failed.

>>> plan = SweepPlan(Path("quickstart.yaml"), {"org.resume_rate": ["1/s", "5/s"]}, replications=3)
>>> table = run_sweep(plan, Path("out/sweep"))           # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import os
import tempfile
import traceback
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from .errors import Problem, ScenarioError
from .executors import DaskMissing, InProcessExecutor, describe, make_executor
from .inputs import MAX_SCENARIO_BYTES, InputRefused, file_problem, read_bytes
from .outputs.folder import ordinary_mode, write_manifest
from .overrides import _under, blamed_on, parse_overrides, paths_written, split_values
from .readable import format_figure, is_categorical, is_time, number_format, title

if TYPE_CHECKING:
    import pandas as pd

    from .page_writer import PageWriter

__all__ = ["DaskMissing", "RunTask", "Runs", "describe", "SweepPlan", "Written", "collect", "interval", "is_sweep_file",
           "key_figures", "make_executor", "parse_grid", "read_sweep_file", "run_runs", "run_sweep", "run_task",
           "validate_plan", "write_page", "write_results"]

#: figures drawn in sweep.html against each swept parameter
PLOTTED = ("held_peak", "drain_s", "send_delay_max_s", "org_cap", "discarded", "actions")
#: columns that describe a run rather than measure it
META = ("run_id", "replication", "seed", "status", "error", "overrides")
SWEEP_KEYS = ("scenario", "grid", "replications", "set")
#: the most replications a sweep file or ``--replications`` may ask for
MAX_REPLICATIONS = 1_000_000
SWEEP_ENTRIES = ("runs", "sweep.parquet", "sweep.html")


@dataclass(frozen=True)
class RunTask:
    """One run: everything a worker needs to rebuild it (the scenario file must be readable there)."""

    run_id: str
    scenario: str
    sets: tuple[str, ...]
    replication: int
    grid: tuple[tuple[str, str], ...]
    key: str = ""  # fingerprint of (scenario text, overrides, replication): --resume keeps a run only if it matches


@dataclass
class SweepPlan:
    """The scenario, the grid ``{PATH: [VALUE, ...]}`` (values as ``--set`` text), R, and fixed overrides."""

    scenario: Path
    grid: dict[str, list[str]]
    replications: int = 1
    sets: tuple[str, ...] = field(default=())
    #: key path -> (file, line, column) where a sweep file wrote a grid path or a set: its problems are blamed there
    written_at: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def given_on_command_line(self, paths) -> None:
        """``--grid``/``--set`` paths replace the sweep file's: their problems are the option's again."""
        for path in paths:
            self.written_at.pop(str(path).strip(), None)

    def points(self) -> list[tuple[tuple[tuple[str, str], ...], tuple[str, ...]]]:
        """Each grid point: its (path, value) pairs and the overrides of its runs."""
        names = list(self.grid)
        points = list(itertools.product(*(self.grid[n] for n in names))) if names else [()]
        return [(point, tuple(self.sets) + tuple(f"{n}={v}" for n, v in point))
                for point in (tuple(zip(names, values)) for values in points)]

    def tasks(self) -> list[RunTask]:
        points = self.points()
        scenario = str(Path(self.scenario).resolve())
        text_digest = _inputs_digest(Path(scenario))
        width = max(4, len(str(len(points) - 1)))
        rwidth = max(3, len(str(self.replications - 1)))
        tasks = []
        for g, (point, sets) in enumerate(points):
            for r in range(self.replications):
                key = hashlib.sha256(json.dumps([text_digest, sets, r]).encode()).hexdigest()[:16]
                tasks.append(RunTask(f"g{g:0{width}d}-r{r:0{rwidth}d}", scenario, sets, r, point, key))
        return tasks


def _referenced_files(data: Any) -> list[str]:
    """Every ``file:`` value in a scenario (the population file, arrival files), in document order."""
    if isinstance(data, dict):
        found = [data["file"]] if isinstance(data.get("file"), str) else []
        return found + [f for value in data.values() for f in _referenced_files(value)]
    if isinstance(data, list):
        return [f for item in data for f in _referenced_files(item)]
    return []


def _inputs_digest(scenario: Path) -> str:
    """Fingerprint of the scenario file and of the data files it names: edit any of them and --resume reruns."""
    digest = hashlib.sha256()
    try:
        text = read_bytes(scenario, MAX_SCENARIO_BYTES, "scenario file")
    except (OSError, InputRefused):
        return ""
    digest.update(text)
    from .yamlio import load_yaml

    try:
        data, _ = load_yaml(scenario)  # bounded, like every read of a scenario: no alias bomb walked here
    except ScenarioError:
        data = None
    for name in _referenced_files(data):
        digest.update(name.encode())
        file = scenario.parent / name
        try:
            if file_problem(file):
                raise OSError(file_problem(file))
            with open(file, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def parse_grid(texts: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """``--grid PATH=V1,V2,...`` flags (``PATH={uniform: [1h, 2d]},{fixed: 1h}`` works too)."""
    grid: dict[str, list[str]] = {}
    problems = []
    for text in texts:
        path, sep, values = text.partition("=")
        parts = split_values(values) if sep else []
        if not sep or not path.strip() or not parts or any(not v for v in parts):
            problems.append(Problem("--grid", 1, 1, text, "expected PATH=V1,V2,... (no empty value)"))
        elif path.strip() in grid:
            problems.append(Problem("--grid", 1, 1, path.strip(), "swept twice: give all its values in one --grid"))
        else:
            grid[path.strip()] = parts
    if problems:
        raise ScenarioError(problems)
    return grid


def _as_text(value: Any) -> str:
    """A YAML value from a sweep file as ``--set`` text that reads back as the same value."""
    if isinstance(value, str):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value)


def is_sweep_file(path: Path) -> bool:
    """A YAML mapping with a ``sweep:`` block, or with a top-level ``scenario:`` (never in a scenario), or with
    ``grid``, ``replications`` or ``set`` and none of a scenario's required keys."""
    from .yamlio import load_yaml

    try:
        data, _ = load_yaml(Path(path))  # bounded: a pipe, a device, a huge file or an alias bomb is refused
    except ScenarioError:
        return False
    if not isinstance(data, dict):
        return False
    # a plan whose scenario: is missing is still a sweep file (its grid, replications or set are no scenario keys):
    # it is told its scenario is missing, not that it lacks a scenario's name, duration, population and journeys
    lacks_scenario_keys = not any(key in data for key in ("name", "duration", "population", "journeys"))
    return "sweep" in data or "scenario" in data or (lacks_scenario_keys and any(key in data for key in SWEEP_KEYS))


def read_sweep_file(path: Path) -> SweepPlan:
    """A sweep file: ``{scenario: quickstart.yaml, grid: {PATH: [V1, V2]}, replications: 3, set: [...]}``,
    at the top level or under ``sweep:``. The scenario path is relative to the sweep file."""
    from .yamlio import load_yaml

    path = Path(path)
    data, source = load_yaml(path)
    nested = "sweep" in data
    block, prefix = (data["sweep"], ("sweep",)) if nested else (data, ())
    problems: list[Problem] = []

    def bad(where: tuple, message: str) -> None:
        problems.append(source.problem(prefix + where, message))

    if nested and len(data) > 1:
        for key in data:
            if key != "sweep":
                problems.append(source.problem((key,), f"unknown key {key!r} beside 'sweep'"))
    if not isinstance(block, dict):
        raise ScenarioError([source.problem(prefix, "a sweep is a mapping with scenario, grid, replications and set")])
    for key in block:
        if key not in SWEEP_KEYS:
            bad((key,), f"unknown key {key!r} (a sweep has {', '.join(SWEEP_KEYS)})")
    scenario = block.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        bad(("scenario",), "missing or not a file name: the scenario file, relative to this file")
    grid: dict[str, list[str]] = {}
    written_at: dict[str, tuple[str, int, int]] = {}

    def remember(name: str, where: tuple) -> None:
        spot = source.problem(prefix + where, "")
        written_at[name] = (spot.file, spot.line, spot.column)
    raw_grid = block.get("grid") or {}
    if not isinstance(raw_grid, dict):
        bad(("grid",), "expected a mapping PATH: [VALUE, ...]")
    else:
        for name, values in raw_grid.items():
            values = values if isinstance(values, list) else [values]
            if not values:
                bad(("grid", name), "no values")
            grid[str(name)] = [_as_text(v) for v in values]
            remember(str(name).strip(), ("grid", name))
    replications = block.get("replications", 1)
    if not isinstance(replications, int) or isinstance(replications, bool) or not 1 <= replications <= MAX_REPLICATIONS:
        bad(("replications",), f"expected a whole number from 1 to {MAX_REPLICATIONS:,}, got {replications!r}")
    raw_sets = block.get("set") or []
    sets: list[str] = []
    if isinstance(raw_sets, dict):
        sets = [f"{k}={_as_text(v)}" for k, v in raw_sets.items()]
        for k in raw_sets:
            remember(str(k).strip(), ("set", k))
    elif isinstance(raw_sets, list) and all(isinstance(s, str) and "=" in s for s in raw_sets):
        sets = list(raw_sets)
        for i, text in enumerate(raw_sets):
            remember(text.split("=", 1)[0].strip(), ("set", i))
    else:
        bad(("set",), "expected a mapping PATH: VALUE or a list of 'PATH=VALUE'")
    if problems:
        raise ScenarioError(problems)
    return SweepPlan((path.parent / scenario).resolve(), grid, replications, tuple(sets), written_at)


def validate_plan(plan: SweepPlan) -> list[Problem]:
    """Load every grid point once (not every replication): all problems before anything runs. Returns the
    distinct warnings of the grid points (an always-false condition, an import's assumption)."""
    from .loader import load

    problems: list[Problem] = []
    warnings: dict[Problem, None] = {}
    scenario = str(Path(plan.scenario).resolve())
    for _, sets in plan.points():
        try:
            warnings.update(dict.fromkeys(load(scenario, parse_overrides(scenario, sets)).warnings))
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        problems = blamed_on(problems, "--grid", paths_written(plan.scenario, plan.grid))
        for name, (file, line, column) in plan.written_at.items():  # written in the sweep file: blamed on its line
            written = paths_written(plan.scenario, [name])
            problems = [replace(p, file=file, line=line, column=column)
                        if p.file in ("--grid", "--set") and (p.path == name or _under(p.path, written)) else p
                        for p in problems]
        raise ScenarioError(problems)
    return list(warnings)


def key_figures(summary: dict) -> dict[str, Any]:
    """One flat row of a run's summary: sums over journeys, then per-journey columns ``LABEL.figure``."""
    journeys = summary["journeys"]

    def drain(j: dict) -> float | None:
        drains = [p["drain_s"] for p in j["pauses"] if p["drain_s"] is not None]
        return float(max(drains)) if drains else None

    def delay(j: dict) -> float | None:
        delays = [p["send_delay_s"]["max"] for p in j["pauses"] if p["resumed_at_s"] is not None]
        return float(max(delays)) if delays else None

    def largest(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return max(values) if values else None

    row: dict[str, Any] = {
        "arrived": sum(j["arrived"] for j in journeys.values()),
        "entered": sum(j["entered"] for j in journeys.values()),
        "actions": sum(sum(j["actions"].values()) for j in journeys.values()),
        "held_peak": summary["org"]["held_peak"],
        "drain_s": largest([drain(j) for j in journeys.values()]),  # the longest resume drain; empty if none
        "send_delay_max_s": largest([delay(j) for j in journeys.values()]),
        "org_cap": sum(j["discarded"]["org_cap"] for j in journeys.values()),
        "discarded": sum(sum(j["discarded"].values()) for j in journeys.values()),
        "cap_exceeded_checks": summary["org"]["cap_exceeded_checks"],
    }
    reasons = dict.fromkeys(r for j in journeys.values() for r in j["discarded"])
    for reason in reasons:
        row[f"discarded.{reason}"] = sum(j["discarded"].get(reason, 0) for j in journeys.values())
    for label, j in journeys.items():
        row[f"{label}.arrived"] = j["arrived"]
        row[f"{label}.actions"] = sum(j["actions"].values())
        row[f"{label}.held_peak"] = j["held_peak"]
        row[f"{label}.drain_s"] = drain(j)
        row[f"{label}.org_cap"] = j["discarded"]["org_cap"]
        row[f"{label}.discarded"] = sum(j["discarded"].values())
    return row


def _base_row(task: RunTask) -> dict[str, Any]:
    return {"run_id": task.run_id, "replication": task.replication, "overrides": json.dumps(list(task.sets)),
            **{f"grid.{k}": v for k, v in task.grid}}


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one grid point and replication; never raises (a failure is a row with its error)."""
    from .api import run
    from .loader import load

    row = _base_row(task)
    try:
        loaded = load(task.scenario, parse_overrides(task.scenario, task.sets))
        row["seed"] = loaded.scenario.seed
        result = run(loaded, replication=task.replication)
        row.update(key_figures(result.summary))
        row["status"], row["error"] = "ok", ""
    except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
        row["status"] = "error"
        row["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return row


def _write_json(path: Path, row: dict) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        json.dump(row, stream, sort_keys=True)
    ordinary_mode(Path(tmp))
    os.replace(tmp, path)  # atomic: a kill leaves the old file or the new one, never half of one


def _finished(path: Path, task: RunTask) -> bool:
    try:
        row = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return row.get("status") == "ok" and row.get("_key") == task.key


@dataclass(frozen=True)
class Runs:
    """What ``run_runs`` leaves in ``out/runs``: every task of the plan, ``reused`` of them from an earlier sweep."""

    tasks: list[RunTask]
    reused: int = 0


class Written(NamedTuple):
    """What ``write_page`` wrote: runs in sweep.parquet, failed ones, and runs reused from an earlier sweep."""

    runs: int
    failed: int
    reused: int


def run_sweep(plan: SweepPlan, out: Path, *, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool | None = None, executor: Executor | None = None) -> pd.DataFrame:
    """Run every task of ``plan`` and write ``out/sweep.parquet``, ``out/sweep.html`` and ``out/runs/``.

    In this process by default; ``workers=N`` a process pool; ``scheduler=ADDRESS`` (or
    ``$DASK_SCHEDULER_ADDRESS``) a Dask cluster; or any ``executor`` you pass. With ``resume``, runs
    already finished in ``out/runs`` (same scenario text, overrides and replication) are kept.
    Returns the table written to sweep.parquet. An interrupt keeps every finished run.
    """
    from .page_writer import PageWriter

    writer = PageWriter.start() if executor is None and workers and workers > 1 else None
    try:
        runs = run_runs(plan, out, workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                        executor=executor, writer=writer)
        write_page(out, runs, list(plan.grid), writer)
    finally:
        if writer is not None:
            writer.close()
    table = collect(out, runs.tasks)
    table.attrs["reused"] = runs.reused
    return table


def run_runs(plan: SweepPlan, out: Path, *, workers: int | None = None, scheduler: str | None = None,
             resume: bool = False, progress: bool | None = None, executor: Executor | None = None,
             writer: PageWriter | None = None) -> Runs:
    """Run what ``out/runs`` does not hold yet (everything unless ``resume``), each run written there as it ends.

    ``writer``: a ``PageWriter`` (it loads the page's libraries meanwhile), handed the runs as soon as the
    last one is recorded, while the pool's workers exit; without one, a pool's runs are spent loading them here.
    """
    from .engine.memory import freed_memory_reused

    out = Path(out)
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    write_manifest(out, "sweep", SWEEP_ENTRIES)
    tasks = plan.tasks()
    if not resume:
        for stale in runs.glob("*.json"):
            stale.unlink()
    todo = [t for t in tasks if not (resume and _finished(runs / f"{t.run_id}.json", t))]
    bars = []

    def progress_bar():
        """Opened once the pool has forked its workers: tqdm may start a thread, and a fork copies only one."""
        if progress is False:
            bars.append(_NoProgress())
        else:
            from tqdm import tqdm

            bars.append(tqdm(total=len(tasks), initial=len(tasks) - len(todo), disable=None if progress is None else not progress,
                             desc="sweep", unit="run"))
        return bars[-1]

    def record(task: RunTask, row: dict) -> None:
        row["_key"] = task.key
        _write_json(runs / f"{task.run_id}.json", row)  # as soon as it finishes: an interrupt keeps it
        bars[-1].update(1)

    def submit_all(pool: Executor) -> None:
        if isinstance(pool, InProcessExecutor):
            for task in todo:  # one at a time, so each is recorded as soon as it finishes
                record(task, run_task(task))
            return
        futures = {pool.submit(run_task, task): task for task in todo}
        if writer is None:
            load_page_libraries()  # while the workers run: the page's libraries are not then loaded after them
        for future in as_completed(futures):
            task = futures[future]
            try:
                row = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker or a broken pool: recorded, --resume reruns it
                row = {**_base_row(task), "status": "error",
                       "error": "".join(traceback.format_exception_only(type(exc), exc)).strip() or type(exc).__name__}
            record(task, row)
        if writer is not None:
            writer.submit(out, Runs(tasks, len(tasks) - len(todo)), list(plan.grid))

    # one block for all the runs: a run reuses what the one before freed instead of faulting fresh pages in;
    # pool workers forked inside it stay in it for their whole life
    with freed_memory_reused():
        try:
            if executor is not None:
                progress_bar()
                submit_all(executor)
            elif todo:
                with make_executor(min(workers, len(todo)) if workers else workers, scheduler) as pool:  # no idle processes
                    progress_bar()
                    submit_all(pool)
            else:
                progress_bar()
        finally:
            for bar in bars:
                bar.close()
    return Runs(tasks, len(tasks) - len(todo))


def write_page(out: Path, runs: Runs, parameters: list[str], writer: PageWriter | None = None) -> Written:
    """Write ``out/sweep.parquet`` and ``out/sweep.html`` from ``out/runs``: in ``writer`` (a ``PageWriter``
    that loaded the libraries meanwhile) if it succeeds, else here. The same bytes either way."""
    if writer is not None:
        if not writer.sent:
            writer.submit(out, runs, parameters)
        written = writer.collect()
        if written is not None:
            return written
    return write_here(out, runs, parameters)


def write_here(out: Path, runs: Runs, parameters: list[str]) -> Written:
    """``write_page`` in this process."""
    table = collect(out, runs.tasks)
    write_results(table, out, parameters, runs.reused)
    failed = int((table["status"] != "ok").sum()) if len(table) else 0
    return Written(len(table), failed, runs.reused)


class _NoProgress:
    """The progress bar of a quiet sweep: nothing shown, and tqdm not even imported."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def load_page_libraries() -> None:
    """Import what ``collect`` and ``write_results`` need (pandas, pyarrow, matplotlib: most of a second)."""
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from . import plots  # noqa: F401


def collect(out: Path, tasks: list[RunTask]) -> pd.DataFrame:
    """The rows of ``out/runs`` for these tasks, in task order, as one table."""
    import pandas as pd

    rows = []
    for task in tasks:
        file = Path(out) / "runs" / f"{task.run_id}.json"
        if file.exists():
            row = json.loads(file.read_text())
            row.pop("_key", None)
            rows.append(row)
    table = pd.DataFrame(rows)
    if not len(table):
        return table
    table = table.sort_values("run_id").reset_index(drop=True)
    grid = [c for c in table.columns if c.startswith("grid.")]
    first = ["run_id", *grid, "replication", "seed", "status", "error", "overrides"]
    table = table[[c for c in first if c in table.columns] + sorted(c for c in table.columns if c not in first)]
    for column in table.columns:
        if column not in first and table[column].dtype == object and table[column].isna().all():
            table[column] = table[column].astype("float64")  # a figure no run had (no resume: no drain)
    return table


# two-sided 95% quantiles of Student's t for 1..30 degrees of freedom
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (a table, then Cornish-Fisher)."""
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def interval(values: pd.Series) -> tuple[float, float]:
    """Mean and half-width of the 95% confidence interval of the mean (Student's t; 0 for one value)."""
    import pandas as pd

    values = pd.Series(values).dropna().astype(float)
    if len(values) == 0:
        return math.nan, math.nan
    if len(values) == 1:
        return float(values.iloc[0]), 0.0
    half = t_quantile(len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return float(values.mean()), float(half)


def point_table(table: pd.DataFrame, parameters: list[str], figures: tuple[str, ...] = PLOTTED) -> pd.DataFrame:
    """Per grid point: runs, and for each figure its mean and 95% half-width over the replications."""
    import pandas as pd

    ok = table[table["status"] == "ok"] if len(table) else table
    columns = [f"grid.{p}" for p in parameters]
    if not len(ok):
        return pd.DataFrame()
    groups = ok.groupby(columns, sort=False) if columns else [((), ok)]
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(parameters, key))
        row["runs"] = len(part)
        for figure in figures:
            if figure in part:
                row[figure], row[f"{figure} ±95%"] = interval(part[figure])
        rows.append(row)
    return pd.DataFrame(rows)


def _panel(ax, ok: pd.DataFrame, figure: str, parameter: str, others: list[str]) -> None:
    """One key figure against one swept parameter: mean and 95% interval per value, one series per other point.

    Numbers, durations and rates are joined by lines; names (hold, discard) are points side by side;
    times read in seconds, minutes, hours or days; a panel that never goes below zero starts at zero.
    """
    from matplotlib.ticker import MaxNLocator

    from .plots import short_time_unit

    column = f"grid.{parameter}"
    values = list(dict.fromkeys(ok[column]))
    categorical = is_categorical(values)
    groups = list(ok.groupby(others, sort=False)) if others else [((), ok)]
    largest = ok[figure].abs().max()
    scale, unit = short_time_unit(float(largest) if largest == largest and largest else 1.0) if is_time(figure) else (1.0, "")
    width = 0.6 / len(groups) if categorical and len(groups) > 1 else 0.0
    for n, (key, part) in enumerate(groups):
        stats = [interval(part.loc[part[column] == v, figure]) for v in values]
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{o[5:]}={v}" for o, v in zip(others, key)) or "mean"
        x = [k + (n - (len(groups) - 1) / 2) * width for k in range(len(values))]
        ax.errorbar(x, [m / scale for m, _ in stats], yerr=[h / scale for _, h in stats], marker="o",
                    ls="none" if categorical else "-", capsize=3, label=label)
    ax.set_xticks(range(len(values)), values, rotation=20, fontsize="small")
    if categorical:
        ax.set_xlim(-0.5, len(values) - 0.5)
    # at a given height: matplotlib then skips measuring the axes to place the title (nothing is drawn above them)
    ax.set_title(title(figure) + (f" ({unit})" if unit else ""), fontsize="medium", y=1.0)
    ax.set_xlabel(parameter)
    ax.yaxis.set_major_formatter(number_format())
    if not is_time(figure):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    measured = ok[figure].dropna()
    if not (measured != 0).any():
        ax.set_ylim(0, 1)
        ax.text(0.5, 0.5, "0 in every run", transform=ax.transAxes, ha="center", va="center", color="#666666")
    elif not (measured < 0).any():
        ax.set_ylim(0, ax.get_ylim()[1])


def _points_html(points: pd.DataFrame, parameters: list[str], figures: tuple[str, ...]) -> str:
    """Per grid point: each figure as 'mean ± half-width', times as durations, counts with separators."""
    shown = [f for f in figures if f in points]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in [*parameters, "runs", *(title(f) for f in shown)])
    rows = []
    for row in points.to_dict("records"):
        cells = [str(row[p]) for p in parameters] + [f"{row['runs']:,}"]
        for figure in shown:
            mean, half = row[figure], row[f"{figure} ±95%"]
            text = format_figure(figure, mean)
            cells.append(f"{text} ± {format_figure(figure, half)}" if text and half else text)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<div class='wide'><table><tr>{head}</tr>{''.join(rows)}</table></div>"


#: figures of N panels made ahead of the runs' end by ``prepare_page`` (in a page writer process)
_made_ahead: dict[int, Any] = {}


def _panels_figure(panels: int):
    """A bare figure (no pyplot, no GUI backend, nothing left open) and its axes, three a row."""
    made = _made_ahead.pop(panels, None)
    if made is not None:
        return made
    from matplotlib.figure import Figure

    ncols = min(3, panels)
    nrows = math.ceil(panels / ncols)
    fig = Figure(figsize=(5 * ncols, 3.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    height = 3.4 * nrows  # fixed margins in inches: much faster than a layout engine
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.8 / height, top=1 - 0.7 / height, wspace=0.28, hspace=0.55)
    return fig, axes


def prepare_page() -> None:
    """What writing the page costs whatever the runs give, done ahead: the libraries, and the figure of
    every key figure's panel with its axes and ticks."""
    load_page_libraries()
    fig, axes = _panels_figure(len(PLOTTED))
    for ax in axes.flat:  # the ticks a panel draws, made now: a tick costs about half a millisecond
        ax.xaxis.get_major_ticks(8)
        ax.yaxis.get_major_ticks(10)
    _made_ahead[len(PLOTTED)] = fig, axes


def _figure_svg(ok: pd.DataFrame, shown: list[str], parameters: list[str], k: int) -> str:
    """The key figures against swept parameter ``k``, one panel each, as an inline ``<svg>``."""
    from .outputs.figures import inline_svg

    parameter = parameters[k]
    fig, axes = _panels_figure(len(shown))
    others = [f"grid.{p}" for p in parameters if p != parameter]
    for ax, figure in zip(axes.flat, shown):
        _panel(ax, ok, figure, parameter, others)
        if others and ax is axes.flat[0]:
            ax.legend(fontsize="x-small")
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    fig.suptitle(f"Key figures against {parameter} (mean and 95% interval over replications)")
    return inline_svg(fig, f"sweep-{k}", f"key figures against {parameter}")


def write_results(table: pd.DataFrame, out: Path, parameters: list[str], reused: int = 0) -> None:
    """``sweep.parquet`` (the table) and ``sweep.html`` with a figure per swept parameter inline (SVG)."""
    out = Path(out)
    table.to_parquet(out / "sweep.parquet", index=False)
    for old in out.glob("fig_sweep_*.png"):  # a page written before its figures were inline had them beside it
        old.unlink()
    ok = table[table["status"] == "ok"] if len(table) else table
    shown = [f for f in PLOTTED if f in ok and ok[f].notna().any()]
    figures = [(parameter, _figure_svg(ok, shown, parameters, k))
               for k, parameter in enumerate(parameters if len(ok) and shown else [])]
    failed = table[table["status"] != "ok"] if len(table) else table
    failures = "".join(f"<li><code>{html.escape(str(r.run_id))}</code>: {html.escape(str(r.error))}</li>"
                       for r in failed.itertuples())
    points = point_table(table, parameters)
    numbers = _points_html(points, parameters, PLOTTED) if len(points) else ""
    replications = sorted(set(table["replication"])) if len(table) else []
    kept = f" {reused:,} of them reused from a previous sweep (--resume)." if reused else ""
    (out / "sweep.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>journeysim sweep</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem}"
        "figure{margin:1rem 0}figure svg{display:block;max-width:100%;height:auto}.wide{overflow-x:auto;max-width:100%}"
        "table{border-collapse:collapse;font-size:small}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
        "th{white-space:normal;vertical-align:bottom}td{white-space:nowrap}"
        "</style></head><body><h1>Sweep</h1>"
        f"<p>{len(table):,} runs ({len(replications)} replication(s) per grid point): {len(ok):,} ok, {len(failed):,} failed.{kept} "
        "Points are means over the replications, bars the 95% confidence interval of the mean (Student's t). "
        "Replication r of every grid point uses the same random numbers (common random numbers), "
        "so differences between points are the settings' effect.</p>"
        + "".join(f"<h2>{html.escape(p)}</h2><figure>{svg}</figure>" for p, svg in figures)
        + (f"<h2>Per grid point</h2>{numbers}" if numbers else "")
        + (f"<h2>Failed runs</h2><ul>{failures}</ul>" if failures else "") + "</body></html>\n")
